"""Phone numbers, the one way: parsed with `phonenumbers` and kept as international digits (`5511988887777`).

WhatsApp addresses people by these digits. Brazil added a ninth digit (a leading 9) to mobile numbers; older
accounts and address books still write them without it, so `55 11 8888-7777` and `55 11 98888-7777` are one
person and both become the form with the nine.
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from zapdesk.errors import Invalid

# What people type: digits with spaces, dots, dashes and brackets, a leading `+`. Letters (vanity numbers) and
# extensions are no WhatsApp numbers.
PHONE_SHAPE = r"^\s*\+?[0-9\s().\-]*[0-9][0-9\s().\-]*$"
_TYPED_NUMBER = re.compile(PHONE_SHAPE)
_BRAZIL = 55
# A Brazilian mobile written without its ninth digit: area code, then 8 digits starting with 6 to 9.
_BRAZIL_OLD_MOBILE_LENGTH = 10
_BRAZIL_MOBILE_FIRST_DIGITS = "6789"


class InvalidPhone(Invalid):
    code = "invalid_phone"

    def __init__(self, raw: str) -> None:
        super().__init__(
            f"{raw!r} is not a phone number: give it in international format, with the country code "
            "(e.g. +55 11 98888-7777)."
        )


# Every received message reads its sender's number: the same few thousand numbers, parsed again each time,
# were a tenth of webhook ingest. The answer depends on the text alone (refusals are not cached).
@functools.lru_cache(maxsize=65536)
def normalize_phone(raw: str) -> str:
    """International digits of a person's number, however it was typed (`+55 (11) 98888-7777`, `5511988887777`,
    a JID's user part); `InvalidPhone` (422) when it cannot be one. The country code is required."""
    text = raw.strip()
    if not _TYPED_NUMBER.match(text):
        raise InvalidPhone(raw)
    try:
        number = phonenumbers.parse(text if text.startswith("+") else f"+{text}", None)
    except NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if number.country_code == _BRAZIL:
        number = _with_ninth_digit(number)
    # Possible as a whole international number: a local-only length (no area code) cannot be dialled abroad.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164).removeprefix("+")


def phone_or_none(raw: str) -> str | None:
    """`normalize_phone`, or None for something that is not a phone number (a LID, a group id, garbage)."""
    try:
        return normalize_phone(raw)
    except InvalidPhone:
        return None


def search_forms(typed: str) -> set[str]:
    """The digit strings a contact's stored number may contain when someone searches for `typed`: the digits as
    typed, and, when they make a whole number, its stored form, read as international or else as Brazilian with
    the area code ("(21) 8888-7777" is 5521988887777); an old eight-digit mobile gains its nine. Empty for what is
    not a number ("pedido 12")."""
    if not _TYPED_NUMBER.match(typed):
        return set()
    digits = re.sub(r"[^0-9]", "", typed)
    forms = {digits}
    international = phone_or_none(typed)
    if international is not None:
        forms.add(international)
    if not typed.strip().startswith("+"):
        forms.update(_brazilian_forms(digits))
    return forms


def _brazilian_forms(digits: str) -> set[str]:
    if len(digits) == _BRAZIL_OLD_MOBILE_LENGTH - 2 and digits[0] in _BRAZIL_MOBILE_FIRST_DIGITS:
        return {f"9{digits}"}  # a local mobile without area code, written before the ninth digit
    try:
        number = phonenumbers.parse(digits, "BR")
    except NumberParseException:
        return set()
    national = str(number.national_number)
    with_area_code = (_BRAZIL_OLD_MOBILE_LENGTH, _BRAZIL_OLD_MOBILE_LENGTH + 1)
    if number.country_code != _BRAZIL or len(national) not in with_area_code:
        return set()
    return {phonenumbers.format_number(_with_ninth_digit(number), PhoneNumberFormat.E164).removeprefix("+")}


def _with_ninth_digit(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    national = str(number.national_number)
    if len(national) != _BRAZIL_OLD_MOBILE_LENGTH or national[2] not in _BRAZIL_MOBILE_FIRST_DIGITS:
        return number
    return phonenumbers.PhoneNumber(country_code=_BRAZIL, national_number=int(f"{national[:2]}9{national[2:]}"))
