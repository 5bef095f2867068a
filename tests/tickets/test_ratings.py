"""Reading a customer's answer to the satisfaction survey."""

from __future__ import annotations

import pytest

from zapdesk.tickets.ratings import parse_rating


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5", 5),
        (" 4 ", 4),
        ("3!", 3),
        ("nota 2", 2),
        ("um", 1),
        ("Cinco", 5),
        ("três", 3),
        ("⭐⭐⭐⭐", 4),
        ("⭐️⭐️⭐️⭐️⭐️", 5),
        ("★ ★", 2),
    ],
)
def test_a_rating_by_digit_word_or_stars(text: str, rating: int) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize("text", ["obrigado", "6", "0", "45", "5 estrelas e um elogio", "⭐⭐⭐⭐⭐⭐", "", "👍"])
def test_anything_else_is_not_a_rating(text: str) -> None:
    assert parse_rating(text) is None
