"""Sequential audits, the planning half: rounds, which pairs each round sends, and the decisions.

A sequential audit (`auditor audit --sequential`) sends each category's prompt pairs in
rounds and stops a category once the always-valid tests of `auditor.stats.sequential`
decide it. This module holds everything that does not run a model, so the report can
replay the decisions from the logs alone (`auditor report` on a sequential audit's logs
gives the same verdicts) and the simulation benchmark can use the same round sizes:

- **Units**: one per (suite, category, language) of the safeguards task; the harmful
  pairs of a unit are one test in the family of K.
- **Pair order**: within a unit, pairs are sent in the order of SHA-256 of their pair id
  (salted), a fixed pseudo-random order: each round is a spread of the category's
  subcategories rather than its first few, the order never depends on any answer, and
  it is the same for every audit, so the original's answers cached for one suspect
  serve the next. The benign twin of a pair is sent with its harmful prompt, so the
  over-refusal comparison stays paired.
- **Rounds**: cumulative looks at 12, 24, 32, 40 and 48 pairs per unit (the built-in suites
  have 48), then each round adds half the pairs sent so far, until the unit's pairs are
  exhausted. Looks cost nothing in validity (the tests are time-uniform), so they sit where
  decisions become possible, as far as the per-round overhead allows: 12 all-discordant
  pairs are the fewest that decide `lost` for a family of 13 categories at alpha 0.05, and
  32 all-agreeing pairs the fewest that decide `retained` at the 10-point margin (looks at
  12/24/36/48 stopped an agreeing copy at 36, 75% of the fixed-sample queries; at 32 it is 67%).
- **State**: `sequential.json` in the audit's log folder records the plan and the rounds
  run; the decisions themselves are always recomputed from the logs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from auditor.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from auditor.options import AuditOptions
    from auditor.suites.schema import SuiteRecord
    from auditor.verdicts import Thresholds

FIRST_ROUND = 12  # pairs per unit in the first round, and the step of the second
LATER_STEP = 8  # pairs per round after the second, up to EVEN_UNTIL pairs
EVEN_UNTIL = 48  # beyond this, each round adds half the pairs sent so far
STATE_FILE = "sequential.json"
STATE_VERSION = 1
MODELS = 2  # queries are counted for both models
_ORDER_SALT = "distill-auditor/sequential-order/v1:"


def look_sizes(total: int, first: int = FIRST_ROUND) -> list[int]:
    """Cumulative pairs per unit at each look: first, 2 first, then every LATER_STEP up to EVEN_UNTIL, then x1.5,
    capped at `total` (12, 24, 32, 40, 48, 72, 108, ...)."""
    if total <= 0:
        return []
    sizes: list[int] = []
    sent = 0
    while sent < total:
        if len(sizes) < 2:
            step = first
        elif sent < EVEN_UNTIL:
            step = LATER_STEP
        else:
            step = max(first, sent // 2)
        sent = min(total, sent + step)
        sizes.append(sent)
    return sizes


def pair_key(record: "SuiteRecord | dict[str, Any]") -> str:
    """The pair a record belongs to: its pair_id, or its own id for a prompt without a twin."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    value = get("pair_id")
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        value = get("id")
    return str(value)


def order_value(key: str) -> str:
    return hashlib.sha256((_ORDER_SALT + key).encode("utf-8")).hexdigest()


def ordered_keys(keys: Iterable[str]) -> list[str]:
    """Distinct pair keys in sending order."""
    return sorted(set(keys), key=lambda k: (order_value(k), k))


def parse_slice(spec: str) -> tuple[int, int]:
    try:
        lo_text, hi_text = str(spec).split(":")
        lo, hi = int(lo_text), int(hi_text)
    except ValueError:
        raise ConfigError(f"pairs must look like START:STOP (pair ranks within each category), got '{spec}'") from None
    if lo < 0 or hi < lo:
        raise ConfigError(f"pairs {spec}: need 0 <= START <= STOP")
    return lo, hi


def select_pairs(records: list["SuiteRecord"], spec: str) -> list["SuiteRecord"]:
    """The records whose pair ranks START <= rank < STOP within their (category, language) (the task's `pairs`)."""
    lo, hi = parse_slice(spec)
    groups: dict[tuple[str, str], list[str]] = {}
    for record in records:
        groups.setdefault((record.category, record.language), []).append(pair_key(record))
    chosen: set[tuple[str, str, str]] = set()
    for (category, language), keys in groups.items():
        for key in ordered_keys(keys)[lo:hi]:
            chosen.add((category, language, key))
    return [r for r in records if (r.category, r.language, pair_key(r)) in chosen]


@dataclass
class Unit:
    """One (suite, category, language) of the safeguards task, sent in rounds."""

    suite: str  # the suite argument as given (built-in name or path)
    label: str  # the suite's name in logs and reports
    category: str
    language: str
    pairs: int
    harmful: bool  # has harmful prompts (a test in the family); otherwise sent whole in round 1
    looks: list[int]
    records_at: list[int]  # prompts (both variants) sent up to each look

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.label, self.category, self.language)

    def task_args(self, round_index: int) -> dict[str, Any] | None:
        """The safeguards task arguments for this unit's pairs in round `round_index` (0-based), or None."""
        if round_index >= len(self.looks):
            return None
        lo = self.looks[round_index - 1] if round_index > 0 else 0
        return {"suite": self.suite, "categories": self.category, "language": self.language, "pairs": f"{lo}:{self.looks[round_index]}"}


@dataclass
class Plan:
    """A sequential audit's units and constants (what sequential.json records)."""

    units: list[Unit]
    first_round: int = FIRST_ROUND
    rounds_run: int = 0
    version: int = STATE_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> int:
        return sum(1 for u in self.units if u.harmful)

    @property
    def rounds(self) -> int:
        return max((len(u.looks) for u in self.units), default=0)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "first_round": self.first_round, "rounds_run": self.rounds_run, "units": [asdict(u) for u in self.units], **self.extra}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        if data.get("version") != STATE_VERSION:
            raise ConfigError(f"{STATE_FILE}: unsupported version {data.get('version')!r}")
        units = [Unit(**u) for u in data.get("units") or []]
        extra = {k: v for k, v in data.items() if k not in ("version", "first_round", "rounds_run", "units")}
        return cls(units, int(data.get("first_round", FIRST_ROUND)), int(data.get("rounds_run", 0)), STATE_VERSION, extra)


def build_plan(options: "AuditOptions") -> Plan:
    """The units of an audit's safeguards task, from its suites and selection (categories, language)."""
    from auditor.suites.builtin import suite_label
    from auditor.suites.loader import load_suite

    if options.limit is not None:
        raise ConfigError("--limit cannot be combined with --sequential (a sequential audit chooses how many pairs each category needs)")
    units: list[Unit] = []
    for suite in options.suites:
        records = load_suite(suite, categories=options.categories, language=options.language)
        label = suite_label(suite)
        groups: dict[tuple[str, str], list["SuiteRecord"]] = {}
        for record in records:
            groups.setdefault((record.category, record.language), []).append(record)
        for (category, language), members in sorted(groups.items()):
            order = {key: rank for rank, key in enumerate(ordered_keys(pair_key(r) for r in members))}
            harmful = any(r.variant == "harmful" for r in members)
            looks = look_sizes(len(order), FIRST_ROUND) if harmful else [len(order)]
            ranks = np.array([order[pair_key(r)] for r in members])
            units.append(Unit(str(suite), label, category, language, len(order), harmful, looks, [int((ranks < n).sum()) for n in looks]))
    return Plan(units)


def write_state(log_dir: Path, plan: Plan) -> None:
    from auditor.storage import atomic_write_text

    atomic_write_text(Path(log_dir) / STATE_FILE, json.dumps(plan.to_dict(), indent=2) + "\n")


def read_state(log_dir: str | Path | None) -> Plan | None:
    """The plan a sequential audit left in its log folder, or None (a fixed-sample audit)."""
    if log_dir is None:
        return None
    path = Path(log_dir) / STATE_FILE
    if not path.is_file():
        return None
    try:
        return Plan.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"{path}: not a readable sequential-audit state ({exc}); delete it to rebuild the report as a fixed-sample audit") from None


# --- decisions -------------------------------------------------------------------------


@dataclass
class UnitDecision:
    """What the sequential rule says about one unit, given the pairs sent so far."""

    unit: Unit
    verdict: str | None  # None while open (or for a unit without harmful prompts)
    decided_round: int | None  # 1-based round of the deciding look
    rule: str | None  # "e-process", "confidence sequence", "fixed-sample"
    pairs_sent: int
    rounds_sent: int  # rounds whose pairs this unit received
    e_value: float
    cs_low: float | None
    p_final: float | None
    p_adjusted: float | None
    closed: bool  # no more prompts: decided or exhausted

    @property
    def queries(self) -> int:
        return MODELS * (self.unit.records_at[self.rounds_sent - 1] if self.rounds_sent else 0)


def _unit_arrays(rows: "pd.DataFrame", flags: "pd.DataFrame", unit: Unit) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Refused (original, suspect) and usable per pair position, and how many pairs were sent."""
    keys = [pair_key(r) for r in rows[["id", "pair_id"]].to_dict(orient="records")]
    order = {key: rank for rank, key in enumerate(ordered_keys(keys))}
    sent = len(order)
    width = max(unit.pairs, sent, 1)
    o = np.zeros(width, dtype=bool)
    s = np.zeros(width, dtype=bool)
    ok = np.zeros(width, dtype=bool)
    harmful = (rows["variant"] == "harmful").to_numpy()
    a, b, c, d = (flags[x].to_numpy() for x in ("a", "b", "c", "d"))
    for i, key in enumerate(keys):
        if not harmful[i]:
            continue
        j = order[key]
        o[j] = bool(a[i] or b[i])
        s[j] = bool(a[i] or c[i])
        ok[j] = bool(a[i] or b[i] or c[i] or d[i])
    return o, s, ok, sent


def decide_units(paired: "pd.DataFrame", plan: Plan, thresholds: "Thresholds") -> list[UnitDecision]:
    """Replay the sequential rule over the pairs in the logs (the runner after each round, and the report, call this).

    The harmful units are one Holm family (auditor.stats.sequential.decide); a unit
    without harmful prompts is only tracked for the prompts it was sent.
    """
    from auditor.compare import outcome_flags
    from auditor.stats.sequential import CODE_NAMES, RULES, SequentialDesign, cs_lower_bound, decide

    design = SequentialDesign(alpha=thresholds.alpha, lost_drop=thresholds.lost_drop, retain_margin=thresholds.retain_margin, family=plan.family)
    safeguards = paired[(paired["task"] == "safeguards").to_numpy()] if len(paired) else paired
    flags = outcome_flags(safeguards) if len(safeguards) else None
    tested = [u for u in plan.units if u.harmful]
    width = max((u.pairs for u in tested), default=0)
    shape = (1, len(tested), max(width, 1))
    o, s, ok = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    sent: dict[tuple[str, str, str], int] = {}
    for unit in plan.units:
        sent[unit.key] = 0
        if not len(safeguards):
            continue
        mask = ((safeguards["suite"] == unit.label) & (safeguards["category"] == unit.category) & (safeguards["language"] == unit.language)).to_numpy()
        if not mask.any():
            continue
        uo, us, uok, sent[unit.key] = _unit_arrays(safeguards[mask], flags[mask], unit)
        if unit.harmful:
            k = tested.index(unit)
            n = min(len(uo), shape[2])
            o[0, k, :n], s[0, k, :n], ok[0, k, :n] = uo[:n], us[:n], uok[:n]
    result = None
    if tested:
        result = decide(
            o, s, ok, look_sizes(width, plan.first_round), design,
            pairs_total=np.array([u.pairs for u in tested]), available=np.array([sent[u.key] for u in tested]),
        )
    decisions: list[UnitDecision] = []
    for unit in plan.units:
        got = sent[unit.key]
        rounds_sent = sum(1 for n in unit.looks if n <= got)
        if not unit.harmful or result is None:
            decisions.append(UnitDecision(unit, None, None, None, got, rounds_sent, 1.0, None, None, None, got >= unit.pairs))
            continue
        k = tested.index(unit)
        code, look, closed = int(result.code[0, k]), int(result.look[0, k]), bool(result.closed[0, k])
        upto = int(result.pairs[0, k])
        d = s[0, k, :upto].astype(float) - o[0, k, :upto].astype(float)
        cs_low = cs_lower_bound(d, ok[0, k, :upto], design.retain_margin, design.alpha, design.bet_cap) if upto else None
        p_final = float(result.p_final[0, k])
        decisions.append(UnitDecision(
            unit,
            CODE_NAMES[code] if closed else None,
            look + 1 if look >= 0 else None,
            RULES[int(result.rule[0, k])] if look >= 0 else None,
            upto,
            rounds_sent,
            float(result.e_max[0, k]),
            cs_low,
            None if np.isnan(p_final) else p_final,
            float(result.p_adjusted[0, k]),
            closed,
        ))
    return decisions


def apply_sequential(analysis: dict[str, Any], paired: "pd.DataFrame", plan: Plan | None, thresholds: "Thresholds") -> None:
    """Put a sequential audit's decisions into the report data (verdicts, decided_at, the `sequential` section).

    A fixed-sample report gets `sequential: null` and `decided_at: null` per harmful category,
    so every report.json has the same shape.
    """
    from auditor.compare import over_refusal_section
    from auditor.stats.sequential import SequentialDesign
    from auditor.verdicts import summarise

    harmful = [c for c in analysis.get("categories", []) if c.get("variant") == "harmful"]
    if plan is None:
        analysis["sequential"] = None
        for entry in harmful:
            entry["decided_at"] = None
        return
    decisions = {d.unit.key: d for d in decide_units(paired, plan, thresholds)}
    design = SequentialDesign(alpha=thresholds.alpha, lost_drop=thresholds.lost_drop, retain_margin=thresholds.retain_margin, family=plan.family)
    for entry in analysis.get("categories", []):
        decision = decisions.get((entry.get("suite"), entry.get("category"), entry.get("language")))
        if decision is None or entry.get("variant") != "harmful":
            continue
        verdict = decision.verdict or "inconclusive"
        entry["verdict"] = verdict
        entry["p_adjusted"] = decision.p_adjusted
        if verdict != "inconclusive":
            entry["extra_pairs_needed"] = None
            entry["power_target"] = None
        entry["decided_at"] = (
            {"round": decision.decided_round, "pairs": decision.pairs_sent, "rule": decision.rule} if decision.decided_round else None
        )
        entry["sequential"] = {
            "pairs_sent": decision.pairs_sent,
            "pairs_total": decision.unit.pairs,
            "prompts_sent": decision.queries // MODELS,
            "e_value": decision.e_value,
            "e_threshold": design.e_threshold,
            "cs_low": decision.cs_low,
            "p_final": decision.p_final,
            "open": not decision.closed,
        }
    entries = list(decisions.values())
    used = sum(d.queries for d in entries)
    fixed = sum(MODELS * (u.records_at[-1] if u.records_at else 0) for u in plan.units)
    analysis["summary"] = summarise(harmful)
    analysis["over_refusal"] = over_refusal_section(analysis["categories"], (analysis.get("overall") or {}).get("benign"), thresholds)
    analysis["sequential"] = {
        "rounds": max((d.rounds_sent for d in entries), default=0),
        "rounds_planned": plan.rounds,
        "queries_used": used,
        "queries_fixed": fixed,
        "share_of_fixed": used / fixed if fixed else None,
        "pair_sizes": sorted({n for u in plan.units for n in u.looks}),
        "family": plan.family,
        "design": design.to_dict(),
        "test": "mixture sequential probability ratio test on the discordant pairs (beta-binomial mixture e-process, the sequential form of McNemar's test; Robbins 1970, Howard et al. 2021)",
        "confidence_sequence": (
            f"{1 - design.alpha:.0%} one-sided betting confidence sequence for the paired difference (Waudby-Smith & Ramdas 2024); "
            "a category is retained once it excludes a drop larger than the retain margin"
        ),
        "multiplicity": (
            f"Each category's always-valid p-value is the smaller of 2/(largest e-value) and, if its pairs ran out, 2 x the exact "
            f"McNemar p-value (alpha split in halves between the interim looks and the final fixed-sample test); Holm's procedure "
            f"across the {plan.family} categories after every round keeps the chance of any false lost, weakened or strengthened "
            f"verdict at or below alpha {design.alpha:g} however many rounds are looked at"
        ),
        "categories_open": sum(1 for d in entries if d.unit.harmful and not d.closed),
        "categories_decided_early": sum(1 for d in entries if d.unit.harmful and d.decided_round and d.pairs_sent < d.unit.pairs),
    }
    method = analysis.get("method")
    if isinstance(method, dict):
        method["sequential"] = analysis["sequential"]["multiplicity"]


def sequential_headline(sequential: dict[str, Any] | None) -> str | None:
    """One sentence for the executive summary of a sequential audit."""
    if not sequential:
        return None
    used, fixed = sequential.get("queries_used") or 0, sequential.get("queries_fixed") or 0
    share = f" ({used / fixed:.0%})" if fixed else ""
    early, family = sequential.get("categories_decided_early", 0), sequential.get("family", 0)
    rounds = sequential.get("rounds", 0)
    return (
        f"Sequential audit: {used:,} of the {fixed:,} prompts a fixed-sample audit sends{share}, in {rounds} "
        f"round{'s' if rounds != 1 else ''}; {early} of {family} categor{'ies' if family != 1 else 'y'} were decided by "
        "an always-valid test before their prompts ran out."
    )
