"""Hostile and mistyped inputs to the exchange commands (publish, serve, footprints, clients, pull,
request): each is one located error, exit 1, no traceback, no secret in the message."""

from __future__ import annotations

import socket
import sqlite3

import pytest

pytest.importorskip("sqlalchemy")


def refused(result, *words: str) -> str:
    """The error text of a run that must exit 1 with a located message (never an internal error)."""
    text = result.stderr
    assert result.exit_code == 1, (result.exit_code, result.stdout, text)
    assert "internal error" not in text and "Traceback" not in text, text
    for w in words:
        assert w in text, text
    return text


# ------------------------------------------------------------------------------ --db


@pytest.mark.parametrize("args", [["publish"], ["footprints", "list"], ["footprints", "show", "x"],
                                  ["clients", "add", "me"], ["clients", "list"],
                                  ["serve", "--certfile", "c.pem", "--keyfile", "k.pem"]])
def test_a_db_that_is_not_a_database_is_named(tmp_path, cli, args):
    db = tmp_path / "n.db"
    db.write_text("x\n")
    refused(cli(*args, "--db", db), f"{db} is not a database", "fix:")
    assert db.read_text() == "x\n"  # never modified


@pytest.mark.parametrize("args", [["footprints", "list"], ["footprints", "show", "x"], ["footprints", "deprecate", "x"],
                                  ["clients", "list"], ["clients", "revoke", "me"],
                                  ["serve", "--certfile", "c.pem", "--keyfile", "k.pem"]])
@pytest.mark.parametrize("spell", ["path", "url"])
def test_reading_a_missing_db_is_refused_and_creates_nothing(tmp_path, cli, args, spell):
    db = tmp_path / "typo.db"
    refused(cli(*args, "--db", db if spell == "path" else f"sqlite:///{db}"), str(db), "does not exist")
    assert not db.exists() and list(tmp_path.iterdir()) == []


def test_clients_add_creates_a_new_db(tmp_path, cli):
    db = tmp_path / "new.db"
    assert cli("clients", "add", "me", "--db", db).exit_code == 0 and db.is_file()
    assert "me" in cli("clients", "list", "--db", db, "--format", "csv").stdout


def test_a_directory_or_closed_server_as_db(tmp_path, cli):
    refused(cli("clients", "add", "me", "--db", tmp_path), "cannot open the database")
    text = refused(cli("clients", "list", "--db", "postgresql+psycopg://me:hunter2@127.0.0.1:1/pcf"),
                   "cannot open the database")
    assert "hunter2" not in text


# ------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize("url, words", [("https://[::1", "Invalid IPv6 URL"), ("https://x.example:99999", "Port"),
                                        ("https://x.example:port", "not a valid URL")])
def test_malformed_urls_are_located(tmp_path, cli, url, words):
    secret = ["--client-id", "me", "--client-secret", "s3cret"]
    text = refused(cli("pull", "--from", url, *secret, "--into", tmp_path / "in"), "--from", words)
    assert "s3cret" not in text
    refused(cli("request", "--from", "https://x.example", *secret, "--source", url, "--product-id", "urn:x",
                "--inbox", tmp_path / "inbox"), "--source", words)
    db = tmp_path / "pcf.db"
    cli("clients", "add", "me", "--db", db)
    refused(cli("serve", "--db", db, "--certfile", "c.pem", "--keyfile", "k.pem", "--public-url", url),
            "--public-url", words)
    partners = tmp_path / "partners.toml"
    partners.write_text(f'[[partner]]\nsource = "{url}"\nclient_id = "a"\nclient_secret = "s3cret"\n')
    text = refused(cli("serve", "--db", db, "--certfile", "c.pem", "--keyfile", "k.pem", "--partners", partners),
                   f"{partners}: partner row 1, column 'source'", words)
    assert "s3cret" not in text


def test_another_programs_database_is_left_unchanged(tmp_path, cli):
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (x)")
    before = db.read_bytes()
    refused(cli("clients", "add", "me", "--db", db), "another program's database (tables notes)")
    assert db.read_bytes() == before


def test_serve_on_an_address_or_port_it_cannot_use(tmp_path, cli):
    db = tmp_path / "pcf.db"
    cli("clients", "add", "me", "--db", db)
    tls = ["--certfile", tmp_path / "c.pem", "--keyfile", tmp_path / "k.pem"]  # checked after the address
    refused(cli("serve", "--db", db, *tls, "--host", "192.0.2.1", "--port", "8443"), "cannot listen on 192.0.2.1:8443",
            "column '--host/--port'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused(cli("serve", "--db", db, *tls, "--port", str(port)), f"cannot listen on 127.0.0.1:{port}")


def test_pull_into_a_file_is_refused_before_fetching(tmp_path, cli):
    into = tmp_path / "afile"
    into.write_text("x")
    refused(cli("pull", "--from", "https://127.0.0.1:1", "--client-id", "me", "--client-secret", "s",
                "--into", into), f"{into}: --into: is a file, not a folder")
    assert into.read_text() == "x"


def test_a_folder_that_cannot_be_made_stores_nothing(tmp_path):
    from lca.errors import StudyError
    from lca.exchange.received import FolderFootprints
    from tests.test_supplier_footprints import FOOTPRINT

    (tmp_path / "afile").write_text("x")
    with pytest.raises(StudyError, match="cannot make the folder of received footprints"):
        FolderFootprints(tmp_path / "afile" / "in").put(FOOTPRINT)
