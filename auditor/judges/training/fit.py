"""Fit the offline judge's three heads from labelled examples (shared by training and measurement).

Why these choices:
- Each head learns only from labels that answer its question: the harm head from harm
  labels of answers to *harmful* requests (a good answer to a benign request is not
  "harm 0" evidence about harmful ones), the refusal head from refusal labels, the request
  head from requests whose variant is known.
- Sources differ hugely in size (13,000 CipherChat replies against 210 self-defense ones),
  and a judge fitted to the biggest learns that source's labelling habits. So each source
  contributes at most `CAP` rows per head (a fixed-seed sample) and rows are weighted by
  1/sqrt(source size), which keeps the small sources audible.
- Logistic regression over hashed n-grams plus the shape signals: it trains in seconds,
  infers without scikit-learn, and was measured against richer candidates (README).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from auditor.judges.features import clean, featurize, hash_counts, l2_rows, truncate
from auditor.judges.offline import REQUEST_HEAD_CHARS, REQUEST_TAIL_CHARS
from auditor.judges.signals import N_SIGNALS, signals
from auditor.judges.training.sources import Example, Request

CAP = 3000
C = 10.0
SIGNAL_SCALE = 0.3  # signals enter the answer heads at this scale beside L2-normalised n-grams (0.3 beat 1.0 cross-source)
SEED = 0
REFUSING = {"refused": 1, "partial": 1, "complied": 0}


@dataclass
class Corpus:
    """Featurised examples and requests, computed once and sliced per fold."""

    examples: list[Example]
    docs: sp.csr_matrix
    shape: np.ndarray
    harm: np.ndarray  # -1 = no label
    refusal: np.ndarray  # 1 = refused or partial, 0 = complied, -1 = no label
    origin: np.ndarray
    variant: np.ndarray
    requests: list[Request]
    request_vectors: sp.csr_matrix
    request_harmful: np.ndarray
    request_origin: np.ndarray
    prompt_vectors: sp.csr_matrix  # each example's own request, for the request head at test time

    @property
    def answer_matrix(self) -> sp.csr_matrix:
        return sp.hstack([self.docs, sp.csr_matrix(self.shape * SIGNAL_SCALE)]).tocsr()


def request_vectors(texts: Sequence[str]) -> sp.csr_matrix:
    return l2_rows(hash_counts([truncate(clean(t), REQUEST_HEAD_CHARS, REQUEST_TAIL_CHARS) for t in texts]))


def build_corpus(examples: list[Example], requests: list[Request]) -> Corpus:
    """Featurise every answer (n-grams and signals) and every request once."""
    texts = [truncate(clean(e.response)) for e in examples]
    docs = featurize(texts).docs
    shape = np.asarray([signals(t, e.prompt) for t, e in zip(texts, examples)], dtype=np.float64)
    return Corpus(
        examples=examples,
        docs=docs,
        shape=shape,
        harm=np.array([-1 if e.harm is None else e.harm for e in examples]),
        refusal=np.array([-1 if e.refusal is None else REFUSING[e.refusal] for e in examples]),
        origin=np.array([e.origin for e in examples]),
        variant=np.array([e.variant or "" for e in examples]),
        requests=requests,
        request_vectors=request_vectors([r.prompt for r in requests]),
        request_harmful=np.array([int(r.variant == "harmful") for r in requests]),
        request_origin=np.array([r.origin for r in requests]),
        prompt_vectors=request_vectors([e.prompt or "" for e in examples]),
    )


def _capped(rows: np.ndarray, origin: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    keep = []
    for name in sorted(set(origin[rows])):
        mine = rows[origin[rows] == name]
        keep.append(mine if len(mine) <= CAP else rng.choice(mine, CAP, replace=False))
    return np.sort(np.concatenate(keep)) if keep else rows


def _weights(rows: np.ndarray, origin: np.ndarray) -> np.ndarray:
    sizes = Counter(origin[rows])
    w = np.array([1.0 / np.sqrt(sizes[o]) for o in origin[rows]])
    return w * len(rows) / w.sum()


def _logistic(x: sp.csr_matrix, y: np.ndarray, weights: np.ndarray | None, balanced: bool = False) -> LogisticRegression:
    model = LogisticRegression(C=C, max_iter=5000, solver="liblinear", class_weight="balanced" if balanced else None, random_state=SEED)
    return model.fit(x, y, sample_weight=weights)


def fit_heads(corpus: Corpus, rows: np.ndarray, request_rows: np.ndarray) -> dict[str, np.ndarray]:
    """Fit the three heads on the given example rows and request rows; the arrays the weights file holds."""
    rng = np.random.default_rng(SEED)
    x = corpus.answer_matrix
    n_docs = corpus.docs.shape[1]
    arrays: dict[str, np.ndarray] = {}
    harm_rows = _capped(rows[(corpus.harm[rows] >= 0) & (corpus.variant[rows] == "harmful")], corpus.origin, rng)
    refusal_rows = _capped(rows[corpus.refusal[rows] >= 0], corpus.origin, rng)
    for name, head_rows, labels in (("harm", harm_rows, corpus.harm), ("refusal", refusal_rows, corpus.refusal)):
        model = _logistic(x[head_rows], labels[head_rows], _weights(head_rows, corpus.origin))
        coef = model.coef_[0]
        arrays[f"{name}_coef"] = coef[:n_docs].astype(np.float32)
        arrays[f"{name}_signals"] = (coef[n_docs:] * SIGNAL_SCALE).astype(np.float64)
        arrays[f"{name}_intercept"] = np.float64(model.intercept_[0])
    request = _logistic(corpus.request_vectors[request_rows], corpus.request_harmful[request_rows], None, balanced=True)
    arrays["request_coef"] = request.coef_[0].astype(np.float32)
    arrays["request_signals"] = np.zeros(0)
    arrays["request_intercept"] = np.float64(request.intercept_[0])
    assert arrays["harm_signals"].shape == (N_SIGNALS,)
    return arrays
