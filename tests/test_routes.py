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


def _route_rows() -> list[tuple[str, str, str, str, str, str]]:
    """``(from, to, leg, mode, distance, unit)`` of every leg of the default study's routes."""
    doc = tomllib.loads(_default_text())
    return [(r["from"], r["to"], str(m), leg["mode"], *leg["distance"].split())
            for r in doc["route"] for m, leg in enumerate(r["legs"], 1)]


def _csv(rows) -> str:
    return "from,to,leg,mode,distance,unit\n" + "".join(",".join(r) + "\n" for r in rows)


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
    i = next(k for k, r in enumerate(rows) if r[:2] + r[3:4] == ("moriyama", "charlotte", "container_ship"))
    rows[i] = ("moriyamma", *rows[i][1:])
    path = _study(tmp_path, rows)
    problems = _problems(path)
    typo = [p for p in problems if "unknown site 'moriyamma'" in p.message]
    assert [(Path(p.file).name, p.table, p.row, p.column) for p in typo] == [("routes.csv", "routes", i + 1, "from")]
    r = cli("validate", path)
    assert r.exit_code == 1 and "routes.csv" in r.stdout + r.stderr and "moriyamma" in r.stdout + r.stderr


@pytest.mark.parametrize("bad,column,words", [
    (("jiangsu", "nowhere", "1", "truck", "10", "km"), "to", "unknown site 'nowhere'"),
    (("jiangsu", "hyuga", "1", "truck", "10", "kg"), "unit", "not a distance"),
    (("jiangsu", "hyuga", "1", "truck", "10", "MBtu"), "unit", "MBtu"),
    (("jiangsu", "hyuga", "1", "Truck!", "10", "km"), "mode", "wrong form"),
    (("jiangsu", "hyuga", "1", "truck", "1e999", "km"), "distance", "finite"),
])
def test_an_unused_route_row_is_checked_too(tmp_path, bad, column, words):
    problems = _problems(_study(tmp_path, _route_rows() + [bad]))
    n = len(_route_rows()) + 1
    assert any(p.row == n and p.column == column and words in p.message and p.file.endswith("routes.csv")
               for p in problems), problems


def test_an_unused_route_with_an_unknown_mode_fails_at_compute(tmp_path):
    path = _study(tmp_path, _route_rows() + [("jiangsu", "hyuga", "1", "hovercraft", "10", "km")])
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
    text = _default_text().replace('{ mode = "truck", distance = "170 km"', '{ mode = "truck", distance = "170 kg"')
    text = text.replace('from = "charlotte"\nto = "holland"', 'from = "charlote"\nto = "holland"')
    with pytest.raises(LcaInputError) as err:
        lca.study_from_dict(tomllib.loads(text), base=lca.default_study_path().parent, file="s.toml")
    got = {(p.table, p.column) for p in err.value.problems}
    assert ("route #4 (charlotte → liberty) leg #1", "distance") in got
    assert ("route #5 (charlote → holland)", "from") in got


def test_an_inline_route_defined_twice_names_both():
    # the legs' own keys (source, ratings) follow the distance: only the route's ends are edited
    text = _default_text().replace('to = "holland"\nlegs = [ { mode = "truck", distance = "1190 km"',
                                   'to = "liberty"\nlegs = [ { mode = "truck", distance = "1190 km"')
    with pytest.raises(LcaInputError, match=r"route charlotte → liberty is defined twice: route #4 and route #5"):
        lca.study_from_dict(tomllib.loads(text), base=lca.default_study_path().parent)


def test_frames_routes_are_checked_like_a_table_file():
    from lca.study.frames import study_from_frames

    doc = tomllib.loads(_default_text())
    rows = _route_rows()
    routes = pl.DataFrame(rows, schema=["from", "to", "leg", "mode", "distance", "unit"], orient="row")
    kw = dict(study={k: v for k, v in doc["study"].items()}, product=doc["product"], sites=doc["site"],
              processes=pl.DataFrame([{k: v for k, v in p.items() if k not in ("exchanges", "waste", "packaging")}
                                      for p in doc["process"]]),
              exchanges=[{"process": p["id"], **x, "amount": float(x["amount"].split()[0]),
                          "unit": x["amount"].split()[1]} for p in doc["process"] for x in p["exchanges"]],
              scenarios=doc["scenario"])
    good = lca.compute(study_from_frames(routes=routes, **kw)).totals()
    # 0.18240 before #13: + HDPE default, inbound legs of materials, electricity basis and LNG (frames carry
    # no waste or shipped packaging)
    assert good.filter(pl.col("scenario") == "charlotte-coated")["value"][0] == pytest.approx(0.19156, abs=5e-5)
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


# ------------------------------------------------- review finding 3: a route's legs are numbered 1…n

def _load_problems(path: Path) -> list:
    with pytest.raises(LcaInputError) as err:
        lca.load_study(path)
    return err.value.problems


def test_a_row_moved_to_another_route_is_an_error_not_a_moved_leg(tmp_path, cli):
    """Before: changing row 3 `moriyama,charlotte,…,truck,430` to `moriyama,liberty,…` made it a leg of the
    liberty route (its rows stayed consecutive): jp-import transport 0.004033 → 0.004642 and Charlotte
    0.002821 → 0.002416, silently, and `lca validate` said ok."""
    rows = _route_rows()
    assert rows[2][:4] == ("moriyama", "charlotte", "3", "truck") and rows[3][:3] == ("moriyama", "liberty", "1")
    rows[2] = ("moriyama", "liberty", *rows[2][2:])
    path = _study(tmp_path, rows)
    got = [(Path(p.file).name, p.table, p.row, p.column, p.message) for p in _load_problems(path)]
    assert got == [("routes.csv", "routes", 3, "leg", "the legs of route moriyama → liberty are numbered 3, 1, 2, 3 "
                                                      "in rows 3, 4, 5, 6: it starts at leg 3")]
    r = cli("validate", path)
    assert r.exit_code == 1 and "numbered 3, 1, 2, 3" in r.stdout + r.stderr


@pytest.mark.parametrize("legs,row,why", [
    (("1", "2", "4"), 6, "leg 3 is missing"),
    (("1", "2", "2"), 6, "leg 2 appears twice"),
    (("2", "3", "4"), 4, "it starts at leg 2"),
    (("1", "3", "2"), 5, "the legs are not in travel order"),
])
def test_a_routes_legs_are_numbered_one_to_n_in_row_order(tmp_path, legs, row, why):
    rows = _route_rows()
    assert [r[:3] for r in rows[3:6]] == [("moriyama", "liberty", str(k)) for k in (1, 2, 3)]
    for i, k in zip(range(3, 6), legs):
        rows[i] = (*rows[i][:2], k, *rows[i][3:])
    problems = _load_problems(_study(tmp_path, rows))
    assert [(Path(p.file).name, p.row, p.column) for p in problems] == [("routes.csv", row, "leg")]
    msg = problems[0].message
    assert msg == f"the legs of route moriyama → liberty are numbered {', '.join(legs)} in rows 4, 5, 6: {why}"
    assert "travel order" in problems[0].hint


def test_the_leg_column_is_required_and_says_why(tmp_path):
    path = _study(tmp_path)
    text = (tmp_path / "routes.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "routes.csv").write_text("".join(",".join(c for i, c in enumerate(line.split(",")) if i != 2) + "\n"
                                                 for line in text), encoding="utf-8")
    problems = _load_problems(path)
    assert [(Path(p.file).name, p.column, p.message) for p in problems] == [
        ("routes.csv", "leg", "missing required column 'leg'")]
    assert "1, 2, … in travel order" in problems[0].hint and "route's ends" in problems[0].hint


@pytest.mark.parametrize("leg,words", [("0", "must be >= 1"), ("1.5", "whole number"), ("", "missing")])
def test_a_leg_number_is_a_whole_number_from_one(tmp_path, leg, words):
    rows = _route_rows()
    rows[0] = (*rows[0][:2], leg, *rows[0][3:])
    problems = _load_problems(_study(tmp_path, rows))
    assert any(p.row == 1 and p.column == "leg" and words in p.message for p in problems), problems


def test_inline_routes_keep_their_array_order():
    s = lca.load_study(lca.default_study_path())
    legs = s.routes.filter((pl.col("from_site") == "moriyama") & (pl.col("to_site") == "charlotte"))
    assert legs.select("leg", "mode", "distance").rows() == [(1, "truck", 100.0), (2, "container_ship", 17800.0),
                                                             (3, "truck", 430.0)]


# ------------------------------------------- review finding 3: a route no scenario can use is a warning

def test_a_route_no_scenario_can_use_is_a_warning(tmp_path, cli, default_fp):
    """hyuga → liberty: no transport element leaves hyuga (neither to liberty nor to the cell plant)."""
    assert not any("route" in w for w in default_fp.warnings)  # every default route can be used
    rows = _route_rows() + [("hyuga", "liberty", "1", "truck", "10", "km"), ("hyuga", "liberty", "2", "truck", "5", "km")]
    path = _study(tmp_path, rows)
    fp = lca.compute(lca.load_study(path))
    n = len(_route_rows())
    want = (f"routes.csv rows {n + 1}-{n + 2}: route hyuga → liberty is used by no transport element of any "
            "scenario (none goes from 'hyuga' to 'liberty' or from 'hyuga' to the cell plant); check its ends")
    assert [w for w in fp.warnings if "route" in w] == [want]
    assert fp.totals().equals(default_fp.totals())
    r = cli("run", path)
    assert r.exit_code == 0 and "route hyuga → liberty is used by no transport element" in r.stderr


def test_a_route_usable_for_another_cell_plant_is_no_warning(tmp_path):
    """jiangsu → hyuga serves cn-import if the cell plant is hyuga (`to = "cell_plant"` from jiangsu)."""
    path = _study(tmp_path, _route_rows() + [("jiangsu", "hyuga", "1", "truck", "10", "km")])
    assert not any("route" in w for w in lca.compute(lca.load_study(path)).warnings)


def test_an_unused_inline_route_is_a_warning_naming_the_entry():
    text = _default_text() + '\n[[route]]\nfrom = "hyuga"\nto = "holland"\nlegs = [ { mode = "truck", distance = "9 km" } ]\n'
    doc = tomllib.loads(text)
    fp = lca.compute(lca.study_from_dict(doc, base=lca.default_study_path().parent, file="s.toml"))
    n = len(doc["route"])
    assert [w for w in fp.warnings if "route" in w] == [
        f"route #{n} (hyuga → holland): route hyuga → holland is used by no transport element of any scenario "
        "(none goes from 'hyuga' to 'holland' or from 'hyuga' to the cell plant); check its ends"]
