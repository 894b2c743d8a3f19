"""PACT data exchange: ``lca`` as a node of the PCF network.

* :mod:`lca.exchange.received` — where received footprints (and the answers to requests) are kept:
  the small interfaces :class:`ReceivedFootprints` and :class:`EventInbox`, each with a
  folder-of-JSON implementation (a database store implements the same methods);
* :mod:`lca.exchange.validate` — a received footprint checked as PACT v3: its shape (required
  fields and types; the official OpenAPI schema too when it is available) and the ``lca check`` rules;
* :mod:`lca.exchange.client` — ``lca pull`` and ``lca request``: OAuth2 client credentials, paged
  ``GET /3/footprints``, ``RequestCreated`` events (needs the optional extra ``lca[exchange]``: httpx).
"""

from __future__ import annotations

from lca.exchange.received import EventInbox, FolderFootprints, FolderInbox, ReceivedFootprints

__all__ = ["EventInbox", "FolderFootprints", "FolderInbox", "ReceivedFootprints"]
