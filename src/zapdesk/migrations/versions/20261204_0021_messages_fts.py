"""messages full-text index on SQLite

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 08:45:00.000000

SQLite searched message text by reading every folded body (LIKE '%word%'); an FTS5 table over the folded text
now finds the words through an index (`zapdesk.db.fulltext`). It holds no copy of the text (external content:
`messages`), and triggers keep it in step with every write, whichever code path makes it: an insert adds the row's
words, a change of the folded text replaces them, a delete removes them (status changes, the frequent update,
leave it alone). PostgreSQL keeps its trigram indexes (0016); nothing changes there.

A later migration that rebuilds `messages` on SQLite (a batch "move and copy") drops these triggers with the old
table and must make them again (`tests/db/test_search_indexes.py` checks they exist at head).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# unicode61 with diacritics removed: the text is folded already (`db/folding.fold`), and a word typed with an
# accent the folding missed still matches.
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(body_search, content='messages', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
TRIGGERS = {
    'messages_fts_insert': (
        "AFTER INSERT ON messages BEGIN "
        "INSERT INTO messages_fts (rowid, body_search) VALUES (new.id, new.body_search); END"
    ),
    'messages_fts_update': (
        "AFTER UPDATE OF body_search ON messages BEGIN "
        "INSERT INTO messages_fts (messages_fts, rowid, body_search) VALUES ('delete', old.id, old.body_search); "
        "INSERT INTO messages_fts (rowid, body_search) VALUES (new.id, new.body_search); END"
    ),
    'messages_fts_delete': (
        "AFTER DELETE ON messages BEGIN "
        "INSERT INTO messages_fts (messages_fts, rowid, body_search) VALUES ('delete', old.id, old.body_search); END"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(CREATE_TABLE)
    op.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")  # the messages stored so far
    for name, body in TRIGGERS.items():
        op.execute(f'CREATE TRIGGER {name} {body}')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.execute('DROP TABLE IF EXISTS messages_fts')
