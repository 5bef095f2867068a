"""How SQLite's word index is asked: every word typed, in any of its forms, each a prefix."""

from __future__ import annotations

from zapdesk.db.fulltext import fts_query


def test_every_word_is_asked_for_in_each_of_its_forms_as_a_prefix() -> None:
    assert fts_query("AÇÃO pedidos") == '("acaes"* OR "acao"* OR "acoes"*) AND ("pedido"*)'


def test_short_words_are_left_out_unless_there_is_nothing_else() -> None:
    assert fts_query("o pedido de troca") == '("pedido"*) AND ("troca"*)'
    assert fts_query("ok") == '("ok"*)'


def test_punctuation_separates_words_as_the_index_does_and_cannot_break_the_query() -> None:
    assert fts_query("98888-7777") == '("98888 7777"*)'
    assert fts_query('"boleto" OR NEAR(x*') == '("boleto"*) AND ("near x"*)'
    assert fts_query("%%% ---") is None
