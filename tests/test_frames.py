"""Studies from frames (no files): same results as the TOML route, clear errors, thread safety."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest

STUDY = {"id": "film-demo", "reference_period": {"start": "2025-01-01", "end": "2025-12-31"},
         "company_name": "Demo Inc.", "company_ids": ["urn:lca:company:demo"],
         "product_ids": ["urn:lca:product:film"], "product_category_cpc": "36390"}
PRODUCT = {"name": "PE base film", "declared_unit": "1 m^2", "mass_per_declared_unit": "5.5 g"}
SITES = pl.DataFrame({"id": ["plant"], "name": ["Moriyama"], "country": ["JP"], "grid": ["JP-KANSAI"],
                      "grid_fallback": ["country"]})
PROCESSES = pl.DataFrame({"id": ["film"], "output": ["1 m^2"], "yield": [0.7]})
EXCHANGES = pl.DataFrame({"process": ["film", "film"], "flow": ["hdpe_resin", "electricity"],
                          "amount": [5.5, 0.14], "unit": ["g", "kWh"]})
SCENARIOS = [{"id": "base", "steps": [{"process": "film", "site": "plant"}]}]


def build(**over):
    from lca.study.frames import study_from_frames

    kw = dict(study=STUDY, product=PRODUCT, sites=SITES, processes=PROCESSES, exchanges=EXCHANGES,
              scenarios=SCENARIOS)
    return study_from_frames(**{**kw, **over})


def test_frames_equal_the_toml_study():
    import lca
    from pathlib import Path

    toml = Path(__file__).resolve().parent / "data" / "validate" / "good" / "study.toml"
    a = lca.compute(build()).totals()
    b = lca.compute(lca.load_study(toml)).totals()
    assert a.select("scenario", "value", "unit").equals(b.select("scenario", "value", "unit"))


def test_lists_of_dicts_work_too():
    import lca

    s = build(sites=SITES.to_dicts(), exchanges=EXCHANGES.to_dicts(), processes=PROCESSES.to_dicts())
    assert lca.compute(s).total("base").value == pytest.approx(lca.compute(build()).total("base").value)


def test_hand_computed_resin_contribution():
    """Resin 5.5 g / 0.7 yield × the shipped HDPE factor (kg CO2e/kg)."""
    import lca

    fp = lca.compute(build())
    row = fp.detail.filter(pl.col("flow") == "hdpe_resin")
    assert row["value"].sum() == pytest.approx(5.5e-3 / 0.7 * row["factor_value"][0])


def test_bad_frames_name_table_row_column():
    from lca.errors import LcaInputError

    bad_sites = SITES.with_columns(pl.lit("Japan").alias("country"))
    bad_ex = EXCHANGES.with_columns(pl.Series("amount", [5.5, -1.0]))
    with pytest.raises(LcaInputError) as err:
        build(sites=bad_sites, exchanges=bad_ex)
    got = {(p.table, p.row, p.column) for p in err.value.problems}
    assert got == {("sites", 1, "country"), ("exchanges", 2, "amount")}


def test_unknown_process_in_exchanges():
    from lca.errors import LcaInputError

    ex = pl.concat([EXCHANGES, pl.DataFrame({"process": ["ghost"], "flow": ["boehmite"], "amount": [1.0],
                                             "unit": ["g"]})])
    with pytest.raises(LcaInputError, match="unknown process 'ghost'"):
        build(exchanges=ex)


def test_threads_give_identical_results():
    """No global state: four threads computing and exporting at once agree with a serial run."""
    import lca

    def job(_):
        fp = lca.compute(build())
        return lca.export_pact(fp, "v3", "base", created="2026-01-01T00:00:00Z"), fp.totals()

    serial = job(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(job, range(8)))
    for doc, totals in results:
        assert doc == serial[0] and totals.equals(serial[1])


@pytest.mark.parametrize("table, frame, column", [
    ("sites", SITES.rename({"grid": "gird"}), "gird"),
    ("processes", PROCESSES.rename({"yield": "yeild"}), "yeild"),
    ("exchanges", EXCHANGES.with_columns(pl.lit(None, pl.String).alias("factr")), "factr"),
])
def test_an_unknown_column_is_refused_not_dropped(table, frame, column):
    """A typo'd column used to be dropped: 'yeild' computed with yield 1, 'gird' with the country grid."""
    from lca.errors import SchemaError

    with pytest.raises(SchemaError) as err:
        build(**{table: frame})
    (p,) = err.value.problems
    assert (p.table, p.column, p.message) == (table, column, f"unknown column '{column}'")
    assert "allowed columns:" in p.hint


@pytest.mark.parametrize("over, table, message", [
    ({"sites": None}, "sites", "no sites table given"),
    ({"exchanges": None}, "exchanges", "no exchanges table given"),
    ({"study": "film-demo"}, "study", "study must be a mapping (the [study] section as a dict), got str"),
    ({"method": "AR6"}, "method", "method must be a mapping (the [method] section as a dict), got str"),
    ({"scenarios": {"id": "base"}}, "scenario", "scenarios must be a list of dicts (the [[scenario]] entries)"),
    ({"scenarios": ["base"]}, "scenario", "scenarios must be a list of dicts (the [[scenario]] entries)"),
])
def test_arguments_of_the_wrong_kind_are_a_located_error_not_a_crash(over, table, message):
    from lca.errors import StudyError

    with pytest.raises(StudyError) as err:
        build(**over)
    (p,) = err.value.problems
    assert (p.table, p.message) == (table, message)


@pytest.mark.parametrize("doc, tables, message", [
    ([{"study": {}}], None, "a study must be a table of sections (a dict), got list"),
    (None, None, "a study must be a table of sections (a dict), got NoneType"),
    ("tiny", {"sites": [{"id": "plant", "country": "JP"}]}, "tables['sites'] must be a polars DataFrame, got list"),
])
def test_study_from_dict_refuses_what_is_not_a_study_with_a_located_error(doc, tables, message, tiny_doc, tiny_path):
    from lca.errors import StudyError
    from lca.study import study_from_dict

    with pytest.raises(StudyError) as err:
        study_from_dict(tiny_doc if doc == "tiny" else doc, base=tiny_path.parent, file="request.json", tables=tables)
    (p,) = err.value.problems
    assert (p.file, p.message) == ("request.json", message)


def _ncma_as_frames(doc: dict, *, parameters_as_table: bool) -> dict:
    """The NCMA fixture's TOML document as study_from_frames arguments: processes, exchanges,
    co-products, allocation and parameters as tables (amounts as written: quantities and expressions)."""
    procs, ex, co, alloc = [], [], [], []
    for p in doc["process"]:
        procs.append({k: p[k] for k in ("id", "name", "stage", "output", "output_mass", "yield") if k in p})
        ex += [{"process": p["id"], **x} for x in p.get("exchanges", [])]
        co += [{"process": p["id"], "output": c["id"], **{k: v for k, v in c.items() if k != "id"}}
               for c in p.get("coproducts", [])]
        if "allocation" in p:
            alloc.append({"process": p["id"], **p["allocation"]})
    params = doc["parameters"]
    if parameters_as_table:
        rows = []
        for name, spec in params.items():
            if isinstance(spec, dict):
                rows.append({"name": name, **spec})
            elif any(n in spec for n in params if n != name):
                rows.append({"name": name, "expression": spec})
            else:
                rows.append({"name": name, "value": spec})
        params = rows
    routes = [{"from": r["from"], "to": r["to"], "leg": i, "mode": leg["mode"],
               "distance": float(leg["distance"].split()[0]), "unit": leg["distance"].split()[1]}
              for r in doc["route"] for i, leg in enumerate(r["legs"], 1)]
    return dict(study=doc["study"], product=doc["product"], sites=doc["site"], processes=procs, exchanges=ex,
                coproducts=co, allocation=alloc, parameters=params, scenarios=doc["scenario"], routes=routes,
                method=doc["method"], comparison=doc["comparison"], factors=doc["factors"], views=doc["view"],
                stages=doc["stage"], profile=doc["profile"])


@pytest.mark.parametrize("parameters_as_table", [False, True])
def test_coproducts_allocation_and_parameters_from_frames_equal_the_toml_study(monkeypatch, parameters_as_table):
    """The NCMA fixture (an economically allocated co-product, expressions of [parameters]) built
    from tables gives the TOML study's result rows, allocation and parameters."""
    import tomllib
    from pathlib import Path

    import lca
    from lca.study.frames import study_from_frames
    from test_engine_equivalence import assert_same_detail

    path = Path(__file__).resolve().parent / "data" / "ncma" / "study.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    monkeypatch.chdir(path.parent)  # factors.files are relative to the working directory
    frames = study_from_frames(**_ncma_as_frames(doc, parameters_as_table=parameters_as_table))
    toml = lca.load_study(path)
    assert frames.allocation.equals(toml.allocation)
    assert frames.coproducts.drop("origin").equals(toml.coproducts.drop("origin"))
    assert frames.parameters.equals(toml.parameters)
    assert frames.expressions.drop("table").equals(toml.expressions.drop("table"))
    # (route legs from a routes table are named by its rows, not by [[route]] entries)
    assert_same_detail(lca.compute(frames).detail.drop("origin"), lca.compute(toml).detail.drop("origin"))


def test_study_frames_pass_back_in(monkeypatch):
    """A study's own coproducts / allocation / parameters frames are accepted as they are."""
    import tomllib
    from pathlib import Path

    import lca
    from lca.study.frames import study_from_frames

    path = Path(__file__).resolve().parent / "data" / "ncma" / "study.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    monkeypatch.chdir(path.parent)
    toml = lca.load_study(path)
    args = _ncma_as_frames(doc, parameters_as_table=True)
    again = study_from_frames(**{**args, "coproducts": toml.coproducts, "allocation": toml.allocation,
                                 "parameters": toml.parameters})
    assert again.allocation.equals(toml.allocation) and again.parameters.equals(toml.parameters)
    assert lca.compute(again).total("korea").value == pytest.approx(lca.compute(toml).total("korea").value,
                                                                    rel=1e-12)


def test_bad_coproduct_allocation_and_parameter_tables_are_located():
    from lca.errors import LcaInputError

    with pytest.raises(LcaInputError) as err:
        build(coproducts=[{"process": "film", "output": "trim", "amount": 1.0, "unit": "g", "colour": "red"}],
              allocation=[{"process": "nope", "method": "mass", "reason": "r"}],
              parameters=[{"name": "x", "valu": 1.0}])
    got = sorted((p.table, p.column, p.message) for p in err.value.problems)
    assert got == [("coproducts", "colour", "unknown column 'colour'"),
                   ("parameters", "valu", "unknown column 'valu'")]
    with pytest.raises(LcaInputError) as err:
        build(coproducts=[{"process": "film", "output": "trim", "amount": 1.0, "unit": "g"}],
              allocation=[{"process": "nope", "method": "mass", "reason": "r"}])
    assert [(p.table, p.row, p.column) for p in err.value.problems] == [("allocation", 1, "process")]
    with pytest.raises(LcaInputError) as err:  # a co-product without allocation: the study's own check
        build(coproducts=[{"process": "film", "output": "trim", "amount": 1.0, "unit": "g"}])
    assert err.value.problems[0].table == "process 'film'" and err.value.problems[0].column == "allocation"


def test_an_exchange_amount_may_be_an_expression_of_parameters():
    """areal 5.5 g/m² ⇒ resin "areal * 1 m^2" = 5.5 g: the film study's numbers; areal 11 g/m²: more."""
    import lca

    ex = pl.DataFrame({"process": ["film", "film"], "flow": ["hdpe_resin", "electricity"],
                       "amount": ["areal * 1 m^2", "0.14"], "unit": [None, "kWh"]})
    s = build(exchanges=ex, parameters={"areal": "5.5 g/m^2"})
    assert s.exchanges.select("amount", "unit").rows()[0] == (pytest.approx(5.5), "g")
    assert lca.compute(s).total("base").value == pytest.approx(lca.compute(build()).total("base").value, rel=1e-12)
    heavier = lca.build_model(s).evaluate({"parameter.areal": "11 g/m^2"})
    assert heavier.total("base").value > lca.compute(build()).total("base").value


def test_every_parameter_of_study_from_frames_is_documented():
    """docs/api.md "study_from_frames: every parameter": the signature and one table row per keyword."""
    import inspect
    import re
    from pathlib import Path

    from lca.study.frames import study_from_frames

    doc = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    section = re.search(r"## `study_from_frames`: every parameter\n(.*?)\n## ", doc, flags=re.S).group(1)
    rows = set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))
    assert rows == set(inspect.signature(study_from_frames).parameters)
