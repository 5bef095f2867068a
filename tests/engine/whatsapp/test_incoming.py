"""The neonize adapter's conversion tests, run against our engine program: the same neonize-shaped events, sent
through whatsmeow's own handlers in the built program, over its socket, to the new adapter (this folder's
fixtures replace the neonize fakes).

Left out, each for a reason of the setting, not of the conversion: media downloads (offline, whatsmeow has no
media servers to fetch from; `test_commands.py` checks the download request) and the backlog test (whatsmeow
hands one session's events over one at a time, each after the previous verdict, so one session never has several
in flight).
"""

from __future__ import annotations

from tests.engine.neonize import test_incoming as neonize_tests
from tests.engine.neonize.test_incoming import *  # noqa: F403

_LEFT_OUT = {
    "test_an_image_is_handed_over_at_once_and_downloaded_later_by_its_ref",
    "test_a_failed_download_says_why_and_whether_trying_again_may_work",
    "test_downloads_wait_for_the_session_to_be_back",
    "test_a_backlog_reaches_the_handler_before_the_earlier_messages_returned_and_a_drop_waits_for_them",
}
for _name in _LEFT_OUT:
    assert hasattr(neonize_tests, _name), f"{_name} is gone from the neonize tests: update this list"
    del globals()[_name]
