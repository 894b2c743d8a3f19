"""One home per choice set: the CLI options, the table schemas, the JSON Schema, the study loader,
``lca validate`` and the docs all take their values from :mod:`lca.choices` (and agree with it)."""

from __future__ import annotations

import enum
import inspect
import typing
from pathlib import Path

import pytest

from lca import choices

ROOT = Path(__file__).resolve().parents[1]
SETS = {name: value for name, value in vars(choices).items() if name.isupper() and isinstance(value, tuple)}


def _commands(typer_app, prefix=""):
    for info in typer_app.registered_commands:
        yield f"{prefix}{info.name or info.callback.__name__}", info.callback
    for group in typer_app.registered_groups:
        yield from _commands(group.typer_instance, f"{prefix}{group.name} ")


def _enums(annotation) -> list[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [e for arg in typing.get_args(annotation) for e in _enums(arg)]


def test_every_set_says_where_it_is_written_and_the_docs_page_is_generated_from_them():
    assert set(choices.WHERE) == set(SETS)
    page = (ROOT / "docs" / "choices.md").read_text(encoding="utf-8")
    assert page == choices.markdown(), "docs/choices.md is stale: python -m lca.choices > docs/choices.md"


def test_every_cli_choice_is_a_choice_set():
    from lca.cli import app

    seen = set()
    for name, callback in _commands(app):
        for param in inspect.signature(callback, eval_str=True).parameters.values():
            for e in _enums(param.annotation):
                values = tuple(m.value for m in e)
                assert values in SETS.values(), f"lca {name} --{param.name}: {values} is not a set of lca.choices"
                seen.add(values)
    # the method switches and views are offered wherever a study is computed
    assert {choices.GWP_SETS, choices.ELECTRICITY_RULES, choices.TD_LOSSES, choices.VIEWS} <= seen


def test_every_schema_choice_is_a_choice_set():
    import lca.schemas as schemas

    models = [m for m in vars(schemas).values() if isinstance(m, type) and issubclass(m, schemas.Base)
              and m is not schemas.Base]
    found = set()
    for model in models:
        for column, col in model.to_schema().columns.items():
            for check in col.checks:
                if check.name == "isin":
                    allowed = tuple(check.statistics["allowed_values"])
                    assert allowed in SETS.values(), f"{model.__name__}.{column}: {allowed}"
                    found.add(allowed)
    assert {choices.GASES, choices.CATEGORIES, choices.SCOPES, choices.GWP_SETS, choices.GRID_FALLBACKS} <= found


def test_every_json_schema_enum_is_a_choice_set():
    from lca.validation.jsonschema import study_schema, table_schemas

    def enums(node):
        if isinstance(node, dict):
            if "enum" in node:
                yield tuple(v for v in node["enum"] if v is not None)
            for value in node.values():
                yield from enums(value)
        elif isinstance(node, list):
            for value in node:
                yield from enums(value)

    found = list(enums([study_schema(), *table_schemas().values()]))
    assert found and all(e in SETS.values() for e in found), [e for e in found if e not in SETS.values()]
    assert {choices.GWP_SETS, choices.ELECTRICITY_RULES, choices.TD_LOSSES} <= set(found)


@pytest.mark.parametrize("key, value, hint", [
    ("gwp", "AR7", "use AR6, AR5 or AR4"),
    ("electricity_rule", "residual", "use location, market or national"),
    ("td_losses", "maybe", "use excluded or included"),
])
def test_the_study_loader_offers_the_choice_sets(key, value, hint):
    from lca.errors import StudyError
    from lca.study import Method
    from lca.study.model import _check_method

    with pytest.raises(StudyError) as info:
        _check_method(Method(**{key: value}), "s.toml")
    assert [p.hint for p in info.value.problems] == [hint]


def test_validate_skips_the_stages_it_offers():
    from lca.validation.study import SKIPPABLE

    assert tuple(SKIPPABLE) == choices.VALIDATE_SKIPPABLE


def test_one_seed_and_iteration_count_for_every_monte_carlo_run():
    from lca.cli import app
    from lca.uncertainty import DEFAULT_SEED, run_uncertainty

    assert DEFAULT_SEED == choices.DEFAULT_SEED
    api = inspect.signature(run_uncertainty).parameters
    assert (api["iterations"].default, api["seed"].default) == (choices.DEFAULT_ITERATIONS, choices.DEFAULT_SEED)
    for name, callback in _commands(app):
        params = inspect.signature(callback, eval_str=True).parameters
        for option, default in (("seed", choices.DEFAULT_SEED), ("iterations", choices.DEFAULT_ITERATIONS)):
            if option in params:
                value = params[option].default
                value = getattr(value, "default", value)  # an old-style typer.Option(...) default
                assert value == default, f"lca {name} --{option} defaults to {value}"
