"""The database store as the client side's stores: :class:`StoreFootprints` (the received footprints
a study reads and ``lca pull`` fills: :class:`~lca.exchange.received.ReceivedFootprints`) and
:class:`StoreInbox` (where ``lca request`` finds the answer ``lca serve`` accepted:
:class:`~lca.exchange.received.EventInbox`).

A database URL (``sqlite:///received.db``, ``postgresql+psycopg://user@host/db``) names them wherever
a folder may be named; :func:`open_received` is registered with :mod:`lca.study.received` so the study
loader, a lower layer, can open one. The database is opened on first use: a study that names no
received footprint never touches it, and an SQLite file that does not exist is an error, never
created by a read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lca.errors import LcaInputError, Problem, StudyError
from lca.exchange.received import bare_id

Doc = dict[str, Any]


class _Lazy:
    """A :class:`~lca.exchange.store.Store` opened on first use (``create``: an SQLite file may be made)."""

    what = "received footprints"  # how messages name the database

    def __init__(self, store_or_url: Any, *, create: bool = False):
        from lca.exchange.store import _redact

        self._store = None if isinstance(store_or_url, str) else store_or_url
        self.url = store_or_url if isinstance(store_or_url, str) else store_or_url.url
        self.label = _redact(self.url)
        self.create = create

    @property
    def store(self):
        if self._store is None:
            from lca.exchange.store import Store, sqlite_file

            file = sqlite_file(self.url)
            if file is not None and not self.create and not file.is_file():
                raise StudyError(Problem(f"the database of {self.what} does not exist", file=self.label,
                                         hint="fill it with `lca pull --into URL` (or `lca serve --db URL` receives "
                                              "answers to `lca request`), or correct the URL"))
            try:
                self._store = Store.open(self.url)
            except LcaInputError as exc:  # the loader collects StudyErrors: keep the message, change the type
                raise StudyError(exc.problems) from None
        return self._store


class StoreFootprints(_Lazy):
    """The *received* footprints of a database store (``origin = 'received'``; its published ones are
    not supplier footprints). ``source``: recorded with what :meth:`put` stores (the partner's URL)."""

    def __init__(self, store_or_url: Any, *, source: str | None = None, create: bool = False):
        super().__init__(store_or_url, create=create)
        self.source = source

    def get(self, pf_id: str) -> Doc | None:
        return self.store.get(bare_id(pf_id), origin="received")

    def by_product(self, product_id: str) -> list[Doc]:
        return self.store.received(product_id=product_id.strip())

    def put(self, doc: Doc) -> str:
        """Store one footprint as received. Like a folder, an id names one content: a stored id whose
        content (apart from its status) differs is refused; the same content replaces the copy."""
        from lca.study.received import same_content

        old = self.get(str(doc.get("id", "")))
        if old is not None and not same_content(old, doc):
            raise StudyError(Problem(f"footprint id {bare_id(str(doc.get('id')))} is already stored with different "
                                     "content", file=self.label, hint="a PACT id names one content: ask the partner "
                                                                      "why it changed"))
        return self.store.add_received(doc, source=self.source)


class StoreInbox(_Lazy):
    """Answers to our requests, as ``lca serve`` accepted them into the same database."""

    what = "answers to requests (your `lca serve --db`)"

    def answer(self, request_id: str) -> dict[str, Any] | None:
        return self.store.request_answer(request_id)


def open_received(url: str, base: Path | None = None) -> StoreFootprints:
    """The opener registered with :mod:`lca.study.received`: a relative SQLite path is taken from ``base``."""
    from lca.exchange.store import sqlite_file  # the store's own reading of the URL

    file = sqlite_file(url)
    if base is not None and file is not None and not file.is_absolute():
        url = f"sqlite:///{(base / file).resolve()}"
    return StoreFootprints(url)
