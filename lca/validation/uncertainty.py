"""The uncertainty stage of ``lca validate``: every ``[[uncertainty]]`` entry checked, bad ones set aside.

``lca uncertainty`` refuses a study while one entry is wrong, so the model (factor distributions,
draws kept in range, totals finite) would only be checked in a second round. Here the entries
are parsed as ``lca uncertainty`` parses them; the entries with problems are reported and left
out, and the model is built and run with the others, so every problem comes in one pass.
Entries keep the numbers they have in the study file (``uncertainty #3`` stays #3 when #2 is
left out).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping, Sequence

from lca.errors import LcaInputError, Problem

#: draws of the uncertainty check: enough for every statistic to exist, cheap for CI
UNCERTAINTY_DRAWS = 64
Entries = Sequence[tuple[int, Mapping[str, Any]]]
_ENTRY = re.compile(r"^uncertainty #(\d+)$")
_SEEN = re.compile(r"\(entry #(\d+)\)")


def numbered(entries: Sequence[Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """``(number in the file, entry)`` for every entry that is a table (the others are load problems)."""
    return [(i, e) for i, e in enumerate(entries, 1) if isinstance(e, Mapping)]


def _renumbered(problems: Sequence[Problem], numbers: list[int], file: str) -> list[Problem]:
    """Problems of a run over a subset of the entries, with each entry's number in the file."""
    def number(k: str) -> str:
        return str(numbers[int(k) - 1]) if 0 < int(k) <= len(numbers) else k

    out = []
    for p in problems:
        m = _ENTRY.match(p.table or "")
        table = f"uncertainty #{number(m.group(1))}" if m else p.table
        message = _SEEN.sub(lambda x: f"(entry #{number(x.group(1))})", p.message)
        out.append(Problem(**{**p.as_dict(), "table": table, "message": message, "file": p.file or file}))
    return out


def _bad_entries(problems: Sequence[Problem]) -> set[int]:
    return {int(m.group(1)) for p in problems if (m := _ENTRY.match(p.table or ""))}


def check_model(fp, entries: Entries, file: str) -> list[Problem]:
    """Every problem ``lca uncertainty`` finds in ``fp`` with ``entries``; bad entries are left out and the
    model is run again with the others, until it runs or fails for a reason no entry carries."""
    from lca.uncertainty import DEFAULT_SEED, run_uncertainty

    kept, problems = list(entries), []
    while True:
        trial = replace(fp, study=replace(fp.study, uncertainty_spec=tuple(e for _, e in kept)))
        try:
            run_uncertainty(trial, UNCERTAINTY_DRAWS, DEFAULT_SEED, sensitivity_draws=UNCERTAINTY_DRAWS)
            return problems
        except LcaInputError as exc:
            found = _renumbered(exc.problems, [i for i, _ in kept], file)
        problems += found
        bad = _bad_entries(found) & {i for i, _ in kept}
        if not bad:  # a problem no entry carries (or none left to set aside): the model cannot run
            return problems
        kept = [(i, e) for i, e in kept if i not in bad]


def check_entries(study, entries: Entries, file: str) -> list[Problem]:
    """Without a footprint: the entries alone, factor targets against the shipped library."""
    from lca.factors import load_library
    from lca.uncertainty import parse_spec

    lib = load_library().factors
    is_loss = lib.get_column("category") == "grid_loss"  # loss fractions: drawn in [0, 1)
    values = {fid: (v, u) for fid, v, u in lib.filter(~is_loss).select("id", "value", "unit").iter_rows()}
    losses = {fid: v * f for fid, v, f in lib.filter(is_loss).select("id", "value", "f_to_base").iter_rows()}
    try:
        parse_spec(replace(study, uncertainty_spec=tuple(e for _, e in entries)), factor_values=values,
                   loss_values=losses)
    except LcaInputError as exc:
        return _renumbered(exc.problems, [i for i, _ in entries], file)
    return []
