"""How search reads what was typed: folded (no case, no accents), as words, singular or plural."""

from __future__ import annotations

import pytest

from zapdesk.db.folding import fold, word_forms


def test_folding_takes_off_case_and_accents() -> None:
    assert fold("AÇÃO Conceição Araújo") == "acao conceicao araujo"


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("pedidos", "meu pedido chegou"),
        ("pedido", "meus pedidos chegaram"),
        ("acoes", "uma acao urgente"),
        ("acao", "as acoes da loja"),
        ("papeis", "o papel do boleto"),
        ("papel", "os papeis"),
        ("animais", "um animal"),
        ("viagens", "a viagem"),
        ("bom", "bons dias"),
        ("flores", "uma flor"),
        ("clientes", "o cliente"),
    ],
)
def test_a_word_finds_its_singular_and_its_plural(typed: str, text: str) -> None:
    assert any(form in text for form in word_forms(fold(typed))), word_forms(fold(typed))


@pytest.mark.parametrize(("typed", "text"), [("dias", "o dia"), ("pedidos", "o pedágio"), ("4471", "pedido 447")])
def test_short_plurals_numbers_and_other_words_are_not_stretched(typed: str, text: str) -> None:
    assert not any(form in fold(text) for form in word_forms(fold(typed)))
