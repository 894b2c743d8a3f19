"""What a CSV parser does not say about a file: the delimiter really used, and the physical line
each record starts on (a quoted cell may span lines, so record N is not always line N + 1).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text('id,name\\nplant,"Plant\\nNorth"\\nmill,Mill\\n', encoding="utf-8")
>>> delimiter(p), record_lines(p)
(None, [1, 2, 4])
>>> _ = p.write_text('id;name;country\\nplant;Plant, North;JP\\n', encoding="utf-8")
>>> delimiter(p)
';'
"""

from __future__ import annotations

import csv
from pathlib import Path

from lca.errors import Problem

_NAMES = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _header_line(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.readline(1 << 16)
    except OSError:
        return ""
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def delimiter(path: Path | str) -> str | None:
    """``;``, tab or ``|`` when the header uses it between names instead of commas, else None."""
    counts = {c: 0 for c in (",", *_NAMES)}
    quoted = False
    for ch in _header_line(Path(path)):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_NAMES, key=lambda c: counts[c])
    return best if counts[best] > counts[","] else None


def delimiter_problem(path: Path | str, *, file: str | None = None) -> Problem | None:
    """A located problem for a CSV file whose values are not separated by commas (None if they are)."""
    if Path(path).suffix.lower() != ".csv":
        return None
    d = delimiter(path)
    if d is None:
        return None
    return Problem(f"values are separated by {_NAMES[d]}, not commas", file=file or str(path),
                   hint="use commas between values (in a spreadsheet: save as 'CSV, comma-separated')")


def record_lines(path: Path | str) -> list[int]:
    """1-based physical line on which each record starts; index 0 is the header, index N data row N.

    Parsed with Python's csv module (RFC 4180 quoting, like polars); [] if the file cannot be read.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            starts, last = [], 0
            for _ in reader:
                starts.append(last + 1)
                last = reader.line_num
            return starts
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
