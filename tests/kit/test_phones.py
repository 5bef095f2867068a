"""One phone normaliser for the whole code base: international digits, Brazil's ninth digit included."""

from __future__ import annotations

import pytest

from zapdesk.errors import Invalid
from zapdesk.kit.phones import normalize_phone, phone_or_none, search_forms


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("+55 (11) 98888-7777", "5511988887777"),
        ("5511988887777", "5511988887777"),
        ("+55.11.98888.7777", "5511988887777"),
        (" +1 415-555-0100 ", "14155550100"),
        ("44 20 7946 0958", "442079460958"),
        ("+55 11 3333-4444", "551133334444"),  # a landline: eight digits after the area code
    ],
)
def test_phone_numbers_are_normalized_to_international_digits(raw: str, normalized: str) -> None:
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize("raw", ["551188887777", "+55 11 8888-7777", "55 21 6543-2100"])
def test_a_brazilian_mobile_written_without_its_ninth_digit_is_the_same_number_with_it(raw: str) -> None:
    with_nine = normalize_phone(raw)
    assert with_nine.startswith("55") and with_nine[4] == "9" and len(with_nine) == 13
    assert normalize_phone(with_nine) == with_nine


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "+",
        "1234567",
        "12345678",  # a local-only length: no area code, cannot be dialled from abroad
        "1234567890123456",
        "55 11 9888a7777",  # letters are not digits (no vanity numbers)
        "٥٥١١٩٨٨٨٨٧٧٧٧",  # digits of other scripts: the schema's pattern, and WhatsApp, take 0 to 9
        "+55 11 98888-7777 ext. 12",
        "120363041234567890",  # a group's id
    ],
)
def test_what_cannot_be_a_phone_number_is_refused_with_a_422(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalize_phone(raw)
    assert (refused.value.status_code, refused.value.code) == (422, "invalid_phone")
    assert phone_or_none(raw) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("988887777", "5521988887777"),
        ("+55 (21) 98888-7777", "5521988887777"),
        ("5521988887777", "5521988887777"),
        ("(21) 98888-7777", "5521988887777"),
        ("(21) 8888-7777", "5521988887777"),  # the old form, before the ninth digit
        ("+55 21 8888-7777", "5521988887777"),
        ("021 98888-7777", "5521988887777"),  # with the trunk zero of a long-distance call
        ("8888-7777", "5521988887777"),
        ("+1 415-555-0100", "14155550100"),
    ],
)
def test_a_number_searched_in_any_format_has_a_form_the_stored_number_contains(typed: str, stored: str) -> None:
    assert any(form in stored for form in search_forms(typed)), search_forms(typed)


@pytest.mark.parametrize("typed", ["pedido 12", "100%", "Maria", ""])
def test_what_is_not_a_number_has_no_number_forms(typed: str) -> None:
    assert search_forms(typed) == set()


def test_another_persons_number_is_not_among_the_forms() -> None:
    assert not any(form in "5521988887777" for form in search_forms("(11) 8888-7777"))
