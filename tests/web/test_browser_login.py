"""Signing in and out of the web inbox, and what happens when the session can no longer be renewed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ADMIN_EMAIL, Tab, sign_in

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_and_the_right_one_opens_the_inbox(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    page.goto("/")
    page.get_by_test_id("login-email").fill(ADMIN_EMAIL)
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("E-mail ou senha incorretos.")

    sign_in(tab)
    expect(page.get_by_test_id("tab-open")).to_have_text("Atendendo")
    assert page.url.endswith("/tickets")
    assert tab.errors == []


def test_logout_returns_to_the_login_form_and_forgets_the_session(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = sign_in(tab)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert page.evaluate("localStorage.getItem('zapdesk.session')") is None


def test_a_session_that_cannot_be_renewed_goes_back_to_login_with_a_message(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = sign_in(tab)
    # Both tokens become useless, as after a server-side revocation: the silent refresh fails.
    page.evaluate(
        "localStorage.setItem('zapdesk.session', JSON.stringify({access_token: 'x.y.z', refresh_token: 'revoked'}))"
    )
    page.reload()
    expect(page.get_by_test_id("session-expired")).to_have_text("Sua sessão expirou. Entre novamente.")
    expect(page.get_by_test_id("login-form")).to_be_visible()
