"""The PCF network end to end (#15 acceptance): a supplier publishes and serves, a cell maker pulls the
supplier's footprint into its database, builds on it, and exports a PACT v3 footprint that carries it.

Supplier: the default separator study, as the supplier runs it with its dichloromethane emission
measured at the stack (that exchange ``primary = true``, and a factor file with the same factor, 1 kg
CH2Cl2 per kg, flagged ``primary``: its own measured factor), so its footprint has a primary data
share above 0 while its numbers stay the default study's (jp-import 0.2079 kg CO2e/m², pinned in
tests/test_engine_equivalence.py). The supplier's primary share by hand: 0.55 g DCM per m² of cast
film × 11.2 (AR6) ÷ 0.70 (base-film yield) ÷ 0.95 (coating yield) = 0.0092632 kg CO2e of
0.2078533 per m² = 4.4566 % (exported rounded: "4.46"). Scenario ``jp-import`` is published (``lca publish --scenario``: one Active footprint of the product id)
into its own SQLite database, a client added (``lca clients add``), served over TLS (``lca serve``,
trustme certificate). Cell maker: ``lca pull --ca-file … --into sqlite:///…/cell.db`` (and once into a
throw-away PostgreSQL), a study that names the separator by product id (``supplier_footprint =
"urn:lca:product:…"``) with ``[factors] received = "sqlite:///cell.db"`` (the database's URL),
``lca export --format pact-v3``.

The cell maker's numbers, by hand (PACT Methodology v3 §4.2.2: a supplier's PCF brings its own
primary data share of its contribution, counted when the exchange's activity data are primary)::

    separator  1.05 m² × 0.2078533453 kg CO2e/m²   = 0.218246012565   (primary = true)
    DCM        0.1 kg × 11.2 kg CO2e/kg (AR6)       = 1.12             (primary = false)
    total                                           = 1.338246012565 kg CO2e per kg of cell part
    primary    0.218246012565 × 4.46 / 100             = 0.009733772      (the supplier's primary part)
    primaryDataShare = 0.009733772 / 1.338246012565 × 100 = 0.7274 %  (exported rounded: "0.73")
"""

from __future__ import annotations

import json
import uuid
import pytest

pytest.importorskip("starlette")
pytest.importorskip("trustme")

from pact_host import Server, Tls  # noqa: E402

PRODUCT = "urn:lca:product:ceramic-coated-wet-pe-separator"
SUPPLIER = "Example Separator Supplier Inc."
SUPPLIER_PCF = "0.2078533453"  # kg CO2e per m², jp-import (WANT_TOTALS 0.2079)
AMOUNT = 1.05  # m² of separator per kg of the cell maker's product
DCM = 0.1 * 11.2  # kg CO2e: 0.1 kg dichloromethane to air × GWP100 AR6 11.2
METERED = '{ flow = "dichloromethane_to_air", amount = "0.55 g", primary = false'
MEASURED = """\
id,flow,name,category,region,value,unit,gas,scope,basis,td_losses,year,status,estimate,source,dq_technological,\
dq_geographical,dq_temporal,unc_dist,citation_quality,primary
measured.dcm-to-air,dichloromethane_to_air,"Dichloromethane to air, measured at the stack",process_emission,GLO,\
1.0,kg/kg,CH2Cl2,direct,stoichiometric,n/a,2025,default,false,Stack measurement 2025 (own data),1,1,1,none,primary,true
"""

CELL_STUDY = """\
[study]
id = "cell-part"
reference_period = { start = 2026-01-01, end = 2026-12-31 }
company_name = "Example Cell Maker"
company_ids = ["urn:lca:company:example-cell-maker"]
product_ids = ["urn:lca:product:cell-part"]

[factors]
received = "sqlite:///cell.db"

[product]
name = "Cell part"
declared_unit = "1 kg"
mass_per_declared_unit = "1 kg"

[[site]]
id = "plant"
country = "US"
grid = "US-SRVC"

[[process]]
id = "assembly"
output = "1 kg"
exchanges = [
  { supplier_footprint = "urn:lca:product:ceramic-coated-wet-pe-separator", amount = "1.05 m^2", primary = true },
  { flow = "dichloromethane_to_air", amount = "0.1 kg" },
]

[[scenario]]
id = "base"
steps = [ { process = "assembly", site = "plant" } ]
"""


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def supplier(tmp_path_factory):
    """The supplier's host: the study published, a client for the cell maker, ``lca serve`` on TLS."""
    from typer.testing import CliRunner

    from lca.cli import app
    from lca.resources import default_study_path

    folder = tmp_path_factory.mktemp("supplier")
    text = default_study_path().read_text(encoding="utf-8")
    assert text.count(METERED) == 1
    study = folder / "separator.toml"
    study.write_text(text.replace(METERED, METERED.replace("primary = false", "primary = true")), encoding="utf-8")
    (folder / "measured.csv").write_text(MEASURED, encoding="utf-8")
    db = f"sqlite:///{folder / 'supplier.db'}"
    run = CliRunner().invoke
    out = ok(run(app, ["publish", str(study), "--factors", str(folder / "measured.csv"), "--scenario", "jp-import",
                       "--db", db,
                       "--created", "2026-06-01T00:00:00Z"])).stdout
    assert "1 new, 0 unchanged, 0 deprecated" in out
    out = ok(run(app, ["clients", "add", "cell-maker", "--db", db])).stdout
    secret = next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("client_secret: "))
    tls = Tls(folder)
    server = Server(db, tls)
    yield {"url": server.url, "secret": secret, "ca": tls.ca, "db": db, "tls": tls, "server": server}
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def cell_db(request, tmp_path):
    """The cell maker's database: (URL to pull into, how its study names it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cell.db'}", "sqlite:///cell.db"  # relative to the study's folder
        return
    from pact_host import PgCluster

    pg = PgCluster()
    yield pg.url, pg.url
    pg.stop()


def test_pull_build_export(supplier, tmp_path, cli, cell_db):
    from lca.exchange.store import Store

    # the cell maker pulls the separator's footprint into its own database (created by the pull)
    into, named = cell_db
    ok(cli("pull", "--from", supplier["url"], "--client-id", "cell-maker", "--client-secret", supplier["secret"],
           "--product-id", PRODUCT, "--ca-file", supplier["ca"], "--into", into))
    store = Store.open(into)
    [theirs] = store.received(product_id=PRODUCT)
    store.close()
    assert theirs["companyName"] == SUPPLIER and theirs["status"] == "Active"
    pcf = theirs["pcf"]
    assert pcf["pcfExcludingBiogenicUptake"] == SUPPLIER_PCF and pcf["declaredUnitOfMeasurement"] == "square meter"
    share = float(pcf["primaryDataShare"])  # the measured DCM emission's part of the supplier's footprint
    assert share == pytest.approx(0.55e-3 * 11.2 / 0.70 / 0.95 / float(SUPPLIER_PCF) * 100, abs=0.005)  # 4.46

    # ... names it by product id in a study whose [factors] received is that database, and exports
    (tmp_path / "cell.toml").write_text(CELL_STUDY.replace("sqlite:///cell.db", named), encoding="utf-8")
    ok(cli("export", str(tmp_path / "cell.toml"), "--format", "pact-v3", "--scenario", "base",
           "--created", "2026-07-01T00:00:00Z", "-o", tmp_path / "cell-pcf.json"))
    doc = json.loads((tmp_path / "cell-pcf.json").read_text(encoding="utf-8"))

    separator = AMOUNT * float(SUPPLIER_PCF)  # 1.05 × 0.2078533453 = 0.218246012565
    total = separator + DCM  # 0.218246012565 + 1.12 = 1.338246012565
    primary = separator * share / 100  # only the supplier's primary part: the DCM amount is an estimate
    assert separator == pytest.approx(0.218246012565, rel=1e-12)
    assert float(doc["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(total, abs=1e-9)
    assert float(doc["pcf"]["primaryDataShare"]) == pytest.approx(primary / total * 100, abs=0.005)
    assert (round(total, 6), round(primary, 6), doc["pcf"]["primaryDataShare"]) == (1.338246, 0.009734, "0.73")
    # the lineage: the supplier footprint's id and company, with its primary data share
    assert f"urn:uuid:{theirs['id']} ({SUPPLIER}" in doc["comment"]
    assert f"primary data share {share:g} %" in doc["comment"]
    assert any(theirs["id"] in s["name"] for s in doc["pcf"]["secondaryEmissionFactorSources"])


def test_request_served_answered_and_taken_from_the_database(supplier, tmp_path, cli):
    """``lca request`` → the supplier's ``lca serve`` → its callback to the cell maker's ``lca serve`` →
    the answer in the cell maker's database, where ``lca request --inbox URL`` waits for it."""
    folder = tmp_path
    cell_db = f"sqlite:///{folder / 'cell.db'}"
    cell_tls = Tls(folder)
    from lca.exchange.store import Store

    # the supplier calls the cell maker back with credentials the cell maker issued it
    secret = "callback-" + uuid.uuid4().hex
    store = Store.open(cell_db)
    store.add_client("supplier-cb", scopes=("events:write",), secret=secret)
    store.close()
    cell = Server(cell_db, cell_tls)
    try:
        # the supplier's server must know the cell maker as a partner: restart it with a partners file
        partners = folder / "partners.toml"
        partners.write_text(f'[[partner]]\nsource = "{cell.url}"\nclient_id = "supplier-cb"\n'
                            f'client_secret = "{secret}"\nca_file = "{cell_tls.ca}"\n', encoding="utf-8")
        sup = Server(supplier["db"], supplier["tls"], partners=partners)
        try:
            result = ok(cli("request", "--from", sup.url, "--client-id", "cell-maker", "--client-secret",
                            supplier["secret"], "--product-id", PRODUCT, "--source", cell.url, "--inbox", cell_db,
                            "--into", cell_db, "--ca-file", supplier["ca"], "--wait-seconds", "60", "--poll", "0.2"))
        finally:
            sup.stop()
    finally:
        cell.stop()
    assert "received 1 footprint(s)" in result.stdout
    store = Store.open(cell_db)
    [theirs] = store.received(product_id=PRODUCT)
    assert theirs["pcf"]["pcfExcludingBiogenicUptake"] == SUPPLIER_PCF
    [req] = [e for e in store.events() if e["type"].endswith("RequestFulfilledEvent.3")]
    assert store.request_answer(req["data"]["requestEventId"]) == req
    store.close()
