"""Text as search compares it: lower case, accents taken off ("Ação" → "acao"), so that what people type without
accents finds what was written with them. Kept beside the text in `*_search` columns (SQLite has no `unaccent`,
and PostgreSQL's is not immutable, so neither could index an expression); LIKE on them uses PostgreSQL's trigram
indexes, and SQLite's FTS5 index of message text is built from them (`db/fulltext`).

Search reads what was typed as words, each found anywhere in the text, in the singular or the plural: Portuguese
plurals that do not contain their singular ("ações"/"ação", "papéis"/"papel") are spelt out, and a plural that
does ("pedidos") is searched as its singular, which finds both.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, SQLColumnExpression, String, and_, literal, or_

LIKE_ESCAPE = "\\"
# Shorter words say little ("de", "o") and no trigram index can look them up: they are left out of a search that
# has longer ones.
_SHORTEST_WORD = 3
# Four-letter words keep their final s ("dias", "tres"): "dia" and "tre" would find too much else.
_SHORTEST_PLURAL = 5
# Plural endings whose singular is not a prefix of the plural (folded): plural → singular.
_IRREGULAR_PLURALS = (
    ("oes", "ao"),
    ("aes", "ao"),
    ("ns", "m"),
    ("ais", "al"),
    ("eis", "el"),
    ("ois", "ol"),
    ("uis", "ul"),
)
# Endings of a singular → the other plural spellings that do not contain it.
_SINGULAR_PLURALS = (
    ("ao", ("oes", "aes")),
    ("m", ("ns",)),
    ("al", ("ais",)),
    ("el", ("eis",)),
    ("ol", ("ois",)),
    ("ul", ("uis",)),
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the user's own `%` and `_` taken literally."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", f"{LIKE_ESCAPE}%").replace("_", f"{LIKE_ESCAPE}_")
    return f"%{escaped}%"


def holds(column: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    """`column` contains `text` (LIKE '%text%'). The pattern is written into the statement, not bound: PostgreSQL
    plans a prepared statement once for all values after five runs, and a search's plan depends on the word (a
    conversation's search for a common word took 70 ms on such a plan, 0.1 ms on its own)."""
    return column.like(literal(contains_pattern(text), String, literal_execute=True), escape=LIKE_ESCAPE)


def word_forms(word: str) -> set[str]:
    """What text holding a folded `word` in the singular or the plural contains: its singular, and the plurals
    that do not contain that singular."""
    if not word.isalpha():
        return {word}
    singular = _singular(word) if len(word) >= _SHORTEST_PLURAL else word
    forms = {singular}
    for ending, plurals in _SINGULAR_PLURALS:
        if singular.endswith(ending):
            stem = singular.removesuffix(ending)
            forms.update(stem + plural for plural in plurals)
    return forms


def _singular(word: str) -> str:
    for plural, singular in _IRREGULAR_PLURALS:
        if word.endswith(plural):
            return word.removesuffix(plural) + singular
    if word.endswith(("res", "zes", "ses")):
        return word[:-2]  # flores → flor, luzes → luz
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


def search_words(typed: str) -> list[str]:
    """The folded words of `typed` that search looks for: those of three letters or more, or, when none is that
    long, every word."""
    words = fold(typed).split()
    return [word for word in words if len(word) >= _SHORTEST_WORD] or words


def folded_text_matches(folded_column: SQLColumnExpression[str], typed: str) -> ColumnElement[bool]:
    """The folded text in `folded_column` holds every word typed (any case, with or without accents, singular or
    plural, in any order); with no word of three letters or more, what was typed as it is."""
    words = [word for word in search_words(typed) if len(word) >= _SHORTEST_WORD]
    if not words:
        return holds(folded_column, fold(typed).strip())
    return and_(*(or_(*(holds(folded_column, form) for form in sorted(word_forms(word)))) for word in words))
