"""The footprint store: one database (SQLite by default, PostgreSQL for shared deployments).

:class:`Store` is the one way in. Every write is one transaction, so a publish that fails (or a
process killed) half-way leaves the previous versions served and the database as it was.

Published footprints (ours, served on ``/3/footprints``) and *received* ones (a partner's, stored by
``lca pull`` or a RequestFulfilled callback) share the ``footprints`` table, told apart by ``origin``;
the API serves only ``origin = 'published'``. For the client side::

    store = Store.open("sqlite:///pcf.db")
    fid = store.add_received(doc, source="https://supplier.example")   # a v3 ProductFootprint dict
    store.received(product_id="urn:…")        # -> [doc, …] newest first (ids, product ids: case-insensitive)
    store.received(footprint_id=fid)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from lca.errors import LcaInputError, Problem
from lca.exchange import require
from lca.exchange.access import AccessMixin
from lca.exchange.eventlog import EventLogMixin, RequestLogMixin
from lca.exchange.filters import Filters, doc_keys, validity
from lca.timestamps import now_utc

#: fields that say when/how a document was stored, not what it states: left out of the content hash
VOLATILE = ("id", "created", "status", "precedingPfIds", "updated", "statusComment")
_NS = uuid.UUID("0b7b3a43-6f39-5c8e-b6cc-5a8e0e5f0d11")  # new ids for changed content under a taken id


def content_hash(doc: Mapping[str, Any]) -> str:
    """SHA-256 of the document without its volatile fields (canonical JSON)."""
    body = {k: v for k, v in doc.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def database_url(db: str | Path) -> str:
    """A database URL from ``--db``: a URL as given, a plain path as an SQLite file."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


@dataclass
class PublishResult:
    """What one publish did, footprint ids by outcome."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deprecated: list[str] = field(default_factory=list)


class Store(EventLogMixin, RequestLogMixin, AccessMixin):
    """A footprint store on an SQLAlchemy engine (see the module docstring)."""

    def __init__(self, engine, url: str):
        self.engine = engine
        self.url = url

    # ------------------------------------------------------------------ opening, migrations
    @classmethod
    def open(cls, db: str | Path, *, migrate: bool = True, create: bool = True) -> "Store":
        """Open (and by default create or upgrade) the database at ``db`` (URL or SQLite path).

        ``create=False``: a missing SQLite file is an error naming it (commands that only read or change
        an existing store must not make an empty one from a mistyped path)."""
        require("sqlalchemy", "alembic")
        import sqlalchemy as sa
        from sqlalchemy import event

        url = database_url(db)
        file = sqlite_file(url)
        if file is not None and not create and not file.exists():
            raise LcaInputError(Problem(f"--db: {file} does not exist",
                                        hint="check the path (lca publish or lca clients add create a new store)"))
        if file is not None and file.is_file():
            _check_sqlite_file(file)
        try:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

                @event.listens_for(engine, "connect")
                def _sqlite_pragmas(conn, _record):  # noqa: ANN001 — DBAPI objects
                    cur = conn.cursor()
                    cur.execute("PRAGMA foreign_keys=ON")
                    cur.execute("PRAGMA journal_mode=WAL")  # readers never wait for a publish
                    cur.execute("PRAGMA busy_timeout=30000")
                    cur.close()
            else:
                engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
            raise LcaInputError(Problem(f"--db: cannot use '{_redact(url)}': {exc}",
                                        hint="give a file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")) from None
        store = cls(engine, url)
        if migrate:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Bring the schema to the newest alembic revision (a no-op when it is there)."""
        import sqlalchemy as sa
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
        try:
            with self.engine.begin() as conn:
                _refuse_foreign(sorted(sa.inspect(conn).get_table_names()), f"'{_redact(self.url)}'")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.DatabaseError as exc:  # OperationalError (cannot open/connect) is one kind
            file = sqlite_file(self.url)
            if file is not None and "not a database" in str(exc.orig):
                raise LcaInputError(Problem(f"--db: {file} is not a database (not an SQLite file)",
                                            hint="give the path of an lca footprint store, or a new file name "
                                                 "for lca publish / lca clients add to create")) from None
            raise LcaInputError(Problem(f"--db: cannot open the database '{_redact(self.url)}': "
                                        f"{str(exc.orig).strip().splitlines()[0]}",
                                        hint="check the path or URL, that the server runs and the user may connect")) from None

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ publishing
    def publish(self, items: Iterable[tuple[str, dict]], *, now: str | None = None) -> PublishResult:
        """Store ``(series, v3 document)`` pairs in ONE transaction: a document whose content equals
        its series' Active version is a no-op; changed content becomes a new Active version whose
        ``precedingPfIds`` lists every earlier version, and the previous one is Deprecated."""
        from lca.exchange import models as m

        now = now or now_utc()
        result = PublishResult()
        with self.engine.begin() as conn:
            for series, doc in items:
                doc = dict(doc)
                digest = content_hash(doc)
                current = conn.execute(m.footprints.select().where(
                    m.footprints.c.origin == "published", m.footprints.c.series == series,
                    m.footprints.c.status == "Active")).mappings().first()
                if current is not None and current["content_hash"] == digest:
                    result.unchanged.append(current["id"])
                    continue
                taken = conn.execute(m.footprints.select().where(m.footprints.c.id == doc["id"])).mappings().first()
                if taken is not None:
                    if taken["content_hash"] == digest and taken["origin"] == "published":
                        result.unchanged.append(taken["id"])  # e.g. deprecated by hand: left as it is
                        continue
                    doc["id"] = str(uuid.uuid5(_NS, f"{doc['id']}\0{digest}"))
                if current is not None:
                    before = json.loads(current["doc"]).get("precedingPfIds") or []
                    doc["precedingPfIds"] = list(dict.fromkeys([*before, current["id"]]))
                    self._set_status(conn, current["id"], "Deprecated")
                    result.deprecated.append(current["id"])
                doc["status"] = "Active"
                self._insert(conn, doc, series=series, origin="published", digest=digest, now=now)
                result.added.append(doc["id"])
        return result

    def _insert(self, conn, doc: dict, *, series: str, origin: str, digest: str, now: str,
                source: str | None = None) -> None:
        from lca.exchange import models as m

        start, end = validity(doc)
        conn.execute(m.footprints.insert().values(
            id=doc["id"], origin=origin, series=series, content_hash=digest, status=doc.get("status", "Active"),
            validity_start=start, validity_end=end, created=doc.get("created"), stored_at=now, source=source,
            doc=json.dumps(doc, ensure_ascii=False)))
        keys = doc_keys(doc)
        if keys:
            conn.execute(m.footprint_keys.insert(), [{"footprint_id": doc["id"], "kind": k, "value": v} for k, v in keys])
        preceding = doc.get("precedingPfIds") or []
        if preceding:
            conn.execute(m.versions.insert(), [{"footprint_id": doc["id"], "preceding_id": p} for p in preceding])

    def _set_status(self, conn, footprint_id: str, status: str) -> None:
        from lca.exchange import models as m

        row = conn.execute(m.footprints.select().where(m.footprints.c.id == footprint_id)).mappings().one()
        doc = json.loads(row["doc"])
        doc["status"] = status
        conn.execute(m.footprints.update().where(m.footprints.c.id == footprint_id).values(
            status=status, doc=json.dumps(doc, ensure_ascii=False)))

    def deprecate(self, footprint_id: str) -> dict:
        """Mark a published footprint Deprecated (served with that status from now on)."""
        from lca.exchange import models as m

        with self.engine.begin() as conn:
            row = conn.execute(m.footprints.select().where(m.footprints.c.id == footprint_id,
                                                           m.footprints.c.origin == "published")).mappings().first()
            if row is None:
                raise LcaInputError(Problem(f"no published footprint with id '{footprint_id}'",
                                            hint="lca footprints list shows the ids"))
            self._set_status(conn, footprint_id, "Deprecated")
        return self.get(footprint_id)  # type: ignore[return-value]

    # ------------------------------------------------------------------ reading
    def query(self, filters: Filters | None = None, *, offset: int = 0, limit: int | None = None,
              origin: str = "published", raw: bool = False) -> tuple[list, bool]:
        """Documents matching ``filters`` in a stable order (oldest first) and whether more follow.
        ``raw``: the stored JSON texts, unparsed (the API sends them as they are)."""
        import sqlalchemy as sa
        from lca.exchange import models as m

        f = filters or Filters()
        t = m.footprints
        q = sa.select(t.c.doc).where(t.c.origin == origin)
        for kind, values in f.keys.items():
            if values:
                k = m.footprint_keys
                q = q.where(t.c.id.in_(sa.select(k.c.footprint_id).where(k.c.kind == kind, k.c.value.in_(values))))
        if f.valid_on:
            q = q.where(t.c.validity_start <= f.valid_on, t.c.validity_end >= f.valid_on)
        if f.valid_after:
            q = q.where(t.c.validity_start > f.valid_after)
        if f.valid_before:
            q = q.where(t.c.validity_end < f.valid_before)
        if f.status:
            q = q.where(t.c.status.in_(f.status))
        q = q.order_by(t.c.stored_at, t.c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit + 1)
        with self.engine.connect() as conn:
            docs = [r[0] if raw else json.loads(r[0]) for r in conn.execute(q)]
        more = limit is not None and len(docs) > limit
        return docs[:limit] if limit is not None else docs, more

    def get(self, footprint_id: str, *, origin: str = "published", raw: bool = False):
        """One document by id (any status), or None; ``raw``: its stored JSON text."""
        import sqlalchemy as sa
        from lca.exchange import models as m

        t = m.footprints
        with self.engine.connect() as conn:
            text = conn.execute(sa.select(t.c.doc).where(t.c.id == footprint_id, t.c.origin == origin)).scalar()
        if text is None or raw:
            return text
        return json.loads(text)

    def listing(self, origin: str = "published") -> list[dict]:
        """One summary row per footprint (for ``lca footprints list``), oldest first."""
        from lca.exchange import models as m

        t = m.footprints
        with self.engine.connect() as conn:
            rows = conn.execute(t.select().where(t.c.origin == origin).order_by(t.c.stored_at, t.c.id)).mappings().all()
        out = []
        for r in rows:
            doc = json.loads(r["doc"])
            pcf = doc.get("pcf") or {}
            out.append({"id": r["id"], "status": r["status"], "series": r["series"], "stored": r["stored_at"],
                        "product": ", ".join(doc.get("productIds") or []),
                        "pcf": pcf.get("pcfExcludingBiogenicUptake"), "unit": pcf.get("declaredUnitOfMeasurement"),
                        "preceding": ", ".join(doc.get("precedingPfIds") or [])})
        return out

    # ------------------------------------------------------------------ received (the client side)
    def add_received(self, doc: Mapping[str, Any], *, source: str | None = None, now: str | None = None) -> str:
        """Store a partner's v3 ProductFootprint (already validated by the caller); its id is kept.
        The same id again replaces the stored copy (the partner may have deprecated it); returns the id."""
        fid = doc.get("id") if isinstance(doc, Mapping) else None
        try:
            fid = str(uuid.UUID(str(fid)))
        except ValueError:
            raise LcaInputError(Problem(f"a received footprint needs a UUID 'id', got {str(fid)[:60]!r}",
                                        file=source)) from None
        with self.engine.begin() as conn:
            self._put_received(conn, doc, source=source, now=now)
        return fid

    def _put_received(self, conn, doc: Mapping[str, Any], *, source: str | None, now: str | None = None) -> None:
        """:meth:`add_received` inside the caller's transaction (``doc['id']`` already checked a UUID)."""
        from lca.exchange import models as m

        doc = dict(doc)
        fid = str(uuid.UUID(str(doc["id"])))
        series = "received:" + ",".join(sorted(doc.get("companyIds") or [])) + ":" + ",".join(sorted(doc.get("productIds") or []))
        row = conn.execute(m.footprints.select().where(m.footprints.c.id == fid)).mappings().first()
        if row is not None and row["origin"] != "received":
            raise LcaInputError(Problem(f"footprint '{fid}' is one this store publishes, not a received one",
                                        file=source))
        if row is not None:
            conn.execute(m.footprints.delete().where(m.footprints.c.id == fid))
        self._insert(conn, doc, series=series[:512], origin="received", digest=content_hash(doc),
                     now=now or now_utc(), source=source)

    def received(self, *, footprint_id: str | None = None, product_id: str | None = None,
                 include_deprecated: bool = True) -> list[dict]:
        """Received footprints by id or product id (case-insensitive), newest stored first."""
        filters = Filters(keys={"productId": (product_id.lower(),)} if product_id else {},
                          status=() if include_deprecated else ("Active",))
        docs, _ = self.query(filters, origin="received")
        if footprint_id is not None:
            docs = [d for d in docs if str(d.get("id", "")).lower() == footprint_id.lower()]
        return docs[::-1]


def _check_sqlite_file(file: Path) -> None:
    """Refuse a file that is no SQLite database or another program's, read-only before the engine's
    connect pragmas (WAL) would change it."""
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise LcaInputError(Problem(f"--db: {file} is not a database (not an SQLite file)",
                                        hint="give the path of an lca footprint store, or a new file name "
                                             "for lca publish / lca clients add to create")) from None
        return  # cannot read it here (locked, permissions): opening it says why
    _refuse_foreign(tables, str(file))


def _refuse_foreign(tables: list[str], label: str) -> None:
    """Another program's database is never altered: tables but no alembic_version = not an lca store."""
    if tables and "alembic_version" not in tables:
        raise LcaInputError(Problem(
            f"--db: {label} is another program's database (tables {', '.join(tables[:5])}"
            f"{', …' if len(tables) > 5 else ''}), not an lca footprint store; left unchanged",
            hint="give a new file name or an empty database of its own"))


def sqlite_file(url: str) -> Path | None:
    """The file of an ``sqlite:///FILE`` URL (None: not SQLite, or in memory)."""
    if not url.lower().startswith("sqlite"):
        return None
    rest = url.split("://", 1)[1]
    path = rest[1:].split("?", 1)[0] if rest.startswith("/") else ""
    return Path(path) if path and path != ":memory:" else None


def _redact(url: str) -> str:
    """A database URL without its password (for messages: secrets are never printed)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — a malformed URL is shown without anything after '@'
        return url.split("@")[-1]


def now_plus(seconds: float) -> str:
    """UTC text ``seconds`` from now."""
    from lca.timestamps import utc_text

    return utc_text(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds))
