"""The footprint store: versions, no-op republish, migrations = models, clients and tokens,
received footprints (the client-side API), the CLI, and a publish that crashes half-way."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import uuid

import pytest

pytest.importorskip("sqlalchemy")

from pact_host import CREATED, Server, Tls  # noqa: E402

from lca.exchange.filters import Filters  # noqa: E402
from lca.exchange.store import Store, content_hash  # noqa: E402


@pytest.fixture(scope="module")
def docs(default_fp):
    from lca.exchange.publish import documents

    return documents(default_fp, created=CREATED)


def revised(doc, n):
    return {**doc, "comment": f"{doc['comment']} Revision {n}."}


def test_publish_versions_and_noop(tmp_path, docs):
    store = Store.open(tmp_path / "s.db")
    first = store.publish(docs)
    assert len(first.added) == 6 and not first.unchanged and not first.deprecated
    again = store.publish([(s, {**d, "created": "2027-01-01T00:00:00Z"}) for s, d in docs])  # a new stamp only
    assert again.added == [] and sorted(again.unchanged) == sorted(first.added)
    series, doc = docs[0]
    v2 = store.publish([(series, revised(doc, 2))])
    v3 = store.publish([(series, revised(doc, 3))])
    assert v2.deprecated == [doc["id"]] and v3.deprecated == v2.added
    newest = store.get(v3.added[0])
    # every earlier version, oldest first; the earlier ones Deprecated, still served by id
    assert newest["precedingPfIds"] == [doc["id"], v2.added[0]] and newest["status"] == "Active"
    assert store.get(doc["id"])["status"] == store.get(v2.added[0])["status"] == "Deprecated"
    active, _ = store.query(Filters(status=("Active",)))
    assert len(active) == 6 and v3.added[0] in {d["id"] for d in active}
    assert content_hash(newest) == content_hash(revised(doc, 3))  # id/status/precedingPfIds not content


def test_changed_content_under_a_taken_id_gets_a_new_id(tmp_path, docs):
    """Ids track content; a document whose id is taken by other content (e.g. only a [pact] text changed
    while the manifest did not) must not overwrite the stored one."""
    store = Store.open(tmp_path / "s.db")
    series, doc = docs[0]
    store.publish([(series, doc)])
    other = store.publish([("other/series", revised(doc, 9))])
    assert other.added[0] != doc["id"] and store.get(doc["id"])["comment"] == doc["comment"]


def test_models_and_migrations_agree(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from lca.exchange.models import metadata

    store = Store.open(tmp_path / "s.db")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_clients_and_tokens(tmp_path):
    store = Store.open(tmp_path / "s.db")
    secret = store.add_client("acme", name="ACME")
    token, ttl = store.issue_token("acme", secret)
    assert store.check_token(token)[:2] == ("acme", "ok") and ttl == 3600
    assert store.issue_token("acme", "wrong") is None and store.issue_token("nobody", secret) is None
    with sqlite3.connect(tmp_path / "s.db") as conn:  # neither the secret nor the token is stored
        dump = "\n".join(conn.iterdump())
    assert secret not in dump and token not in dump and "scrypt$" in dump
    store.revoke_client("acme")
    assert store.check_token(token) is None and store.issue_token("acme", secret) is None
    with pytest.raises(Exception, match="exists"):
        store.add_client("acme")


def test_received_footprints_api(tmp_path, docs):
    """The interface the client side (lca pull, RequestFulfilled callbacks) stores into."""
    store = Store.open(tmp_path / "s.db")
    _, doc = docs[1]
    fid = store.add_received(doc, source="https://supplier.example")
    assert store.received(footprint_id=fid) == [doc]
    assert store.received(product_id=doc["productIds"][0].upper()) == [doc]  # case-insensitive
    assert store.query()[0] == []  # never served as ours
    store.add_received({**doc, "status": "Deprecated"}, source="https://supplier.example")  # same id: replaced
    assert store.received(footprint_id=fid)[0]["status"] == "Deprecated"
    assert store.received(product_id=doc["productIds"][0], include_deprecated=False) == []
    with pytest.raises(Exception, match="UUID"):
        store.add_received({**doc, "id": "not-a-uuid"})


def test_cli_publish_footprints_clients(tmp_path, cli):
    db = str(tmp_path / "c.db")
    r = cli("publish", "--db", db, "--scenario", "jp-import", "--created", CREATED)
    assert r.exit_code == 0 and "1 new, 0 unchanged, 0 deprecated" in r.stdout
    r = cli("publish", "--db", db, "--scenario", "jp-import")
    assert r.exit_code == 0 and "0 new, 1 unchanged" in r.stdout
    r = cli("footprints", "list", "--db", db, "--format", "json")
    (row,) = json.loads(r.stdout)
    assert row["status"] == "Active" and row["series"] == "separator-na/jp-import"
    assert json.loads(cli("footprints", "show", row["id"], "--db", db).stdout)["id"] == row["id"]
    assert cli("footprints", "deprecate", row["id"], "--db", db).exit_code == 0
    assert json.loads(cli("footprints", "show", row["id"], "--db", db).stdout)["status"] == "Deprecated"
    r = cli("clients", "add", "acme", "--db", db)
    secret = r.stdout.split("client_secret: ")[1].split()[0]
    assert r.exit_code == 0 and len(secret) >= 40
    listed = cli("clients", "list", "--db", db, "--format", "csv").stdout
    assert "acme" in listed and secret not in listed
    assert cli("clients", "revoke", "acme", "--db", db).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["footprints", "show", "00000000-0000-0000-0000-000000000000"], "no footprint with id"),
    (["footprints", "deprecate", "nope"], "no published footprint with id 'nope'"),
    (["clients", "revoke", "nobody"], "no client 'nobody'"),
    (["clients", "add", "bad id!"], "may use only letters"),
    (["publish", "--scenario", "nope"], "--scenario: unknown scenario 'nope'"),
])
def test_cli_errors_are_located(tmp_path, cli, args, message):
    Store.open(tmp_path / "e.db").close()  # an existing store (only publish and clients add create one)
    r = cli(*args, "--db", str(tmp_path / "e.db"))
    assert r.exit_code == 1 and message in r.stderr and "Traceback" not in r.stderr


def test_cli_bad_database_url(tmp_path, cli):
    r = cli("footprints", "list", "--db", "postgresql+psycopg://u:hunter2@127.0.0.1:1/x")
    assert r.exit_code == 1 and "cannot open the database" in r.stderr and "hunter2" not in r.stderr


def test_without_the_server_extra(cli, monkeypatch):
    """lca imports without lca[server]; the commands that need it say how to get it."""
    for name in ("sqlalchemy", "alembic"):
        monkeypatch.setitem(sys.modules, name, None)
    import lca  # noqa: F401  (still importable)

    r = cli("footprints", "list", "--db", "x.db")
    assert r.exit_code == 1 and "install lca[server]" in r.stderr


# ------------------------------------------------------------------ crash in the middle of a publish
CRASH = textwrap.dedent("""
    import json, os, signal, sys
    from lca.exchange.store import Store
    store = Store.open(sys.argv[1])
    items = json.loads(open(sys.argv[2]).read())
    real = Store._insert
    def insert_then_die(self, conn, doc, **kw):   # the old version is already Deprecated in this transaction
        real(self, conn, doc, **kw)
        if sys.argv[3] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError("disk full")
    Store._insert = insert_then_die
    store.publish([tuple(i) for i in items])
""")


@pytest.mark.parametrize("how", ["kill", "exception"])
def test_crash_mid_publish_keeps_the_previous_version_served(tmp_path, docs, how):
    db = str(tmp_path / "crash.db")
    store = Store.open(db)
    store.publish(docs)
    store.add_client("c", secret="s")
    tls = Tls(tmp_path)
    server = Server(db, tls)
    try:
        series, doc = docs[0]
        items = tmp_path / "items.json"
        items.write_text(json.dumps([[series, revised(doc, 2)], [docs[1][0], revised(docs[1][1], 2)]]))
        script = tmp_path / "crash.py"
        script.write_text(CRASH)
        out = subprocess.run([sys.executable, str(script), db, str(items), how], capture_output=True, text=True)
        assert out.returncode != 0  # killed (-9) or the exception
        token = server.token("c", "s")
        with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
            listing = c.get("/3/footprints").json()["data"]
            old = c.get(f"/3/footprints/{doc['id']}")
        assert sorted(d["id"] for d in listing) == sorted(d["id"] for _, d in docs)  # nothing new, nothing lost
        assert old.status_code == 200 and old.json()["data"]["status"] == "Active"
        # the database is consistent: one Active version per series, no orphan keys, SQLite's own check
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("select count(*) from footprint_keys where footprint_id not in "
                                "(select id from footprints)").fetchone() == (0,)
            assert conn.execute("select max(n) from (select count(*) n from footprints where status='Active' "
                                "group by series)").fetchone() == (1,)
        # and the next publish works
        assert len(Store.open(db).publish([(series, revised(doc, 2))]).added) == 1
    finally:
        server.stop()


def test_serve_refuses_bad_tls_and_urls(tmp_path, cli):
    db = str(tmp_path / "s.db")
    Store.open(db).close()  # serve needs an existing store
    r = cli("serve", "--db", db, "--certfile", tmp_path / "none.pem", "--keyfile", tmp_path / "none.pem")
    assert r.exit_code == 1 and "none.pem: file not found" in r.stderr
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    r = cli("serve", "--db", db, "--certfile", junk, "--keyfile", junk)
    assert r.exit_code == 1 and "cannot use this certificate and key" in r.stderr
    r = cli("serve", "--db", db, "--certfile", junk, "--keyfile", junk, "--public-url", "http://x")
    assert r.exit_code == 2 and "https://" in r.stderr
    partners = tmp_path / "p.toml"
    partners.write_text('[[partner]]\nsource = "ftp://x"\nclient_id = "a"\n')
    tls = Tls(tmp_path)
    r = cli("serve", "--db", db, "--certfile", tls.cert, "--keyfile", tls.key, "--partners", partners)
    assert r.exit_code == 1 and "p.toml: partner row 1: a partner needs source" in r.stderr
