"""``lca publish``: the v3 ProductFootprints of a computed study, checked, into a :class:`Store`.

A footprint's *series* is ``{study id}/{scenario}``: publishing the same study again compares each
scenario's document with its series' Active version (content, not the ``created`` stamp), so an
unchanged study is a no-op and a changed one gets new versions linked by ``precedingPfIds``.
The documents come from :func:`lca.disclosure.pact.export_pact` (the one v3 builder), which runs
the ``lca check`` methodology rules; the study's cut-off rule runs too. Nothing is stored if any fails.
"""

from __future__ import annotations

from typing import Sequence

from lca.errors import ExportCheckError


def documents(fp, scenarios: Sequence[str] | None = None, *, created: str | None = None) -> list[tuple[str, dict]]:
    """``(series, v3 document)`` for each scenario of ``fp`` (all by default), checked."""
    from lca.disclosure import export_pact
    from lca.validation.cutoff import cutoff_problems

    wanted = list(scenarios) if scenarios else list(fp.scenarios)
    for s in wanted:
        fp._check_scenario(s)
    problems = cutoff_problems(fp, fp.meta.source, wanted)
    if problems:
        raise ExportCheckError(problems)
    return [(f"{fp.meta.study_id}/{s}", export_pact(fp, "v3", s, created=created)) for s in wanted]


def publish(store, fp, scenarios: Sequence[str] | None = None, *, created: str | None = None):
    """Compute-side half of ``lca publish``: build, check and store in one transaction."""
    return store.publish(documents(fp, scenarios, created=created))
