"""Received footprints: PACT v3 ProductFootprints of suppliers that a study may use as inputs.

A study names a supplier footprint by file, by id or by product id (:mod:`lca.study.supplier`);
ids and product ids are looked up in a store of *received* footprints behind the small interface
:class:`ReceivedFootprints`. ``lca`` ships one implementation, :class:`FolderFootprints` — a folder
of JSON files (``lca pull --into DIR`` writes one, one ``<id>.json`` per footprint); a database
store implements the same three methods. Keep the interface this small: the loader needs nothing
else.

* ``get(pf_id)`` — the footprint with that id (a bare UUID; ``urn:uuid:`` is stripped by the
  caller), as the parsed JSON object, or None;
* ``by_product(product_id)`` — every footprint whose ``productIds`` contain the URN (any status:
  the caller refuses Deprecated ones and says so);
* ``label`` — how messages name the store (a folder path, a database URL without its password).

A store may also offer ``put(doc)`` (``lca pull`` stores what it fetched); the loader never calls it.

**Database URLs.** Wherever a folder of received footprints may be named (``[factors] received``,
``--received``, ``lca pull --into``), a database URL may be too: any text with ``://`` is one
(``sqlite:///received.db``, ``postgresql+psycopg://user@host/db``), and names the footprint store of
``lca serve``/``lca publish`` (its *received* footprints). Databases need :mod:`lca.exchange`, a
higher layer, so it registers its opener here (:func:`register_url_opener`) when it is imported;
this module only recognises the syntax. In a study file, a relative SQLite path is relative to the
study's folder, like a folder name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Protocol, runtime_checkable

from lca.errors import Problem, StudyError

Doc = dict[str, Any]


@runtime_checkable
class ReceivedFootprints(Protocol):
    """Where a study's supplier footprints named by id or product id are looked up."""

    label: str

    def get(self, pf_id: str) -> Doc | None:
        """The footprint with id ``pf_id`` (a bare UUID, lower case), or None."""
        ...

    def by_product(self, product_id: str) -> list[Doc]:
        """Every footprint listing ``product_id`` in its ``productIds``, in a stable order."""
        ...


def footprints_in(doc: Any) -> list[Doc]:
    """The ProductFootprints of a parsed JSON document: one object, an array of them, or a PACT
    list response ``{"data": [...]}``. Anything else gives an empty list."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list):
        return [d for d in doc if isinstance(d, dict)]
    return []


def bare_id(ref: str) -> str:
    """A footprint id as stored: lower case, without ``urn:uuid:``."""
    text = ref.strip()
    return (text[9:] if text.lower().startswith("urn:uuid:") else text).lower()


def read_json(path: Path, *, file: str, table: str | None = None, column: str | None = None,
              what: str = "PACT footprint file") -> Any:
    """A JSON file parsed; unreadable, non-UTF-8 or malformed JSON is a located :class:`StudyError`."""
    from lca.study.io import decode, read_bytes

    raw = read_bytes(path, file=file, what=what, table=table)
    text = decode(raw, file=file, table=table)
    try:
        return json.loads(text)
    except RecursionError:  # nested deeper than the parser's stack: refused like any malformed file
        raise StudyError(Problem(f"{path.name} is nested too deeply to be a PACT footprint", file=file, table=table,
                                 column=column, hint="name a PACT v3 ProductFootprint JSON file")) from None
    except json.JSONDecodeError as exc:
        raise StudyError(Problem(f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                                 file=file, table=table, column=column,
                                 hint="name a PACT v3 ProductFootprint JSON file")) from None


#: what a partner may change under a footprint's id (PACT v3: deprecating it keeps the id); any other
#: change makes a new id, so a stored copy differing elsewhere is refused
STATUS_FIELDS = ("status", "statusComment", "updated")


def same_content(a: Doc, b: Doc) -> bool:
    """Do two footprints state the same, apart from their status (:data:`STATUS_FIELDS`)?"""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    return ({k: v for k, v in a.items() if k not in STATUS_FIELDS}
            == {k: v for k, v in b.items() if k not in STATUS_FIELDS})


class FolderFootprints:
    """Received footprints kept as JSON files in one folder (read when first asked, then kept).

    Every ``*.json`` file of the folder is read (not its subfolders); a file may hold one footprint,
    an array, or a ``{"data": [...]}`` list response. Two files holding one id with different
    content are refused (which one is meant would depend on the order of the folder).
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.label = str(self.folder)
        self._by_id: dict[str, Doc] | None = None

    def _index(self) -> dict[str, Doc]:
        if self._by_id is None:
            if not self.folder.is_dir():
                raise StudyError(Problem("the folder of received footprints does not exist", file=self.label,
                                         hint="create it with `lca pull --into DIR`, or correct the path"))
            index: dict[str, Doc] = {}
            for path in sorted(self.folder.glob("*.json")):
                for doc in footprints_in(read_json(path, file=str(path))):
                    key = bare_id(str(doc.get("id", "")))
                    if key in index and index[key] != doc:
                        raise StudyError(Problem(f"footprint id {key} is stored twice with different content",
                                                 file=str(path), hint="remove the older copy"))
                    index[key] = doc
            self._by_id = index
        return self._by_id

    def get(self, pf_id: str) -> Doc | None:
        return self._index().get(bare_id(pf_id))

    def by_product(self, product_id: str) -> list[Doc]:
        want = product_id.strip()
        return [d for _k, d in sorted(self._index().items())
                if want in [str(p) for p in (d.get("productIds") or []) if isinstance(p, str)]]

    def ids(self) -> list[str]:
        """Every stored id, sorted."""
        return sorted(self._index())

    def put(self, doc: Doc) -> Path:
        """Store one footprint as ``<id>.json`` (atomically). The same content again replaces the copy
        (so a partner's later status, e.g. Deprecated, is kept); other content under a stored id is
        refused (:class:`StudyError`)."""
        from lca.outputs import write_atomic

        key = bare_id(str(doc.get("id", "")))
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise StudyError(Problem(f"footprint id {key!r:.60} cannot name a file", file=self.label))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a file in the way, no permission: nothing is stored
            raise StudyError(Problem(f"cannot make the folder of received footprints: {exc.strerror or exc}",
                                     file=self.label, hint="name a folder you may write, or a database URL")) from None
        target = self.folder / f"{key}.json"
        if target.is_file():  # an id names one content (PACT v3: a change makes a new id): never replaced
            try:
                same = same_content(json.loads(target.read_text(encoding="utf-8")), doc)
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                same = False
            if not same:
                raise StudyError(Problem(f"footprint id {key} is already stored with different content",
                                         file=str(target), hint="a PACT id names one content: ask the partner why it "
                                                                "changed, or remove the stored copy"))
        write_atomic(target, json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        self._by_id = None
        return target


#: how a database URL becomes a store: ``opener(url, base)`` (``base``: the folder a relative SQLite
#: path is relative to, or None for the working directory); registered by :mod:`lca.exchange`
_URL_OPENERS: list[Callable[[str, Path | None], ReceivedFootprints]] = []


def register_url_opener(opener: Callable[[str, Path | None], ReceivedFootprints]) -> None:
    """Make database URLs usable as received-footprint stores (called once by :mod:`lca.exchange`)."""
    if opener not in _URL_OPENERS:
        _URL_OPENERS.append(opener)


def is_url(text: str) -> bool:
    """Does ``text`` name a database (``scheme://…``) rather than a folder?"""
    return "://" in text


def open_url(url: str, *, base: Path | None = None, where: dict[str, Any] | None = None) -> ReceivedFootprints:
    """The store a database URL names (``where``: how messages locate the URL)."""
    loc = where or {"file": url}
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("http", "https"):
        raise StudyError(Problem(f"{url!r:.80} is a partner's API, not a store of received footprints", **loc,
                                 hint="fetch its footprints first (`lca pull --from URL --into DIR-or-DB-URL`) "
                                      "and name that folder or database"))
    if not _URL_OPENERS:  # the database store lives in a higher layer, which registers itself on import
        raise StudyError(Problem(f"cannot open {url!r:.80}: no database store is registered", **loc,
                                 hint="`import lca.exchange` first (the CLI and `import lca` do), or name a folder"))
    return _URL_OPENERS[-1](url, base)


def as_store(received: "ReceivedFootprints | Path | str | None", *, base: Path | None = None
             ) -> "ReceivedFootprints | None":
    """A store from what a caller gives: a store, a database URL, a folder path, or None."""
    if received is None or isinstance(received, ReceivedFootprints):
        return received
    if isinstance(received, str) and is_url(received):
        return open_url(received, base=base)
    return FolderFootprints(received)

