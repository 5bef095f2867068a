"""The one template engine: `{{variable}}`s filled, unknown ones left visible, unbalanced braces refused."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from zapdesk.templates.engine import TemplateText, render, unbalanced_at, variables_in

TEMPLATE: TypeAdapter[str] = TypeAdapter(TemplateText)


def test_known_variables_are_filled_with_or_without_spaces_inside_the_braces() -> None:
    assert render("Olá, {{first_name}}! Protocolo {{ protocol }}.", {"first_name": "Ana", "protocol": "42"}) == (
        "Olá, Ana! Protocolo 42."
    )


def test_an_unknown_variable_stays_visible_as_written() -> None:
    assert render("Seu pedido {{ pedido }} saiu, {{name}}.", {"name": "Ana"}) == "Seu pedido {{ pedido }} saiu, Ana."


def test_single_braces_are_plain_text() -> None:
    assert render('{"a": 1} :-}', {"a": "x"}) == '{"a": 1} :-}'
    assert unbalanced_at('{"a": 1} :-}') is None


def test_variables_in_lists_each_once_in_order() -> None:
    assert variables_in("{{name}} {{agent}} {{name}}") == ["name", "agent"]


@pytest.mark.parametrize(
    ("template", "position"),
    [("Olá {{name", 4), ("Olá name}}", 8), ("{{a {{b}}", 0), ("{{nome\ncompleto}}", 0)],
)
def test_braces_that_do_not_pair_up_are_refused_where_they_start(template: str, position: int) -> None:
    assert unbalanced_at(template) == position
    with pytest.raises(ValidationError) as raised:
        TEMPLATE.validate_python(template)
    (error,) = raised.value.errors()
    assert (error["type"], error["ctx"]) == ("template_unbalanced", {"position": position + 1})
