"""Rule packs: a regulation's calculation rules as versioned data (``factors/rules/<id>.toml``).

A rule pack pins one text of one rule set — e.g. ``eu-2023-1542-art7-draft-2024-04``, the EU
Battery Regulation's Art. 7 carbon-footprint rules as the April 2024 draft delegated act states
them — so results made under it can be compared with results under the next text, and re-pinned the
day the act is published (a new file, never an edit of this one). The engine never hard-codes a
rule: cycle counts per vehicle category, the declared stages, the electricity variants and whether
a performance class may be shown are read from the pack (docs/rule-packs.md).

>>> pack = load_pack("eu-2023-1542-art7-draft-2024-04")
>>> pack.is_draft, pack.cycles_per_year["M1"], [v.id for v in pack.variants]
(True, 60, ['draft-2024', 'jrc-cfb-ev'])
>>> pack.notice
'draft rules, not in force: Draft Commission Delegated Regulation, Ref. Ares(2024)3131389, 29 April 2024'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from lca.choices import ELECTRICITY_BASES, ELECTRICITY_RULES, EU_BATTERY_STAGES, spoken
from lca.errors import LcaInputError, Problem
from lca.resources import factors_dir


class RulesError(LcaInputError):
    """An unknown rule pack, or a pack file that does not say what a pack must say."""


@dataclass(frozen=True)
class DeclaredStage:
    """A life-cycle stage the rules declare separately, in declaration order."""

    id: str
    #: the regulation's name of the stage; a study's ``[[stage]] eu_battery_stage`` names it
    name: str
    #: the Catena-X battery passport ``carbonFootprint[].lifecycle`` text
    lifecycle: str
    note: str = ""
    #: what the declaration says when no contribution of the study maps here (None: a zero is a zero)
    not_modelled: str | None = None


@dataclass(frozen=True)
class Variant:
    """One reading of the electricity rule, as engine method switches (one footprint per variant)."""

    id: str
    label: str
    description: str
    #: ``[method] electricity_rule`` and ``electricity_basis`` the variant computes with
    electricity_rule: str
    electricity_basis: str
    #: whether supplier-specific electricity (a site's ``market_factor``) counts
    contractual_instruments: bool
    #: what lca cannot model of this variant, stated with every result under it
    gaps: tuple[str, ...] = ()

    @property
    def method(self) -> dict[str, str]:
        """The method changes of this variant (``Study.with_method(**variant.method)``)."""
        return {"electricity_rule": self.electricity_rule, "electricity_basis": self.electricity_basis}


@dataclass(frozen=True)
class RulePack:
    """A pinned rule set (see the module docstring); plain data, loaded by :func:`load_pack`."""

    id: str
    title: str
    regulation: str
    #: the text the pack pins (e.g. the draft's Ares reference)
    reference: str
    #: the same, short enough for a document header (``draft DA Ares(2024)3131389, 29 Apr 2024``)
    short_reference: str
    #: ``draft`` or ``adopted``
    status: str
    #: the words every output made under the pack carries (``draft rules, not in force``)
    statement: str
    url: str
    #: unit of a declared result (``kg_CO2e/kWh``: per kWh of lifetime energy)
    result_unit: str
    fu_label: str
    fu_formula: str
    service_life_rule: str
    #: full equivalent cycles per year by vehicle category
    cycles_per_year: Mapping[str, int]
    stages: tuple[DeclaredStage, ...]
    variants: tuple[Variant, ...]
    #: the variant the pack's own text prescribes (a declaration's headline figure)
    declared_variant: str
    #: whether performance classes / thresholds are published; without them no class is computed
    classes_published: bool
    classes_reason: str

    @property
    def is_draft(self) -> bool:
        return self.status != "adopted"

    @property
    def notice(self) -> str:
        """``draft rules, not in force: <reference>`` — on every output made under a draft pack."""
        return f"{self.statement}: {self.reference}" if self.statement else self.reference

    @property
    def short_notice(self) -> str:
        """:attr:`notice` with the short reference (``draft rules, not in force: draft DA Ares(2024)…``)."""
        return f"{self.statement}: {self.short_reference}" if self.statement else self.short_reference

    def variant(self, vid: str) -> Variant:
        """The electricity variant ``vid``; :class:`RulesError` naming the pack's variants otherwise."""
        for v in self.variants:
            if v.id == vid:
                return v
        raise RulesError(Problem(f"rule pack '{self.id}' has no electricity variant '{vid}'",
                                 hint="use " + spoken([v.id for v in self.variants])))

    def stage_named(self, name: str) -> DeclaredStage:
        """The declared stage a study stage's ``eu_battery_stage`` maps to (by the regulation's name)."""
        for s in self.stages:
            if s.name == name:
                return s
        raise RulesError(Problem(f"rule pack '{self.id}' declares no stage {name!r}",
                                 hint="use one of: " + "; ".join(s.name for s in self.stages)))


def pack_dir() -> Path:
    """Folder of the shipped rule packs (``factors/rules``)."""
    return factors_dir() / "rules"


def pack_ids() -> tuple[str, ...]:
    """Ids of the shipped rule packs, sorted."""
    folder = pack_dir()
    return tuple(sorted(p.stem for p in folder.glob("*.toml"))) if folder.is_dir() else ()


def load_pack(pack_id: str) -> RulePack:
    """The shipped rule pack ``pack_id``; :class:`RulesError` (naming the shipped ones) if there is none."""
    if pack_id not in pack_ids():
        raise RulesError(Problem(f"unknown rule pack '{pack_id}'",
                                 hint="use " + (spoken(pack_ids()) if pack_ids() else "no rules (none shipped)")))
    return _load(pack_dir() / f"{pack_id}.toml")


@lru_cache(maxsize=8)
def _load(path: Path) -> RulePack:
    file = str(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(Problem(f"cannot read the rule pack: {exc}", file=file)) from None
    try:
        return _pack(doc, file)
    except (KeyError, TypeError, ValueError) as exc:  # a shipped file is checked by tests; say where anyway
        raise RulesError(Problem(f"malformed rule pack: {exc!r}", file=file)) from None


def _pack(doc: Mapping[str, Any], file: str) -> RulePack:
    head, fu, el = doc["pack"], doc["functional_unit"], doc["electricity"]
    if head["id"] != Path(file).stem:
        raise ValueError(f"pack id {head['id']!r} is not the file name")
    stages = tuple(DeclaredStage(s["id"], s["name"], s["lifecycle"], s.get("note", ""), s.get("not_modelled"))
                   for s in doc["stage"])
    if [s.name for s in stages] != list(EU_BATTERY_STAGES):
        raise ValueError("stages must be the Annex II stages, in order (lca.choices.EU_BATTERY_STAGES)")
    variants = []
    for vid, v in el["variants"].items():
        if v["electricity_rule"] not in ELECTRICITY_RULES or v["electricity_basis"] not in ELECTRICITY_BASES:
            raise ValueError(f"variant {vid!r}: unknown electricity rule or basis")
        variants.append(Variant(vid, v["label"], v.get("description", ""), v["electricity_rule"],
                                v["electricity_basis"], bool(v["contractual_instruments"]), tuple(v.get("gaps", ()))))
    cycles = {str(k): int(n) for k, n in fu["cycles_per_year"].items()}
    if not cycles or min(cycles.values()) <= 0:
        raise ValueError("cycles_per_year must be positive")
    if el["declared"] not in {v.id for v in variants}:
        raise ValueError(f"declared variant {el['declared']!r} is not a variant")
    pc = doc["performance_class"]
    return RulePack(
        id=head["id"], title=head["title"], regulation=head["regulation"], reference=head["reference"],
        short_reference=head.get("short_reference", head["reference"]), status=head["status"], statement=head.get("statement", ""), url=head.get("url", ""),
        result_unit=head["result_unit"], fu_label=fu["label"], fu_formula=fu["formula"],
        service_life_rule=fu["service_life"], cycles_per_year=cycles, stages=stages, variants=tuple(variants),
        declared_variant=el["declared"], classes_published=bool(pc["published"]), classes_reason=pc["reason"])
