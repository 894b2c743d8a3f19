"""Routes (issue #10 item 5): every leg of every route checked at load, used or not; one definition
per route; a route table's rows are its legs, together and in order; modes checked against the
factor library at compute time; the frames path checked the same way."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

import lca
from lca.errors import LcaInputError

ROUTE_BLOCK = re.compile(r"\[\[route\]\]\nfrom = .*?\nto = .*?\nlegs = (?:\[[^\n]*\]|\[\n.*?\n\])[^\n]*\n", re.S)


def _default_text() -> str:
    return lca.default_study_path().read_text(encoding="utf-8")


def _route_rows() -> list[tuple[str, str, str, str, str]]:
    doc = tomllib.loads(_default_text())
    return [(r["from"], r["to"], leg["mode"], *leg["distance"].split()) for r in doc["route"] for leg in r["legs"]]


def _csv(rows) -> str:
    return "from,to,mode,distance,unit\n" + "".join(",".join(r) + "\n" for r in rows)


def _study(tmp_path: Path, rows=None, *, keep_inline: bool = False) -> Path:
    """The default study with its routes in routes.csv (``rows``, default: the same legs)."""
    text = _default_text()
    if not keep_inline:
        text, n = ROUTE_BLOCK.subn("", text)
        assert n == len(tomllib.loads(_default_text())["route"])
    text = text.replace("[method]", '[tables]\nroutes = "routes.csv"\n\n[method]', 1)
    (tmp_path / "routes.csv").write_text(_csv(_route_rows() if rows is None else rows), encoding="utf-8")
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list:
    with pytest.raises(LcaInputError) as err:
        lca.compute(lca.load_study(path))
    return err.value.problems


def test_routes_from_a_table_equal_the_inline_routes(tmp_path, default_fp):
    fp = lca.compute(lca.load_study(_study(tmp_path)))
    assert fp.totals().select("scenario", "value").equals(default_fp.totals().select("scenario", "value"))


def test_a_route_inline_and_in_the_table_is_an_error_naming_both(tmp_path):
    """Before: the legs were appended and travelled twice (transport doubled, validate said ok)."""
    problems = _problems(_study(tmp_path, keep_inline=True))
    first = next(p for p in problems if "moriyama → charlotte" in p.message)
    assert "defined twice" in first.message and "route #1" in first.message
    assert "rows 1-3 of routes.csv" in first.message and first.file.endswith("study.toml")


def test_a_typo_in_one_row_of_a_used_route_is_an_unknown_site(tmp_path, cli):
    """Before: moriyamma → charlotte became a route of its own; Charlotte's transport lost a leg."""
    rows = _route_rows()
    i = next(k for k, r in enumerate(rows) if r[:3] == ("moriyama", "charlotte", "container_ship"))
    rows[i] = ("moriyamma", *rows[i][1:])
    path = _study(tmp_path, rows)
    problems = _problems(path)
    typo = [p for p in problems if "unknown site 'moriyamma'" in p.message]
    assert [(Path(p.file).name, p.table, p.row, p.column) for p in typo] == [("routes.csv", "routes", i + 1, "from")]
    r = cli("validate", path)
    assert r.exit_code == 1 and "routes.csv" in r.stdout + r.stderr and "moriyamma" in r.stdout + r.stderr


@pytest.mark.parametrize("bad,column,words", [
    (("jiangsu", "nowhere", "truck", "10", "km"), "to", "unknown site 'nowhere'"),
    (("jiangsu", "hyuga", "truck", "10", "kg"), "unit", "not a distance"),
    (("jiangsu", "hyuga", "truck", "10", "MBtu"), "unit", "MBtu"),
    (("jiangsu", "hyuga", "Truck!", "10", "km"), "mode", "wrong form"),
    (("jiangsu", "hyuga", "truck", "1e999", "km"), "distance", "finite"),
])
def test_an_unused_route_row_is_checked_too(tmp_path, bad, column, words):
    problems = _problems(_study(tmp_path, _route_rows() + [bad]))
    n = len(_route_rows()) + 1
    assert any(p.row == n and p.column == column and words in p.message and p.file.endswith("routes.csv")
               for p in problems), problems


def test_an_unused_route_with_an_unknown_mode_fails_at_compute(tmp_path):
    path = _study(tmp_path, _route_rows() + [("jiangsu", "hyuga", "hovercraft", "10", "km")])
    study = lca.load_study(path)  # the mode is well-formed; the library decides if it exists
    with pytest.raises(LcaInputError) as err:
        lca.compute(study)
    p = err.value.problems[0]
    assert (Path(p.file).name, p.row, p.column) == ("routes.csv", len(_route_rows()) + 1, "mode")
    assert "hovercraft" in p.message and "container_ship" in p.hint


def test_a_routes_legs_must_be_consecutive_rows(tmp_path):
    rows = _route_rows()
    moved = rows.pop(1)  # the ship leg of moriyama → charlotte, moved to the end
    problems = _problems(_study(tmp_path, rows + [moved]))
    assert any("not in consecutive rows" in p.message and "moriyama → charlotte" in p.message for p in problems)


def test_inline_route_problems_are_located():
    text = _default_text().replace('{ mode = "truck", distance = "170 km" }', '{ mode = "truck", distance = "170 kg" }')
    text = text.replace('from = "charlotte"\nto = "holland"', 'from = "charlote"\nto = "holland"')
    with pytest.raises(LcaInputError) as err:
        lca.study_from_dict(tomllib.loads(text), base=lca.default_study_path().parent, file="s.toml")
    got = {(p.table, p.column) for p in err.value.problems}
    assert ("route #4 (charlotte → liberty) leg #1", "distance") in got
    assert ("route #5 (charlote → holland)", "from") in got


def test_an_inline_route_defined_twice_names_both():
    text = _default_text().replace('to = "holland"\nlegs = [ { mode = "truck", distance = "1190 km" } ]',
                                   'to = "liberty"\nlegs = [ { mode = "truck", distance = "1190 km" } ]')
    with pytest.raises(LcaInputError, match=r"route charlotte → liberty is defined twice: route #4 and route #5"):
        lca.study_from_dict(tomllib.loads(text), base=lca.default_study_path().parent)


def test_frames_routes_are_checked_like_a_table_file():
    from lca.frames import study_from_frames

    doc = tomllib.loads(_default_text())
    rows = _route_rows()
    routes = pl.DataFrame(rows, schema=["from", "to", "mode", "distance", "unit"], orient="row")
    kw = dict(study={k: v for k, v in doc["study"].items()}, product=doc["product"], sites=doc["site"],
              processes=pl.DataFrame([{k: v for k, v in p.items() if k != "exchanges"} for p in doc["process"]]),
              exchanges=[{"process": p["id"], **x, "amount": float(x["amount"].split()[0]),
                          "unit": x["amount"].split()[1]} for p in doc["process"] for x in p["exchanges"]],
              scenarios=doc["scenario"])
    good = lca.compute(study_from_frames(routes=routes, **kw)).totals()
    assert good.filter(pl.col("scenario") == "charlotte-coated")["value"][0] == pytest.approx(0.18240, abs=5e-5)
    bad = routes.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("moriyamma"))
                              .otherwise(pl.col("from")).alias("from"))
    with pytest.raises(LcaInputError) as err:
        study_from_frames(routes=bad, **kw)
    got = [(p.file, p.table, p.row, p.column) for p in err.value.problems]
    assert ("frames", "routes", 2, "from") in got and ("frames", "routes", 3, None) in got  # typo, broken route


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_the_order_of_routes_in_the_table_changes_nothing(tmp_path_factory, default_fp, seed):
    import random

    rows = _route_rows()
    groups: dict[tuple[str, str], list] = {}
    for r in rows:
        groups.setdefault(r[:2], []).append(r)
    order = list(groups)
    random.Random(seed).shuffle(order)
    path = _study(tmp_path_factory.mktemp("routes"), [r for k in order for r in groups[k]])
    got = lca.compute(lca.load_study(path)).totals().get_column("value").to_list()
    assert got == pytest.approx(default_fp.totals().get_column("value").to_list(), rel=1e-12)
