"""Content addressing (issue #10, item 11): PACT ids and the manifest hash change iff the content changes.

Content = the study's data (validated frames and settings), the factor rows used, the method and
the engine version. Not content: file names, folders, the path a study is named by, the order of
rows in a table file, whether the study came from a file or from frames.
"""

from __future__ import annotations

import copy
import random
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lca
from lca.study import study_from_dict

TINY = Path(__file__).resolve().parent / "data" / "tiny"
CREATED = "2026-01-01T00:00:00Z"
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def ids(fp: lca.Footprint) -> list[str]:
    """The PACT v3 ids of every scenario (methodology checks off: the tiny study names no company)."""
    return [d["id"] for d in lca.export_pact(fp, "v3", created=CREATED, check=False)]


def _tiny_text() -> str:
    return (TINY / "study.toml").read_text(encoding="utf-8")


def _write_tiny(folder: Path, name: str = "study.toml", text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "factors.csv").write_text((TINY / "factors.csv").read_text(encoding="utf-8"), encoding="utf-8")
    path = folder / name
    path.write_text(text if text is not None else _tiny_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_ids(tiny_fp):
    return ids(tiny_fp), tiny_fp.manifest()["manifest_hash"]


# ------------------------------------------------------------------------ content changes → new id

def test_in_memory_change_of_activity_data_changes_ids(tiny_fp, tiny_ids):
    """Was: the hash covered file bytes only, so an in-memory edit kept the old id."""
    s = tiny_fp.study
    ex = s.exchanges.with_columns(pl.when(pl.col("flow") == "tiny_resin").then(pl.col("amount") * 1.5)
                                  .otherwise(pl.col("amount")).alias("amount"))
    fp = lca.compute(replace(s, exchanges=ex))
    new_ids = ids(fp)
    assert fp.total("one-site").value != tiny_fp.total("one-site").value
    assert set(new_ids).isdisjoint(tiny_ids[0])
    assert fp.manifest()["manifest_hash"] != tiny_ids[1]


def test_declared_unit_change_in_a_dict_study_changes_ids(tiny_doc, tiny_ids):
    """Was: a study built from a dict hashed to an empty inputs map: every dict study had one id."""
    a = lca.compute(study_from_dict(tiny_doc, base=TINY, file="a"))
    doc = copy.deepcopy(tiny_doc)
    doc["product"]["declared_unit"], doc["product"]["mass_per_declared_unit"] = "2 m^2", "20 g"
    b = lca.compute(study_from_dict(doc, base=TINY, file="a"))
    assert ids(a) == tiny_ids[0]  # the same content as the file: the same ids
    assert set(ids(b)).isdisjoint(ids(a))


_AMOUNTS = [(0, 0), (0, 1), (0, 2), (1, 1)]  # (process, exchange) of every flow exchange of the tiny study
_BIGGER = {"kWh": "MWh", "g": "kg", "MJ": "GJ"}


@SETTINGS
@given(what=st.sampled_from(["amount", "factor", "leg", "gwp", "rule", "td", "yield", "declared_unit", "unit"]),
       pick=st.integers(min_value=0, max_value=50),
       k=st.sampled_from([0.5, 1.001, 1.5, 3.0]))
def test_ids_change_when_content_changes(tiny_doc, what, pick, k):
    """Perturbing one amount, one factor used or one method switch gives new ids for every scenario."""
    base = lca.compute(study_from_dict(tiny_doc, base=TINY, file="t"))
    doc = copy.deepcopy(tiny_doc)
    factors = []
    if what == "amount":
        p, e = _AMOUNTS[pick % len(_AMOUNTS)]
        x = doc["process"][p]["exchanges"][e]
        value, unit = x["amount"].split(" ", 1)
        x["amount"] = f"{float(value) * k!r} {unit}"
    elif what == "leg":
        leg = doc["scenario"][pick % 2]["transport"][0]["legs"][0]
        value, unit = leg["distance"].split(" ", 1)
        leg["distance"] = f"{float(value) * k!r} {unit}"
    elif what == "yield":
        doc["process"][pick % 2]["yield"] *= min(k, 1.0)
        if k >= 1:
            doc["process"][pick % 2]["yield"] = 0.45
    elif what == "declared_unit":
        doc["product"]["declared_unit"] = f"{k!r} m^2"
    elif what == "unit":  # the same number in a unit of another size: a real change (amounts are hashed in SI)
        p, e = _AMOUNTS[pick % len(_AMOUNTS)]
        x = doc["process"][p]["exchanges"][e]
        value, unit = x["amount"].split(" ", 1)
        x["amount"] = f"{value} {_BIGGER[unit]}"
    elif what in ("gwp", "rule", "td"):
        key, value = {"gwp": ("gwp", "AR5"), "rule": ("electricity_rule", "national"),
                      # #13: T&D losses are the point of the electricity basis (the tiny study's is generation)
                      "td": ("electricity_basis", "combustion-consumption-CO2e")}[what]
        doc.setdefault("method", {})[key] = value
    else:  # one factor row that the result uses, replaced by a user layer with another value
        used = sorted(base.detail.get_column("factor_id").unique().to_list())
        fid = used[pick % len(used)]
        row = base.library.factors.filter(pl.col("id") == fid).select(lca.factors.FACTOR_COLUMNS)
        factors = [row.with_columns(pl.col("value") * k)]
    fp = lca.compute(study_from_dict(doc, base=TINY, file="t"), factors=factors)
    assert fp.manifest()["manifest_hash"] != base.manifest()["manifest_hash"]
    assert set(ids(fp)).isdisjoint(ids(base))


def test_an_unused_factor_row_is_not_content(tiny_fp, tiny_ids):
    """The 2020 vintage of the national grid factor is not used: changing it keeps the ids."""
    assert "tiny.power.zz.2020" not in tiny_fp.detail.get_column("factor_id").to_list()
    row = tiny_fp.library.factors.filter(pl.col("id") == "tiny.power.zz.2020").select(lca.factors.FACTOR_COLUMNS)
    fp = lca.compute(tiny_fp.study, factors=[row.with_columns(pl.col("value") * 7)])
    assert ids(fp) == tiny_ids[0]


# ---------------------------------------------------------------- no content change → same id

def test_the_same_file_named_by_other_paths_has_the_same_ids(tmp_path, monkeypatch, tiny_ids):
    """Was: `s.toml`, `dir/s.toml` and the absolute path gave three ids (factor layer paths were hashed)."""
    path = _write_tiny(tmp_path / "dir", "s.toml")
    monkeypatch.chdir(tmp_path)
    got = {name: ids(lca.compute(lca.load_study(name))) for name in ("dir/s.toml", str(path))}
    monkeypatch.chdir(tmp_path / "dir")
    got["s.toml"] = ids(lca.compute(lca.load_study("s.toml")))
    assert got["s.toml"] == got["dir/s.toml"] == got[str(path)] == tiny_ids[0]


def _exchange_table_variant(folder: Path, seed: int) -> Path:
    """The tiny study with its exchanges and sites in table files, rows shuffled by ``seed``."""
    doc = tomllib.loads(_tiny_text())
    rows = []
    for p in doc["process"]:
        for x in p.pop("exchanges"):
            value, unit = (x["amount"].split(" ", 1) if "amount" in x else (None, None))
            rows.append({"process": p["id"], "flow": x.get("flow"), "input": x.get("input"),
                         "amount": value, "unit": unit})
    sites = doc.pop("site")
    rng = random.Random(seed)
    rng.shuffle(rows)
    rng.shuffle(sites)
    folder.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_csv(folder / "ex.csv")
    pl.DataFrame([{"id": s["id"], "name": s["name"], "country": s["country"], "grid": s.get("grid")}
                  for s in sites]).write_csv(folder / "places.csv")
    text = _tiny_text()
    head, rest = text.split("[[site]]", 1)
    body = "[[process]]" + rest.split("[[process]]", 1)[1]
    import re

    body = re.sub(r"exchanges = \[.*?\n\]\n", "", body, flags=re.S)
    text = head.replace("[factors]", '[tables]\nexchanges = "ex.csv"\nsites = "places.csv"\n\n[factors]') + body
    return _write_tiny(folder, f"renamed-{seed}.toml", text)


@SETTINGS
@given(seed=st.integers(min_value=0, max_value=10_000), depth=st.integers(min_value=0, max_value=3))
def test_ids_ignore_file_names_folders_and_row_order(tiny_ids, seed, depth):
    """Moving the data into table files, shuffling their rows, renaming and moving the study: same ids."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp).joinpath(*[f"d{i}" for i in range(depth)])
        path = _exchange_table_variant(folder, seed)
        fp = lca.compute(lca.load_study(path))
        assert fp.total("two-step").value == pytest.approx(1.62474, rel=1e-12)  # by hand: tests/test_tiny_study.py
        assert ids(fp) == tiny_ids[0]
        assert fp.manifest()["manifest_hash"] == tiny_ids[1]


def test_a_study_rebuilt_from_frames_has_the_ids_of_its_file(tiny_fp, tiny_ids):
    from lca.study.frames import study_from_frames

    s = tiny_fp.study
    doc = tomllib.loads(_tiny_text())
    processes = pl.DataFrame([{k: p.get(k) for k in ("id", "name", "stage", "output", "output_mass", "yield")}
                              for p in doc["process"]])
    rebuilt = study_from_frames(
        study={**doc["study"]}, product=doc["product"], method=doc["method"], sites=s.sites, processes=processes,
        exchanges=s.exchanges.select("process", "flow", "input", "amount", "unit", "stage", "factor"),
        scenarios=doc["scenario"], views=doc["view"])
    factors = lca.factors.read_factor_file(TINY / "factors.csv")
    fp = lca.compute(rebuilt, factors=[factors])
    assert ids(fp) == tiny_ids[0]
    assert fp.manifest()["content"] == tiny_fp.manifest()["content"]


# ------------------------------------------------------------------ no local path in any output

def test_no_absolute_path_in_exports_reports_or_manifests(tmp_path, cli):
    """Was: factor layers were named by path, so the report and manifest printed the user's folders."""
    import json

    doc = tomllib.loads(_tiny_text())
    text = _tiny_text().replace('cell_plant = "plant"', 'cell_plant = "plant"\ncompany_name = "T"\n'
                                'company_ids = ["urn:x:c"]\nproduct_ids = ["urn:x:p"]\nproduct_category_cpc = "1"')
    assert doc["study"]["id"] == "tiny"
    study = _write_tiny(tmp_path / "private-x9" / "folder", "s.toml", text)
    extra = tmp_path / "other-y7" / "more.csv"
    extra.parent.mkdir()
    extra.write_text((TINY / "factors.csv").read_text(encoding="utf-8").replace("0.5,kg_CO2e/kWh", "0.6,kg_CO2e/kWh"),
                     encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    runs = [("export", "--format", fmt, "-o", out / f"x.{fmt}") for fmt in ("pact-v2", "pact-v3", "csv", "json")]
    runs += [("export", "--format", "csv", "--table", "inventory", "-o", out / "inv.csv"),
             ("report", "-o", out / "r.html"), ("run", "--format", "json")]
    texts = []
    for args in runs:
        r = cli(args[0], study, *args[1:], "--factors", extra, *(("--created", CREATED) if args[0] == "export" else ()))
        assert r.exit_code == 0, r.output
        if "-o" not in args:  # (a "wrote <path>" message on the terminal is not an output)
            texts.append(r.output)
    texts += [p.read_text(encoding="utf-8") for p in out.iterdir()]
    fp = lca.compute(lca.load_study(study), factors=[extra])
    texts.append(json.dumps(fp.manifest()))
    for t in texts:
        for leak in (str(tmp_path), "private-x9", "other-y7"):
            at = t.find(leak)
            assert at < 0, t[max(0, at - 200):at + 100]
    assert fp.manifest()["factor_library"]["layers"] == ["shipped", "factors.csv", "more.csv"]


# ------------------------------------------------------- equal quantities in other units → same id

#: Spellings of one quantity, SI base value of one unit of each (exact definitions).
EQUIVALENT = {"[mass]": {"g": 1e-3, "kg": 1.0, "mg": 1e-6, "t": 1e3, "lb": 0.45359237},
              "[energy]": {"kWh": 3.6e6, "MJ": 1e6, "Wh": 3600.0, "kJ": 1e3, "GJ": 1e9, "MMBtu": 1055.05585262e6},
              "[length]": {"km": 1e3, "m": 1.0, "mi": 1609.344, "nmi": 1852.0},
              "[area]": {"m^2": 1.0, "cm^2": 1e-4, "ft^2": 0.09290304}}
_FAMILY = {u: fam for fam, units in EQUIVALENT.items() for u in units}


def _respell(text: str, target: str) -> str:
    """``"10 g"`` as the same quantity in ``target`` units (``"0.01 kg"``)."""
    value, unit = text.split(" ", 1)
    fam = EQUIVALENT[_FAMILY[unit]]
    return f"{float(value) * fam[unit] / fam[target]!r} {target}"


@SETTINGS
@given(data=st.data())
def test_equal_quantities_in_other_units_give_the_same_ids(tiny_doc, tiny_ids, data):
    """Was: "5.5 g" and "0.0055 kg" gave different ids for identical numbers. Every amount, output,
    distance and [product] quantity of the tiny study rewritten in another unit of its dimension."""
    doc = copy.deepcopy(tiny_doc)

    def pick(text: str) -> str:
        unit = text.split(" ", 1)[1]
        return _respell(text, data.draw(st.sampled_from(sorted(EQUIVALENT[_FAMILY[unit]]))))

    for proc in doc["process"]:
        proc["output_mass"] = pick(proc["output_mass"])
        proc["output"] = pick(proc["output"])
        for x in proc["exchanges"]:
            if "flow" in x:
                x["amount"] = pick(x["amount"])
    for sc in doc["scenario"]:
        for t in sc.get("transport", []):
            for leg in t["legs"]:
                leg["distance"] = pick(leg["distance"])
    doc["product"]["mass_per_declared_unit"] = pick(doc["product"]["mass_per_declared_unit"])
    doc["pact"] = {"fossil_carbon_content": pick("4 g")}
    ref = copy.deepcopy(tiny_doc)
    ref["pact"] = {"fossil_carbon_content": "4 g"}
    a = lca.compute(study_from_dict(ref, base=TINY, file="t"))
    b = lca.compute(study_from_dict(doc, base=TINY, file="t"))
    assert b.total("two-step").value == pytest.approx(a.total("two-step").value, rel=1e-12)
    assert ids(b) == ids(a)
    assert b.manifest()["manifest_hash"] == a.manifest()["manifest_hash"]


def test_the_reviews_example_5_5_g_and_0_0055_kg_give_the_same_ids(default_study):
    ex = default_study.exchanges
    hdpe = pl.col("flow") == "hdpe_resin"
    assert ex.filter(hdpe).select("amount", "unit").rows() == [(5.5, "g")]
    same = replace(default_study, exchanges=ex.with_columns(pl.when(hdpe).then(0.0055).otherwise(pl.col("amount"))
                                                            .alias("amount"),
                                                            pl.when(hdpe).then(pl.lit("kg")).otherwise(pl.col("unit"))
                                                            .alias("unit")))
    assert lca.results.content.study_hash(same) == lca.results.content.study_hash(default_study)


def test_a_unit_of_another_dimension_with_the_same_si_value_changes_the_hash(tiny_fp):
    """1 kg and 1 m are both 1 in SI base units: the dimension is part of the hash."""
    s = tiny_fp.study
    grams = s.exchanges.filter(pl.col("unit") == "g").height
    assert grams
    moved = replace(s, exchanges=s.exchanges.with_columns(pl.col("unit").replace({"g": "mm"})))
    assert lca.results.content.study_hash(moved) != lca.results.content.study_hash(s)
