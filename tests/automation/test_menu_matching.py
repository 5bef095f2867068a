"""Reading an answer to the menu: by number or name, ignoring case and accents, forgiving a typo that points
at one option only."""

from __future__ import annotations

import pytest

from zapdesk.automation.menu import BACK, MenuItem, choose, render

ITEMS = [MenuItem(1, "Vendas"), MenuItem(2, "Suporte", "dúvidas técnicas"), MenuItem(3, "Manutenção")]


@pytest.mark.parametrize(
    "answer", ["2", "2.", " 2 ", "opção 2", "suporte", "Suporte", "SUPÓRTE", "suprote", "quero falar com o suporte"]
)
def test_suporte_is_picked_by_number_or_by_name(answer: str) -> None:
    assert choose(ITEMS, answer) == ITEMS[1]


def test_accents_are_ignored_both_ways() -> None:
    assert choose(ITEMS, "manutencao") == ITEMS[2]


@pytest.mark.parametrize("answer", ["9", "0", "", "oi", "sup", "vendas e suporte"])
def test_an_answer_that_picks_nothing_for_sure_picks_nothing(answer: str) -> None:
    assert choose(ITEMS, answer) is None


def test_a_typo_as_close_to_two_options_picks_neither() -> None:
    items = [MenuItem(1, "Suporte"), MenuItem(2, "Esporte")]

    assert choose(items, "sporte") is None
    assert choose(items, "suporte") == items[0]


def test_0_goes_back_only_under_a_queue() -> None:
    assert choose(ITEMS, "0", back=True) == BACK
    assert choose(ITEMS, "voltar", back=True) == BACK
    assert choose(ITEMS, "0") is None


def test_the_menu_reads_one_option_a_line() -> None:
    assert render(ITEMS, back=True) == ("*1* - Vendas\n*2* - Suporte: dúvidas técnicas\n*3* - Manutenção\n*0* - Voltar")
