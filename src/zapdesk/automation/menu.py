"""The queue menu as the customer sees it, and reading their answer: by number, or by name ignoring case,
accents and a small typo ("suporte", "Suporte", "Supórte", "suprote" and "2" all pick "2 - Suporte").

A typo is forgiven only when it points at one option: "sporte" is as close to "Suporte" as to "Esporte", so it
matches neither and the customer is asked again. Pure functions: the caller renders what it sends.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

BACK: Final = "back"
BACK_NUMBER = 0
BACK_LABEL = "Voltar"
# How alike a typed name must be to an option's (difflib's ratio), and the shortest name a typo may stand for.
_TYPO_RATIO = 0.8
_TYPO_MIN_LENGTH = 4
_NUMBER = re.compile(r"^(?:opcao|op|numero|n)?\s*(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class MenuItem:
    number: int
    label: str
    description: str | None = None


Choice = MenuItem | Literal["back"] | None


def render(items: Sequence[MenuItem], *, back: bool = False) -> str:
    """One line per option, in order ("*2* - Suporte: dúvidas técnicas"), and "*0* - Voltar" under a queue."""
    lines = [
        f"*{item.number}* - {item.label}" + (f": {item.description}" if item.description else "") for item in items
    ]
    if back:
        lines.append(f"*{BACK_NUMBER}* - {BACK_LABEL}")
    return "\n".join(lines)


def with_intro(intro: str | None, options: str) -> str:
    """A text before the options (a greeting, "Opção inválida."), a blank line apart."""
    return f"{intro.strip()}\n\n{options}" if intro and intro.strip() else options


def plain(text: str) -> str:
    """Lower case, without accents or punctuation, single spaces: how answers and names are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w\s]", " ", letters).split())


def choose(items: Sequence[MenuItem], answer: str, *, back: bool = False) -> Choice:
    """The option `answer` picks, `BACK` for "0" under a queue, or None when it picks nothing for sure."""
    said = plain(answer)
    number = _NUMBER.match(said)
    if number is not None:
        wanted = int(number.group(1))
        if back and wanted == BACK_NUMBER:
            return BACK
        return next((item for item in items if item.number == wanted), None)
    if not said:
        return None
    if back and said == plain(BACK_LABEL):
        return BACK
    return _by_name(items, said)


def _by_name(items: Sequence[MenuItem], said: str) -> MenuItem | None:
    names = {item.number: plain(item.label) for item in items}
    exact = [item for item in items if names[item.number] == said]
    if exact:
        return exact[0]
    # "quero falar com o suporte": an option's whole name among the words said, and no other option's.
    words = f" {said} "
    within = [item for item in items if names[item.number] and f" {names[item.number]} " in words]
    if len(within) == 1:
        return within[0]
    return _by_typo(items, names, said)


def _by_typo(items: Sequence[MenuItem], names: dict[int, str], said: str) -> MenuItem | None:
    if len(said) < _TYPO_MIN_LENGTH:
        return None
    scored = sorted(
        ((difflib.SequenceMatcher(None, said, names[item.number]).ratio(), item) for item in items),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored or scored[0][0] < _TYPO_RATIO:
        return None
    if len(scored) > 1 and scored[1][0] >= _TYPO_RATIO and scored[1][0] >= scored[0][0] - 0.05:
        return None  # as close to two options: asking again beats guessing
    return scored[0][1]
