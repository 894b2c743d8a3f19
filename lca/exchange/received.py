"""Received footprints and answers to requests, behind two small interfaces.

:class:`ReceivedFootprints` (``get``, ``by_product``, ``label``; optionally ``put``) is defined with
the study loader that reads it (:mod:`lca.study.received`) and re-exported here: ``lca pull`` stores
into it, a study's ``supplier_footprint`` looks ids and product ids up in it.
:class:`FolderFootprints` keeps one ``<id>.json`` per footprint in a folder.

:class:`EventInbox` is where ``lca request`` looks for the answer to its ``RequestCreated`` event:
the ``RequestFulfilled`` or ``RequestRejected`` event the data owner POSTs to the requester's
``/3/events`` (``lca serve`` receives it). One method, ``answer(request_id)``: the answering event
as parsed JSON, or None while there is none. :class:`FolderInbox` reads a folder of event JSON
files (one event per file, any name); :class:`~lca.exchange.stored.StoreInbox` reads the answers
``lca serve`` accepted into its database (only answers to requests ``lca request`` recorded there).
A database URL names either store wherever a folder may be named (:func:`received_store`,
:func:`event_inbox`; the study loader through the opener registered below).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from lca.study.received import (FolderFootprints, ReceivedFootprints, bare_id, footprints_in, is_url,
                                 register_url_opener)

__all__ = ["EventInbox", "FolderFootprints", "FolderInbox", "ReceivedFootprints", "bare_id", "footprints_in",
           "ANSWER_TYPES", "event_inbox", "received_store"]

#: The CloudEvent types that answer a RequestCreated event (PACT v3), and what each means.
ANSWER_TYPES = {"org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3": "fulfilled",
                "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3": "rejected"}


@runtime_checkable
class EventInbox(Protocol):
    """Where the answer to a request arrives."""

    label: str

    def answer(self, request_id: str) -> dict[str, Any] | None:
        """The RequestFulfilled/RequestRejected event whose ``data.requestEventId`` is ``request_id``."""
        ...


class FolderInbox:
    """Answers kept as JSON files in a folder (read on every call: the server writes while we wait).

    A file that is not (yet) valid JSON — being written — is skipped until the next call."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.label = str(self.folder)

    def answer(self, request_id: str) -> dict[str, Any] | None:
        if not self.folder.is_dir():
            return None
        for path in sorted(self.folder.glob("*.json")):
            try:
                event = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError, RecursionError):
                continue
            if (isinstance(event, dict) and event.get("type") in ANSWER_TYPES and isinstance(event.get("data"), dict)
                    and str(event["data"].get("requestEventId")) == request_id):
                return event
        return None


def _open_database(url: str, base: Path | None) -> ReceivedFootprints:
    from lca.exchange.stored import open_received

    return open_received(url, base)


register_url_opener(_open_database)  # database URLs name received footprints (lca.study.received)


def received_store(where: str | Path, *, source: str | None = None, create: bool = False) -> ReceivedFootprints:
    """``--into``/``--received``: a database URL (:class:`~lca.exchange.stored.StoreFootprints`;
    ``create``: an SQLite file may be made) or a folder (:class:`FolderFootprints`)."""
    if isinstance(where, str) and is_url(where):
        from lca.exchange.stored import StoreFootprints

        return StoreFootprints(where, source=source, create=create)
    if create and Path(where).exists() and not Path(where).is_dir():  # found before anything is fetched
        from lca.errors import LcaInputError, Problem

        raise LcaInputError(Problem("--into: is a file, not a folder of received footprints", file=str(where),
                                    hint="name a folder (made if absent) or a database URL such as sqlite:///pcf.db"))
    return FolderFootprints(where)


def event_inbox(where: str | Path) -> EventInbox:
    """``--inbox``: the database of your ``lca serve`` (:class:`~lca.exchange.stored.StoreInbox`) or a folder."""
    if isinstance(where, str) and is_url(where):
        from lca.exchange.stored import StoreInbox

        return StoreInbox(where)
    return FolderInbox(where)
