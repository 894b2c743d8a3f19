"""PACT v3 exchange: a store of footprints on a real database, ``lca publish`` and ``lca serve``.

* :mod:`lca.exchange.models` — the SQLAlchemy tables (migrated by alembic, :mod:`lca.exchange.migrations`);
* :mod:`lca.exchange.store` — :class:`~lca.exchange.store.Store`: publish (versioned, transactional),
  query with the v3 filters, clients, tokens, events, callbacks, and *received* footprints;
* :mod:`lca.exchange.publish` — the v3 documents of a computed study, checked, into a store;
* :mod:`lca.exchange.auth` — client secrets (salted scrypt) and bearer tokens (hashed, expiring);
* :mod:`lca.exchange.filters` — the ``/3/footprints`` query string, parsed and checked;
* :mod:`lca.exchange.events` — CloudEvents in, RequestFulfilled/Rejected callbacks out;
* :mod:`lca.exchange.api` — the Starlette application; :mod:`lca.exchange.server` — uvicorn, HTTPS only.

All of it needs the optional extra ``lca[server]`` (SQLAlchemy, alembic, Starlette, uvicorn, httpx);
``import lca`` does not. :func:`require` turns a missing extra into one actionable message.

Received footprints from partners (``lca pull``, ``lca request``; the optional extra ``lca[exchange]``):

* :mod:`lca.exchange.received` — where received footprints (and the answers to requests) are kept:
  the small interfaces :class:`ReceivedFootprints` and :class:`EventInbox`, each with a
  folder-of-JSON implementation (a database store implements the same methods);
* :mod:`lca.exchange.stored` — the database store behind both interfaces (:class:`StoreFootprints`,
  :class:`StoreInbox`): a database URL names it wherever a folder may be named;
* :mod:`lca.exchange.validate` — a received footprint checked as PACT v3: its shape (required
  fields and types; the official OpenAPI schema too when it is available) and the ``lca check`` rules;
* :mod:`lca.exchange.client` — ``lca pull`` and ``lca request``: OAuth2 client credentials, paged
  ``GET /3/footprints``, ``RequestCreated`` events (needs the optional extra ``lca[exchange]``: httpx).
"""

from __future__ import annotations

import importlib

from lca.errors import LcaInputError, Problem

#: import name -> distribution, for the message when the extra is missing
SERVER_MODULES = {"sqlalchemy": "sqlalchemy", "alembic": "alembic", "starlette": "starlette",
                  "uvicorn": "uvicorn", "httpx": "httpx"}


class ServerExtraMissing(LcaInputError):
    """The optional dependencies of ``lca[server]`` are not installed."""


def require(*names: str) -> None:
    """Raise :class:`ServerExtraMissing` naming what is missing (default: every module of the extra)."""
    missing = []
    for name in names or tuple(SERVER_MODULES):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(SERVER_MODULES.get(name, name))
    if missing:
        raise ServerExtraMissing(Problem(f"missing Python package(s): {', '.join(missing)}",
                                         hint="install lca[server] (pip install 'lca[server]')"))

from lca.exchange.received import EventInbox, FolderFootprints, FolderInbox, ReceivedFootprints  # noqa: E402
from lca.exchange.stored import StoreFootprints, StoreInbox  # noqa: E402

__all__ = ["EventInbox", "FolderFootprints", "FolderInbox", "ReceivedFootprints", "ServerExtraMissing", "StoreFootprints",
           "StoreInbox", "require"]
