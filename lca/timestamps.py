"""The one home of timestamps: every date-time ``lca`` writes is UTC, to the second, ending in ``Z``.

Reports, PACT exports, manifests and the ``--timestamp`` option all go through these functions, so
one run writes one spelling (``2026-01-01T00:00:00Z``) and a reproducible run can pin it.

>>> import datetime as dt
>>> utc_text(dt.datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9))))
'2026-01-01T00:30:15Z'
>>> parse_utc("2026-01-01T00:00:00+01:00")
datetime.datetime(2025, 12, 31, 23, 0, tzinfo=datetime.timezone.utc)
>>> parse_utc("2026-01-01 00:00")  # no zone: read as UTC
datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
>>> len(now_utc()) == len("2026-01-01T00:00:00Z")
True
"""

from __future__ import annotations

import datetime as dt

__all__ = ["utc_text", "now_utc", "parse_utc"]


def utc_text(t: dt.datetime) -> str:
    """``t`` in UTC, to the second, with a ``Z`` (a naive ``t`` is taken as UTC)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc() -> str:
    """The current time as :func:`utc_text` writes it: the default timestamp of a run."""
    return utc_text(dt.datetime.now(dt.timezone.utc))


def parse_utc(text: str) -> dt.datetime:
    """An ISO 8601 date-time as an aware UTC datetime (no zone: UTC); ``ValueError`` if it is not one."""
    t = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone.utc)
