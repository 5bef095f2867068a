"""Text as search compares it: lower case, accents taken off ("Ação" → "acao"), so that what people type without
accents finds what was written with them. Kept beside the text in `*_search` columns (SQLite has no `unaccent`,
and PostgreSQL's is not immutable, so neither could index an expression); LIKE on them uses the trigram indexes."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
