"""The database store as received footprints (#15): a database URL names it wherever a folder may be
named — ``[factors] received``, ``--received``, ``lca pull --into`` — with the same answers as a folder.

The study and its supplier footprint are those of tests/test_supplier_footprints.py (total 4.12 kg
CO2e by hand: 2 m² × 1.5 + 0.1 kg DCM × 11.2).
"""

from __future__ import annotations

import copy
import json
import uuid

import pytest

pytest.importorskip("sqlalchemy")

import lca  # noqa: E402
from lca.errors import StudyError  # noqa: E402
from lca.exchange import StoreFootprints  # noqa: E402
from lca.exchange.store import Store  # noqa: E402
from test_supplier_footprints import FOOTPRINT, PF_ID, TOTAL, problems_of, write  # noqa: E402

PRODUCT = "urn:lca:product:film"


def filled(path) -> str:
    """An SQLite store at ``path`` holding FOOTPRINT as received; its URL."""
    url = f"sqlite:///{path}"
    StoreFootprints(url, create=True).put(FOOTPRINT)
    return url


@pytest.mark.parametrize("ref", [f"urn:uuid:{PF_ID}", PF_ID.upper(), PRODUCT])
def test_a_study_reads_supplier_footprints_from_a_database(tmp_path, ref):
    """``[factors] received = "sqlite:///received.db"``: a relative path is the study's folder's, like a folder."""
    filled(tmp_path / "received.db")
    study = write(tmp_path, ref=ref, factors='[factors]\nreceived = "sqlite:///received.db"\n')
    fp = lca.compute(lca.load_study(study))
    assert fp.total("base").value == pytest.approx(TOTAL, rel=1e-12)
    assert fp.study.supplier_footprints.row(0, named=True)["pf_id"] == PF_ID


def test_received_option_takes_a_url_on_the_command_line(tmp_path, cli):
    url = filled(tmp_path / "elsewhere.db")
    study = write(tmp_path, ref=PRODUCT)
    result = cli("run", study, "--received", url, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert sum(r["value"] for r in json.loads(result.stdout)) == pytest.approx(TOTAL, rel=1e-12)  # 3.0 + 1.12


def test_a_missing_database_is_a_located_error_and_is_not_created(tmp_path):
    study = write(tmp_path, ref=PRODUCT, factors='[factors]\nreceived = "sqlite:///nowhere.db"\n')
    with pytest.raises(StudyError) as exc:
        lca.load_study(study)
    assert "the database of received footprints does not exist" in problems_of(exc)
    assert "nowhere.db" in problems_of(exc)
    assert not (tmp_path / "nowhere.db").exists()


def test_a_partners_api_url_is_not_a_store(tmp_path):
    study = write(tmp_path, ref=PRODUCT, factors='[factors]\nreceived = "https://pcf.supplier.example"\n')
    with pytest.raises(StudyError) as exc:
        lca.load_study(study)
    [p] = [p for p in exc.value.problems if p.column == "received"]
    assert (p.table, p.column) == ("factors", "received") and "lca pull" in p.hint


def test_put_keeps_one_content_per_id_but_takes_a_new_status(tmp_path):
    """Like a folder, an id names one content; a partner's later status (Deprecated) replaces the copy."""
    store = StoreFootprints(f"sqlite:///{tmp_path / 'r.db'}", create=True)
    assert store.put(FOOTPRINT) == PF_ID
    assert store.put(FOOTPRINT) == PF_ID  # the same again: fine
    deprecated = {**FOOTPRINT, "status": "Deprecated"}
    store.put(deprecated)
    assert store.get(PF_ID) == deprecated and store.by_product(PRODUCT) == [deprecated]
    other = copy.deepcopy(FOOTPRINT)
    other["pcf"]["pcfExcludingBiogenicUptake"] = "3.5"
    with pytest.raises(StudyError, match="already stored with different content"):
        store.put(other)
    assert store.get(PF_ID) == deprecated


def test_two_active_footprints_of_a_product_are_ambiguous_in_a_database_too(tmp_path):
    url = filled(tmp_path / "received.db")
    StoreFootprints(url).put({**FOOTPRINT, "id": str(uuid.uuid4())})
    study = write(tmp_path, ref=PRODUCT, factors=f'[factors]\nreceived = "{url}"\n')
    with pytest.raises(StudyError) as exc:
        lca.load_study(study)
    assert "has 2 Active footprints" in problems_of(exc) and "received.db" in problems_of(exc)


def test_published_footprints_are_not_supplier_footprints(tmp_path):
    """The store's own (published) footprints are never looked up as a supplier's."""
    store = Store.open(tmp_path / "pcf.db")
    store.publish([("s/base", {**FOOTPRINT})])
    store.close()
    reader = StoreFootprints(f"sqlite:///{tmp_path / 'pcf.db'}")
    assert reader.get(PF_ID) is None and reader.by_product(PRODUCT) == []


def test_the_label_hides_a_password():
    assert "s3cret" not in StoreFootprints("postgresql+psycopg://u:s3cret@db.example/pcf").label
