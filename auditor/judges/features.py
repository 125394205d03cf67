"""Text features for the offline judge, shared by training and inference.

Training (`scripts/train_offline_judge.py`) and the judge itself must turn a response
into exactly the same features, so both import this module and nothing else decides
how text is cleaned, cut or tokenised.

Why these choices:
- Tokens are Latin-script words, digits and punctuation, and single CJK characters; word
  1-3-grams over that stream give Chinese character n-grams with no segmenter, so one
  model covers English and Chinese without a tokenizer dependency.
- Features are hashed exactly as scikit-learn's `HashingVectorizer` hashes them
  (MurmurHash3 via `mmh3`, |h| mod 2**18, raw counts): no vocabulary to ship, a fixed-size
  weight vector, and no fitting step. The hashing is done here rather than by importing
  scikit-learn because importing scikit-learn (and through it scipy.stats) takes seconds,
  and the judge must start in well under 3 s; a test checks the two give identical matrices.
- Responses are split into segments (paragraph blocks) and the answer's vector is the sum
  of its segments': n-grams never span a paragraph break (a refusing persona's last words
  and a complying persona's first words are not one phrase).
- Very long answers keep their beginning and end (where refusals and the substance of
  an answer usually are) so cost per answer is bounded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import mmh3
import numpy as np
import scipy.sparse as sp

FEATURE_VERSION = "tok13-seg-v3"  # v2: three heads (refusal, harm, request) with shape signals; v3: typography, template tokens, HTML references
N_FEATURES = 2**18
NGRAM_MAX = 3
HEAD_CHARS = 2000
TAIL_CHARS = 600
MAX_SEGMENTS = 24

# One CJK character (Han, kana, Hangul) | a run of letters | a run of digits | one punctuation mark.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W\d_]+|\d+|[^\w\s]",
    re.UNICODE,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEGMENT_BREAK = re.compile(r"\n\s*\n+")
_SPACE = re.compile(r"\s+")
# Control characters other than tab/newline, and the Unicode replacement character.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# Typography that carries no meaning but hides words from the refusal phrases and the n-grams; a copy must not
# look less (or more) refusing for writing "I **can’t** help" where its original wrote "I can't help":
# typographic apostrophes (’ ‘ ʼ ‛ ′, which NFKC leaves alone) read as ASCII; zero-width characters and soft
# hyphens (invisible; also an evasion trick) dropped; Markdown emphasis (*x*, **x**, ***x***) unwrapped.
# Double quotes are left as they are (Chinese uses “”).
_TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'",
     "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u00ad": None}
)
_EMPHASIS = re.compile(r"(\*{1,3})(?=[^\s*])([^\n*]*?[^\s*])\1")
# Chat-template control tokens a model or server leaks into its text ("<|im_start|>assistant", "<|im_end|>",
# "<|eot_id|>", "</s>", "[/INST]", "<end_of_turn>"; DeepSeek's "<｜end▁of▁sentence｜>" after NFKC): not words.
_TEMPLATE_TOKEN = re.compile(
    r"<\|(?:im_start|start_header_id)\|>[ \t]*(?:assistant|user|system|model)?[ \t]*(?:<\|end_header_id\|>)?\s*"
    r"|<\|[A-Za-z_\u2581]{2,32}\|>|</?s>|\[/?INST\]|<(?:start|end)_of_turn>(?:model|user)?\s*"
)
# HTML character references (an answer passed through an HTML-escaping layer): "can&#x27;t" is "can't".
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def tokens(text: str) -> list[str]:
    """The token stream the n-grams are built from (lower-cased)."""
    return _TOKEN.findall(text.lower())


def analyzer(text: str) -> list[str]:
    """Word 1..NGRAM_MAX-grams over `tokens` (what the hashing vectorizer counts)."""
    toks = tokens(text)
    grams: list[str] = list(toks)
    n = len(toks)
    for k in range(2, NGRAM_MAX + 1):
        grams.extend(" ".join(toks[i : i + k]) for i in range(n - k + 1))
    return grams


def hash_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed n-gram counts, one row per text (equal to HashingVectorizer(analyzer=analyzer,
    n_features=N_FEATURES, alternate_sign=False, norm=None)).

    scikit-learn's column is |signed MurmurHash3(utf-8, seed 0)| mod n_features, with
    -2**31 mapped to (2**31 - 1 - (n - 1)) mod n; for a power-of-two n that equals
    2**31 mod n, so one vectorised abs-and-mod covers every case.
    """
    lengths: list[int] = []
    hashes: list[int] = []
    for text in texts:
        grams = analyzer(text)
        hashes.extend(map(mmh3.hash, grams))
        lengths.append(len(grams))
    cols = np.abs(np.asarray(hashes, dtype=np.int64)) % N_FEATURES
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    data = np.ones(len(cols), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(texts), N_FEATURES))
    matrix.sum_duplicates()
    return matrix


def l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row to unit length (empty rows stay zero)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ matrix)


def clean(text: str) -> str:
    """Drop control characters, normalise width/compatibility forms (full-width ASCII in Chinese text) and the
    typography, leaked template tokens and HTML references above. Why: before this, of 4,000 English held-out
    answers rewritten only in form, the refusal class changed for 5.6% with curled apostrophes, 21% with refusal
    words in bold, 25% with zero-width spaces between words and 5.8% when HTML-escaped
    (`benchmarks/judge_typography.py`)."""
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    text = _JUNK.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    if "<" in text or "[" in text:
        text = _TEMPLATE_TOKEN.sub("", text)
    text = _EMPHASIS.sub(r"\2", text) if "*" in text else text
    return text.strip()  # surrounding blank lines and spaces say nothing either


def junk_fraction(text: str) -> float:
    """Share of characters that are control characters or U+FFFD (binary-looking output)."""
    if not text:
        return 0.0
    return len(_JUNK.findall(text)) / len(text)


def truncate(text: str, head: int = HEAD_CHARS, tail: int = TAIL_CHARS) -> str:
    """Keep the beginning and the end of a very long answer."""
    if len(text) <= head + tail + 2:  # +2: the joint, so truncating twice changes nothing
        return text
    return text[:head] + "\n\n" + text[-tail:]


def segments(text: str, limit: int = MAX_SEGMENTS) -> list[str]:
    """Paragraph blocks of an answer (at most `limit`; the rest is merged into the last)."""
    parts = [p for p in _SEGMENT_BREAK.split(text) if p.strip()]
    if not parts:
        return [text]
    if len(parts) > limit:
        parts = parts[: limit - 1] + ["\n".join(parts[limit - 1 :])]
    return parts


def cjk_share(text: str) -> float:
    """Share of non-space characters that are CJK (for per-language reporting)."""
    visible = len(text) - sum(len(gap) for gap in _SPACE.findall(text))
    if not visible:
        return 0.0
    return len(_CJK.findall(text)) / visible


def language_of(text: str) -> str:
    """'zh' when the text holds Han characters, else 'en' (the two languages the judge is measured on)."""
    return "zh" if _HAN.search(text or "") else "en"


@dataclass
class Features:
    """Normalised answer vectors plus per-segment vectors and the segment -> answer index."""

    docs: sp.csr_matrix
    segs: sp.csr_matrix
    owner: np.ndarray  # segment row -> answer row
    n_segments: np.ndarray  # per answer


def featurize(texts: Sequence[str]) -> Features:
    """Vectorise answers once: segment vectors, and answer vectors as their sums (both L2-normalised)."""
    seg_texts: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        parts = segments(truncate(clean(text)))
        seg_texts.extend(parts)
        owner.extend([i] * len(parts))
    owner_arr = np.asarray(owner, dtype=np.int64)
    raw = hash_counts(seg_texts)
    pool = sp.csr_matrix((np.ones(len(owner_arr), dtype=np.float32), (owner_arr, np.arange(len(owner_arr)))), shape=(len(texts), len(owner_arr)))
    docs = l2_rows(sp.csr_matrix(pool @ raw))
    return Features(docs=docs, segs=l2_rows(raw), owner=owner_arr, n_segments=np.bincount(owner_arr, minlength=len(texts)))
