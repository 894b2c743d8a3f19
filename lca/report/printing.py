"""Running heads of the printed report: the strings the ``@page`` margin boxes show.

Chromium prints CSS page-margin boxes (``@top-left``, ``@bottom-right``…) but not ``string-set``, so
the title, the scenario set and the run are written into the stylesheet as CSS strings. They come
from the study (user text), so every character but letters, digits and plain punctuation is a CSS
hex escape: nothing in them can end the string, the rule or the ``<style>`` element, and HTML
autoescaping (which would print "&amp;" literally in raw-text ``<style>``) has nothing to change.
"""

from __future__ import annotations

import re

#: characters that mean nothing to CSS strings or HTML raw text (no quote, backslash, newline, <, >, &)
_KEEP = frozenset(" .,:;()[]_+=-–—·/%")
_TAG = re.compile(r"^\(([a-z])\)")


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string: letters, digits (any script), spaces and
    plain punctuation stay; every other character is a 6-digit CSS escape followed by one space (the
    unambiguous form, CSS Syntax §4.3.7: the space ends the escape and is dropped).

    >>> css_string('A-1 "b" </style>')
    'A-1 \\\\000022 b\\\\000022  \\\\00003c /style\\\\00003e '
    """
    return "".join(ch if ch.isalnum() or ch in _KEEP else f"\\{ord(ch):06x} " for ch in text)


def scenario_set(labels: dict[str, str]) -> str:
    """The scenarios a page belongs to, short: "scenarios (a)–(f)" when every label starts with a
    letter tag, else "1 scenario"/"n scenarios" (ids can be long; the contents page lists them)."""
    tags = [m.group(1) for m in (_TAG.match(label) for label in labels.values()) if m]
    if tags and len(tags) == len(labels):
        if len(tags) == 1:
            return f"scenario ({tags[0]})"
        return f"scenarios ({tags[0]})–({tags[-1]})"
    return "1 scenario" if len(labels) == 1 else f"{len(labels)} scenarios"


def running_heads(title: str, labels: dict[str, str], *, run: str, manifest_hash: str) -> dict[str, str]:
    """CSS strings for the page margins: the title (top left), the scenario set (top right) and the
    run it was printed from (bottom left); the page number is a counter in the stylesheet."""
    return {"title": css_string(title), "scenarios": css_string(scenario_set(labels)),
            "run": css_string(f"Run {run} · manifest {manifest_hash[:12]}")}
