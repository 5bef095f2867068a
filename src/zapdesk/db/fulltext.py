"""Search in message text through the database's own word index where it has one.

SQLite looks words up in an FTS5 table over the folded text (`messages_fts`, kept by triggers: migration 0021),
instead of reading every message; each word typed is a prefix there, so a word being typed already finds
("pedid" finds "pedido"), and the plural of a word that contains its singular is searched as the singular
("pedidos" finds "pedido" and "pedidos"). FTS5 has no Portuguese stemmer: a verb's other forms ("entregar",
"entregue") and a word's middle ("dido") find nothing there. PostgreSQL keeps substring search on the folded
column with its trigram indexes: measured against a Portuguese full-text index, see the README's search figures.

The condition is one SQL element compiled for each database, so the queries that use it (the ticket list, the
ticket report, the conversation search) need not know which database they run on.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, ColumnElement, SQLColumnExpression, String, column, literal, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from zapdesk.db.folding import folded_text_matches, search_words, word_forms

# The FTS5 table, and its hidden column of the same name that MATCH takes.
MESSAGES_FTS = table("messages_fts", column("rowid"), column("messages_fts"))
# What FTS5's unicode61 tokenizer reads as one token: letters and digits (every other character separates them).
TOKEN = re.compile(r"[^\W_]+")


class MessageTextMatches(ColumnElement[bool]):
    """The message whose id is `message_id` and folded text `folded_text` holds every word of `typed`."""

    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is, not compared with 1 where booleans are integers
    inherit_cache = True
    # The words are part of the cache key: each search compiles to its own statement (the words written in it).
    _traverse_internals = [
        ("message_id", InternalTraversal.dp_clauseelement),
        ("folded_text", InternalTraversal.dp_clauseelement),
        ("typed", InternalTraversal.dp_string),
    ]

    def __init__(self, message_id: SQLColumnExpression[int], folded_text: SQLColumnExpression[str], typed: str) -> None:
        self.message_id = message_id
        self.folded_text = folded_text
        self.typed = typed


def message_text_matches(
    message_id: SQLColumnExpression[int], folded_text: SQLColumnExpression[str], typed: str
) -> ColumnElement[bool]:
    return MessageTextMatches(message_id, folded_text, typed)


def fts_query(typed: str) -> str | None:
    """An FTS5 query for what was typed: every word (any of its forms, each a prefix); None when no word has a
    letter or digit (punctuation alone, which the index does not hold)."""
    groups = []
    for word in search_words(typed):
        phrases = sorted(_prefix_phrase(form) for form in word_forms(word) if TOKEN.search(form))
        if phrases:
            groups.append(f"({' OR '.join(phrases)})")
    return " AND ".join(groups) or None


def _prefix_phrase(form: str) -> str:
    # A quoted string is a phrase of the tokens in it ("98888-7777": 98888 then 7777); the star makes its last
    # token a prefix.
    return '"' + " ".join(TOKEN.findall(form)) + '"*'


@compiles(MessageTextMatches)
def _substring(element: MessageTextMatches, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(folded_text_matches(element.folded_text, element.typed).self_group(), **kw)


@compiles(MessageTextMatches, "sqlite")
def _fts5(element: MessageTextMatches, compiler: SQLCompiler, **kw: Any) -> str:
    query = fts_query(element.typed)
    if query is None:
        return _substring(element, compiler, **kw)
    # Written into the statement like the LIKE patterns (`folding.holds`): the query is part of the cache key.
    match = MESSAGES_FTS.c.messages_fts.op("MATCH", return_type=Boolean)(literal(query, String, literal_execute=True))
    return compiler.process(element.message_id.in_(select(MESSAGES_FTS.c.rowid).where(match)).self_group(), **kw)
