"""Which program serves provider "whatsapp": ours by default, neonize behind WHATSAPP_ENGINE, and what each
promises about delivery."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from zapdesk.engine.neonize.adapter import NeonizeEngine
from zapdesk.engine.registry import acknowledges_after_commit, build_engine, engine_name
from zapdesk.engine.whatsapp import store_location
from zapdesk.engine.whatsapp.adapter import WhatsAppEngine


async def _ignore(_event: object) -> None:
    return None


async def test_whatsapp_connections_run_in_our_program_unless_neonize_is_asked_for(tmp_path: Path) -> None:
    ours = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'z.db'}", tmp_path)
    theirs = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'z.db'}", tmp_path, whatsapp_engine="neonize")

    assert isinstance(build_engine("whatsapp", ours, "7", _ignore), WhatsAppEngine)
    assert isinstance(build_engine("whatsapp", theirs, "7", _ignore), NeonizeEngine)
    assert (engine_name("whatsapp", ours), engine_name("whatsapp", theirs)) == ("zapdesk-wa", "neonize")
    assert engine_name("simulator", theirs) == "simulator"


def test_only_neonize_acknowledges_before_the_commit() -> None:
    names = ("zapdesk-wa", "simulator", "cloud", "neonize", None)
    assert [acknowledges_after_commit(name) for name in names] == [True, True, True, False, None]


def test_whatsmeows_store_is_zapdesks_own_database(tmp_path: Path) -> None:
    sqlite = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'zapdesk.db'}", tmp_path)
    postgres = make_settings(
        "postgresql+asyncpg://app:secret@db:5432/zapdesk?prepared_statement_cache_size=0", tmp_path
    )

    assert store_location(sqlite) == f"sqlite:{tmp_path / 'zapdesk.db'}"
    assert store_location(postgres) == "postgres://app:secret@db:5432/zapdesk"
