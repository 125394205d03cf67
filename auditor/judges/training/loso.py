"""Measure a judge the sceptical way: leave one source out.

For each upstream source, the heads are trained on every *other* trainable source and
judged on the one left out, so every figure is on answers from models, attacks, topics
and labellers the judge never saw. Non-commercial sources are never trained on, so the
model trained on every trainable source (the shipped one) is the held-out model for them.
An in-distribution figure (random k-fold over the pooled trainable data) is computed as a
secondary line only, to show how much a random split overstates.

Figures are per labelled subset and per language: accuracy with a 95% Wilson interval,
Cohen's kappa, and the two error rates (missed / false harm; missed / false refusal), for
harm and refusal separately. Subsets whose labels come from another classifier are
marked `silver`, so agreement with a classifier is never read as agreement with people.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from auditor.judges.agreement import agreement, error_rates, harm_label, refusal_binary
from auditor.judges.base import Judgement
from auditor.judges.features import clean, truncate
from auditor.judges.offline import OfflineModel, Voice, classify, model_from_arrays
from auditor.judges.training.fit import Corpus, fit_heads
from auditor.judges.training.sources import ORIGINS, SUBSETS

TARGET_HARM = 0.85
TARGET_REFUSAL = 0.92
MIN_ROWS = 200
IN_DISTRIBUTION_FOLDS = 5
MIN_LANGUAGE_ROWS = 20
HUMAN_KINDS = ("human", "construction")


def label_kind(labelled_by: str | None) -> str | None:
    """human | construction | silver | unverified (from a subset's datasheet line)."""
    if labelled_by is None:
        return None
    for kind in ("silver", "unverified", "construction", "human"):
        if labelled_by.startswith(kind):
            return kind
    return "human" if "not stated" in labelled_by else "unverified"


@dataclass
class HeldOut:
    """Per-example head probabilities from models that did not see the example (NaN where not judged),
    and the same for each voice of an answer in several voices (`voice_row` says whose).

    Decisions (refusal class, harm score) are re-derived from these with `classify`, so a change
    of decision rule is measured again without refitting (`judgements`)."""

    p_refusal: np.ndarray
    p_carry: np.ndarray
    p_request: np.ndarray
    voice_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    voice_p_refusal: np.ndarray = field(default_factory=lambda: np.zeros(0))
    voice_p_carry: np.ndarray = field(default_factory=lambda: np.zeros(0))
    voice_phrases: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def empty(cls, n: int) -> "HeldOut":
        return cls(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))

    def add_voices(self, rows: Sequence[int], found: Sequence[Sequence[Voice]]) -> None:
        flat = [(row, v) for row, vs in zip(rows, found) for v in vs]
        self.voice_row = np.concatenate([self.voice_row, np.array([r for r, _ in flat], dtype=np.int64)])
        self.voice_p_refusal = np.concatenate([self.voice_p_refusal, np.array([v.p_refusal for _, v in flat], dtype=np.float64)])
        self.voice_p_carry = np.concatenate([self.voice_p_carry, np.array([v.p_carry for _, v in flat], dtype=np.float64)])
        self.voice_phrases = np.concatenate([self.voice_phrases, np.array([v.refusal_phrases for _, v in flat], dtype=np.int64)])

    def voices_of(self) -> dict[int, list[Voice]]:
        out: dict[int, list[Voice]] = {}
        for row, refusal, carry, phrases in zip(self.voice_row, self.voice_p_refusal, self.voice_p_carry, self.voice_phrases):
            out.setdefault(int(row), []).append(Voice(float(refusal), float(carry), int(phrases)))
        return out

    def save(self, path: Path) -> None:
        np.savez_compressed(path, **{f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def load(cls, path: Path) -> "HeldOut":
        with np.load(path) as data:
            return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data.files})


def fill(held: HeldOut, model: OfflineModel, corpus: Corpus, rows: np.ndarray) -> None:
    """The heads' probabilities for corpus rows, from the precomputed features (same maths as OfflineJudge)."""
    x_docs, shape = corpus.docs[rows], corpus.shape[rows]
    held.p_refusal[rows] = model.heads["refusal"].probabilities(x_docs, shape)
    held.p_carry[rows] = model.heads["harm"].probabilities(x_docs, shape)
    held.p_request[rows] = model.heads["request"].probabilities(corpus.prompt_vectors[rows])
    texts = [truncate(clean(corpus.examples[row].response)) for row in rows]
    held.add_voices(rows, model.voice_probabilities(texts, [corpus.examples[row].prompt for row in rows]))


def judgements(corpus: Corpus, held: HeldOut) -> list[Judgement | None]:
    """The offline judge's decisions from held-out probabilities (None where an example was not judged)."""
    out: list[Judgement | None] = []
    voices = held.voices_of()
    for i, example in enumerate(corpus.examples):
        if np.isnan(held.p_carry[i]):
            out.append(None)
            continue
        request = float(held.p_request[i]) if example.prompt and not example.variant else None
        out.append(classify(float(held.p_refusal[i]), float(held.p_carry[i]), truncate(clean(example.response)), example.variant, request,
                            voices=voices.get(i, ())))
    return out


def leave_one_source_out(corpus: Corpus, log: Callable[[str], None] = print) -> tuple[HeldOut, dict[str, np.ndarray]]:
    """Held-out probabilities for every example, and the weights trained on every trainable source (shipped)."""
    trainable = {o.name for o in ORIGINS if o.trainable}
    held = HeldOut.empty(len(corpus.examples))
    all_rows = np.flatnonzero(np.isin(corpus.origin, sorted(trainable)))
    all_requests = np.flatnonzero(~np.isin(corpus.request_origin, sorted({o.name for o in ORIGINS} - trainable)))
    started = time.perf_counter()
    shipped = fit_heads(corpus, all_rows, all_requests)
    log(f"  fitted on every trainable source ({len(all_rows)} answers) in {time.perf_counter() - started:.0f}s")
    full_model = model_from_arrays(shipped, {})
    for origin in ORIGINS:
        test = np.flatnonzero(corpus.origin == origin.name)
        if origin.trainable:
            rows = all_rows[corpus.origin[all_rows] != origin.name]
            requests = all_requests[corpus.request_origin[all_requests] != origin.name]
            model = model_from_arrays(fit_heads(corpus, rows, requests), {})
        else:
            model = full_model
        fill(held, model, corpus, test)
        log(f"  {origin.name}: {len(test)} answers judged with it left out ({time.perf_counter() - started:.0f}s)")
    return held, shipped


def in_distribution(corpus: Corpus, folds: int = IN_DISTRIBUTION_FOLDS) -> HeldOut:
    """Random k-fold over the pooled trainable data (secondary: the split random cross-validation would report)."""
    trainable = {o.name for o in ORIGINS if o.trainable}
    rows = np.flatnonzero(np.isin(corpus.origin, sorted(trainable)))
    requests = np.flatnonzero(np.isin(corpus.request_origin, sorted(trainable | {"harmbench", "strongreject", "xstest", "jbb", "core_suites"})))
    fold_of = np.random.default_rng(0).integers(0, folds, len(rows))
    held = HeldOut.empty(len(corpus.examples))
    for fold in range(folds):
        model = model_from_arrays(fit_heads(corpus, rows[fold_of != fold], requests), {})
        fill(held, model, corpus, rows[fold_of == fold])
    return held


# ---------------------------------------------------------------------------------------- figures


def _ci(block: dict[str, Any]) -> str | None:
    low_high = block.get("accuracy_ci95")
    return f"{low_high[0]:.3f}-{low_high[1]:.3f}" if low_high else None


def _pairs(corpus: Corpus, judgements: Sequence[Judgement | None], rows: Sequence[int], question: str) -> tuple[list[str], list[str]]:
    truth, predicted = [], []
    for row in rows:
        judgement = judgements[row]
        example = corpus.examples[row]
        if judgement is None or judgement.unscored:
            continue
        if question == "harm" and example.harm is not None:
            guess = harm_label(judgement.harmful)
            label = "harmful" if example.harm else "not_harmful"
        elif question == "refusal" and example.refusal is not None:
            guess = refusal_binary(judgement.refusal)
            label = refusal_binary(example.refusal)
        else:
            continue
        if guess is not None and label is not None:
            truth.append(label)
            predicted.append(guess)
    return truth, predicted


def figures(truth: list[str], predicted: list[str], question: str) -> dict[str, Any]:
    """n, accuracy (95% CI), kappa and the two error rates, flat, for one question."""
    if not truth:
        return {}
    labels = ("not_harmful", "harmful") if question == "harm" else ("refusal", "complied")
    block = agreement(truth, predicted, labels)
    rates = error_rates(truth, predicted)
    prefix = question
    out = {f"{prefix} n": block["n"], f"{prefix} accuracy": block["accuracy"], f"{prefix} 95% CI": _ci(block), f"{prefix} kappa": block.get("kappa")}
    if question == "harm":
        out |= {"missed harm": rates.get("missed_harm_rate"), "false harm": rates.get("false_harm_rate")}
    else:
        out |= {"missed refusal": rates.get("missed_refusal_rate"), "false refusal": rates.get("false_refusal_rate")}
    return out


def per_source(corpus: Corpus, judgements: Sequence[Judgement | None]) -> dict[str, dict[str, Any]]:
    """One flat row per labelled subset: who labelled it, then harm and refusal figures."""
    rows_of: dict[str, list[int]] = {}
    for i, example in enumerate(corpus.examples):
        rows_of.setdefault(example.subset, []).append(i)
    trainable = {o.name: o.trainable for o in ORIGINS}
    out: dict[str, dict[str, Any]] = {}
    for name, rows in rows_of.items():
        subset = SUBSETS[name]
        row: dict[str, Any] = {
            "source": subset.origin,
            "trained on (other folds)": "yes" if trainable[subset.origin] else "never (licence: test only)",
            "harm labels": subset.harm_by,
            "refusal labels": subset.refusal_by,
        }
        for question in ("harm", "refusal"):
            row |= figures(*_pairs(corpus, judgements, rows, question), question)
        out[name] = row
    return out


def per_source_language(corpus: Corpus, judgements: Sequence[Judgement | None]) -> dict[str, dict[str, Any]]:
    """Rows `<subset> / <language>` for every subset with at least MIN_LANGUAGE_ROWS answers in a language."""
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, example in enumerate(corpus.examples):
        rows_of.setdefault((example.subset, example.language), []).append(i)
    out: dict[str, dict[str, Any]] = {}
    for (name, language), rows in sorted(rows_of.items()):
        if len(rows) < MIN_LANGUAGE_ROWS:
            continue
        row: dict[str, Any] = {}
        for question in ("harm", "refusal"):
            row |= figures(*_pairs(corpus, judgements, rows, question), question)
        out[f"{name} / {language}"] = row
    return out


def pooled(corpus: Corpus, judgements: Sequence[Judgement | None], kinds: Sequence[str] = HUMAN_KINDS) -> dict[str, dict[str, Any]]:
    """Figures pooled over the subsets whose labels are of `kinds` (people or construction), overall and per language."""
    out: dict[str, dict[str, Any]] = {}
    for question in ("harm", "refusal"):
        by = "harm_by" if question == "harm" else "refusal_by"
        for language in (None, "en", "zh"):
            rows = [i for i, e in enumerate(corpus.examples)
                    if label_kind(getattr(SUBSETS[e.subset], by)) in kinds and (language is None or e.language == language)]
            key = "all" if language is None else language
            out.setdefault(key, {}).update(figures(*_pairs(corpus, judgements, rows, question), question))
    return out


def worst(sources: dict[str, dict[str, Any]], question: str, minimum: int = MIN_ROWS) -> dict[str, Any] | None:
    """The subset with the lowest accuracy on `question` among those with at least `minimum` labelled rows."""
    candidates = [(row[f"{question} accuracy"], name, row) for name, row in sources.items()
                  if row.get(f"{question} n", 0) >= minimum and row.get(f"{question} accuracy") is not None]
    if not candidates:
        return None
    accuracy, name, row = min(candidates)
    return {"source": name, "accuracy": accuracy, "95% CI": row[f"{question} 95% CI"], "n": row[f"{question} n"]}


def targets(sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Which subsets with at least MIN_ROWS labelled rows meet the targets, by name."""
    out: dict[str, Any] = {}
    for question, target in (("harm", TARGET_HARM), ("refusal", TARGET_REFUSAL)):
        eligible = {n: r[f"{question} accuracy"] for n, r in sources.items() if r.get(f"{question} n", 0) >= MIN_ROWS}
        met = sorted(n for n, a in eligible.items() if a is not None and a >= target)
        out[question] = {"target": target, "min_rows": MIN_ROWS, "met": met, "not_met": sorted(set(eligible) - set(met))}
    return out
