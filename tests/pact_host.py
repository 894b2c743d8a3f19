"""Test helpers for the PACT v3 host: a throw-away TLS certificate (trustme), a throw-away
PostgreSQL cluster (Debian's binaries), a fake partner that receives callbacks, and a real
``lca serve`` in a subprocess. Used by tests/test_pact_conformance.py and the other exchange tests."""

from __future__ import annotations

import glob
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACT_DIR = Path(os.environ.get("LCA_PACT_DIR", REPO.parent / "shared" / "reference" / "pact"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openapi_validator(pointer: str):
    """A jsonschema validator for ``#/components/schemas/…`` (or any pointer) of the official v3 OpenAPI."""
    path = PACT_DIR / "openapi-3.0.3.yaml"
    if not path.is_file():
        pytest.skip(f"official PACT OpenAPI file not found at {path} (set LCA_PACT_DIR)")
    import jsonschema
    import yaml
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    registry = Registry().with_resource("urn:pact", Resource.from_contents(doc, default_specification=DRAFT202012))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"urn:pact#{pointer}"}
    return jsonschema.Draft202012Validator(schema, registry=registry,
                                           format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def schema_errors(validator, doc) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]


class Tls:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost."""

    def __init__(self, folder: Path):
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca = folder / "ca.pem"
        self.cert = folder / "cert.pem"
        self.key = folder / "key.pem"
        ca.cert_pem.write_to_path(str(self.ca))
        cert.cert_chain_pems[0].write_to_path(str(self.cert))
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(str(self.cert), append=True)
        cert.private_key_pem.write_to_path(str(self.key))


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PgCluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (initdb + pg_ctl; as user postgres when run as root)."""

    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            pytest.skip("PostgreSQL binaries (initdb) not found: the pact host suite on PostgreSQL needs "
                        "Debian's postgresql package (.ci/run installs it)")
        self.dir = Path(tempfile.mkdtemp(prefix="lca-pg-"))
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self.data = data
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE lca")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/lca"

    def _run(self, tool: str, *args: str) -> None:
        out = subprocess.run([*self.as_user, str(self.bin / tool), *args], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{tool} failed: {out.stdout}\n{out.stderr}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class FakePartner:
    """A partner on plain HTTP at 127.0.0.1: ``/auth/token`` for fixed credentials, and ``/3/events``
    putting every event it receives (with its Authorization header) on ``self.events``."""

    CLIENT_ID, CLIENT_SECRET = "test_client_id", "test_client_secret"

    def __init__(self):
        self.events: queue.Queue = queue.Queue()
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path == "/auth/token":
                    import base64

                    expected = "Basic " + base64.b64encode(
                        f"{partner.CLIENT_ID}:{partner.CLIENT_SECRET}".encode()).decode()
                    ok = self.headers.get("authorization") == expected and b"grant_type=client_credentials" in body
                    self._answer(200 if ok else 401, {"access_token": "partner-token"} if ok else {"error": "invalid_client"})
                elif self.path == "/3/events":
                    partner.events.put({"auth": self.headers.get("authorization"),
                                        "content_type": self.headers.get("content-type"),
                                        "event": json.loads(body)})
                    self._answer(200, None)
                else:
                    self._answer(404, {"code": "NotFound", "message": "no"})

            def _answer(self, status, obj):
                data = b"" if obj is None else json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def partners_file(self, folder: Path) -> Path:
        path = folder / "partners.toml"
        path.write_text(f'[[partner]]\nsource = "{self.url}"\nclient_id = "{self.CLIENT_ID}"\n'
                        f'client_secret = "{self.CLIENT_SECRET}"\n', encoding="utf-8")
        return path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Server:
    """``lca serve`` in a subprocess; started when its log says the application is up."""

    def __init__(self, db: str, tls: Tls, *, partners: Path | None = None, token_ttl: int = 3600,
                 host: str = "127.0.0.1"):
        self.port = free_port()
        self.url = f"https://{host}:{self.port}"
        cmd = [sys.executable, "-m", "lca.cli", "serve", "--db", db, "--host", host, "--port", str(self.port),
               "--certfile", str(tls.cert), "--keyfile", str(tls.key), "--public-url", self.url,
               "--token-ttl", str(token_ttl)]
        if partners is not None:
            cmd += ["--partners", str(partners)]
        self.tls = tls
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.log: list[str] = []
        for line in self.proc.stdout:  # blocks until uvicorn says it is up (or the process ends)
            self.log.append(line)
            if "Uvicorn running on" in line:  # logged once the socket is bound
                break
        else:
            raise RuntimeError("lca serve did not start:\n" + "".join(self.log))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line)

    def client(self, **kw):
        import httpx

        import ssl

        return httpx.Client(base_url=self.url, verify=ssl.create_default_context(cafile=str(self.tls.ca)),
                            timeout=30, **kw)

    def token(self, client_id: str, secret: str) -> str:
        with self.client() as c:
            r = c.post("/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


CREATED = "2026-01-01T00:00:00Z"
CLIENT_ID, CLIENT_SECRET = "lca-client", "lca-secret"


class Host:
    """A running host: the default study published (6 footprints, one of them in a second version,
    so 7 served, one Deprecated), a client, a fake partner for callbacks, and ``lca serve``."""

    def __init__(self, folder: Path, backend: str, fp, *, token_ttl: int = 3600):
        from lca.exchange.publish import documents
        from lca.exchange.store import Store

        self.pg = PgCluster() if backend == "postgresql" else None
        self.db = self.pg.url if self.pg else str(folder / "pcf.db")
        self.tls = Tls(folder)
        store = Store.open(self.db)
        items = documents(fp, created=CREATED)
        store.publish(items)
        series, doc = items[-1]
        changed = {**doc, "comment": doc["comment"] + " Revised."}
        self.first_version = store.publish([(series, changed)])
        store.add_client(CLIENT_ID, secret=CLIENT_SECRET)
        store.close()
        self.partner = FakePartner()
        self.callbacks: dict[str, dict] = {}
        try:
            self.server = Server(self.db, self.tls, partners=self.partner.partners_file(folder), token_ttl=token_ttl)
        except Exception:
            self.close_partner_and_db()
            raise
        self.url = self.server.url
        self.access_token = self.server.token(CLIENT_ID, CLIENT_SECRET)

    def client(self, token: str | None = "default"):
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {self.access_token if token == 'default' else token}"
        return self.server.client(headers=headers)

    def callback(self, request_event_id: str, timeout: float = 30) -> dict:
        """The callback answering ``request_event_id``, waiting (blocking on the queue) until it arrives."""
        while request_event_id not in self.callbacks:
            got = self.partner.events.get(timeout=timeout)
            self.callbacks[got["event"].get("data", {}).get("requestEventId")] = got
        return self.callbacks[request_event_id]

    def close_partner_and_db(self) -> None:
        self.partner.close()
        if self.pg is not None:
            self.pg.stop()

    def close(self) -> None:
        self.server.stop()
        self.close_partner_and_db()
