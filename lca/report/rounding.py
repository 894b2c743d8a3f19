"""Does a row of rounded numbers, as the report prints them, add up to its rounded total?

The report prints three significant digits (:func:`lca.report.fmt.num`) and shares to one decimal
(:func:`lca.report.fmt.pct`). Unrounded, the parts of a total add up to it exactly; rounded, they may
not: the printed parts, added and rounded to the total's last printed digit, can miss it. A sentence that says "they add up to the total" is only true when the printed numbers do, so
the report says which rows may not, computed from the very strings it prints.

>>> adds_up(["0.100", "0.0500"], "0.150"), adds_up(["0.0444", "0.0444", "0.0444"], "0.133")
(True, True)
>>> adds_up(["0.104", "0.115"], "0.218")  # a reader adds 0.219 beside a total of 0.218
False
>>> adds_up(["33.3\u202f%", "33.3\u202f%", "33.3\u202f%"], "100.0\u202f%")
False
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from lca.report import fmt


def printed(text: str) -> Decimal | None:
    """The number a reader sees in ``text`` ("−0.00622", "1 234", "3.3 %"); None if it is not a plain decimal."""
    t = text.replace(fmt.THIN, "").replace(" ", "").replace(fmt.MINUS, "-").rstrip("%")
    if not t or "×" in t:
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def adds_up(parts: list[str], total: str) -> bool:
    """True when the printed ``parts``, added as a reader would, round to the printed ``total`` at its last
    digit (– counts as 0): they are at most half a unit of that digit apart, so an exact tie counts
    whichever way it was rounded. A part in powers-of-ten notation cannot be added by a reader, so
    such a row does not add up."""
    values = [Decimal(0) if p in ("–", "0") else printed(p) for p in parts]
    want = printed(total)
    if want is None or None in values:
        return False
    half = Decimal(5).scaleb(want.as_tuple().exponent - 1)  # type: ignore[operator]
    return abs(sum(values, Decimal(0)) - want) <= half  # type: ignore[arg-type]


def rounding_note(tables: dict[str, list[dict[str, Any]]]) -> str:
    """The sentence under the results tables: the parts add up to the total, and — only where the printed
    values or shares do not — which rows may not add up due to rounding. ``tables``: what the rows of
    each table are ("stage values", …) → rows with ``label``, ``cells`` ((value, share) pairs) and ``total``."""
    off = []
    for what, rows in tables.items():
        values = [r["label"] for r in rows if not adds_up([v for v, _ in r["cells"]], r["total"])]
        shares = [r["label"] for r in rows if not adds_up([p for _, p in r["cells"]], "100.0")]
        off += [f"the {what} of {_short_list(values)}"] if values else []
        off += [f"the {what.split()[0]} shares of {_short_list(shares)}"] if shares else []
    if not off:
        return "Stage and flow-category contributions add up to the total, as printed."
    return ("Stage and flow-category contributions add up to the total; as printed (rounded), "
            + "; ".join(off) + " may not add up exactly, due to rounding.")


def _short_list(labels: list[str]) -> str:
    """Scenario labels by their "(x)" tags where they have one."""
    tags = [lab[: lab.index(")") + 1] if lab.startswith("(") and ")" in lab[:5] else lab for lab in labels]
    return tags[0] if len(tags) == 1 else ", ".join(tags[:-1]) + " and " + tags[-1]
