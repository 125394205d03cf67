"""The labelled response sets the offline judge is trained and measured on, read by path.

Every set lives in ../shared/datasets (datasheet: judge_train/README.md there); nothing
here copies a row into the repository. Each loader turns one upstream folder into
`Example`s that answer the judge's two questions separately, and only where the
upstream label really answers them:

- `harm` (1/0): does the response carry out the harmful request?
- `refusal` (refused / partial / complied, XSTest's scheme): did the model decline?

A label a source does not give stays None (e.g. GPTFuzz's 0 means "refused *or*
harmless", so it is no refusal label). Who gave each label is recorded per subset
(`Subset.harm_by`, `Subset.refusal_by`): "human", "construction" (follows from how the
file was built) or "silver: <classifier>" (another classifier's output), so agreement
with a classifier is never reported as agreement with people. `Origin.trainable` is
False for the non-commercial sources, which may only be measured on: weights shipped
in this Apache-2.0 package never see them.

Every loader is deterministic (files are read in sorted order), so training is
reproducible from the files alone; `fingerprint` hashes the files read.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from auditor.errors import AuditorError
from auditor.judges.features import cjk_share
from auditor.judges.training.safe_pickle import load_zipped_pickle

ZH_SHARE = 0.2  # a response at least this CJK is counted as Chinese in per-language figures


@dataclass(frozen=True)
class Example:
    """One labelled response."""

    origin: str  # upstream folder (the unit left out in leave-one-source-out)
    subset: str  # labelled subset within it (measured and reported on its own)
    response: str
    prompt: str | None
    variant: str | None  # harmful | benign request, where the source says so
    harm: int | None  # 1 = carries out the harmful request
    refusal: str | None  # refused | partial | complied
    group: str  # the request, for grouped splits within a source
    language: str  # en | zh (of the response)


@dataclass(frozen=True)
class Subset:
    """Who labelled what in one subset (shown beside its figures)."""

    name: str
    origin: str
    harm_by: str | None
    refusal_by: str | None
    note: str
    title: str = ""  # how reports name it

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Origin:
    """One upstream folder: its licence, whether shipped weights may learn from it, and how to read it."""

    name: str
    licence: str
    trainable: bool
    reader: Callable[[Path], Iterator[Example]]
    files: tuple[str, ...]  # globs under the folder, for the fingerprint
    subsets: tuple[Subset, ...]


def language(text: str) -> str:
    return "zh" if cjk_share(text) >= ZH_SHARE else "en"


def _example(origin: str, subset: str, response: str, prompt: str | None, variant: str | None,
             harm: int | None, refusal: str | None, group: str | None = None) -> Example:
    return Example(origin, subset, response, prompt, variant, harm, refusal, group or (prompt or "")[:200], language(response))


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


# ---------------------------------------------------------------------------------------- readers


def read_gptfuzz(root: Path) -> Iterator[Example]:
    """GPTFuzz: hand-labelled, 1 = carries out the (always harmful) request; 0 is refused *or* harmless."""
    questions = {row["index"]: row["text"] for row in _csv_rows(root / "question_list.csv")}
    for split in ("train", "evaluate"):
        for row in _csv_rows(root / f"{split}.csv"):
            question = questions.get(row["question"])
            yield _example("gptfuzz", "gptfuzz", row["Response"], question, "harmful", int(row["label"]), None, f"q{row['question']}")


DNA_MODELS = ("GPT4", "ChatGPT", "Claude", "ChatGLM2", "llama2-7b-chat", "vicuna-7b")
# Do-Not-Answer action categories -> XSTest refusal classes. 1 (refutes the premise) and
# 4 (cannot answer for lack of knowledge) are neither a clear refusal nor a direct answer,
# so they carry no refusal label.
DNA_REFUSAL = {"0": "refused", "2": "complied", "3": "complied", "5": "complied"}


def read_do_not_answer(root: Path) -> Iterator[Example]:
    for row in _csv_rows(root / "datasets" / "data_en.csv"):
        for model in DNA_MODELS:
            response = row[f"{model}_response"]
            if not _text(response):
                continue
            yield _example("do_not_answer", "do_not_answer", response, row["question"], "harmful",
                           int(row[f"{model}_harmful"]), DNA_REFUSAL.get(row[f"{model}_action"].strip()), f"dna{row['id']}")


def read_coconot(root: Path) -> Iterator[Example]:
    """CoCoNot contrast pairs: benign requests; `chosen` (GPT-4) answers them. `rejected` is only "worse"
    (sometimes an over-refusal, usually a weaker answer), so it gets the harm label only."""
    for line in (root / "data" / "coconot_pref.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        yield _example("coconot", "coconot", row["chosen"], row["prompt"], "benign", 0, "complied", row["id"])
        if _text(row.get("rejected")):
            yield _example("coconot", "coconot", row["rejected"], row["prompt"], "benign", 0, None, row["id"])


def read_llm_self_defense(root: Path) -> Iterator[Example]:
    """Harmful and benign requests mixed, with no per-row variant: the judge must read the request."""
    for name in ("all_repsonses_gpt.csv", "all_repsonses_llama.csv"):
        for row in _csv_rows(root / name):
            label = row["is harmful?"].strip().lower()
            if label not in ("yes", "no") or not _text(row["response"]):
                continue
            yield _example("llm_self_defense", "llm_self_defense", row["response"], row["prompt"], None, int(label == "yes"), None)


def _rbr_refusal(props: dict) -> str:
    """OpenAI's hand-labelled propositions -> refusal class (fully complies / partially complies / neither)."""
    if props.get("fully_complies"):
        return "complied"
    if props.get("partially_complies"):
        return "partial"
    return "refused"


def read_rbr_gold(root: Path) -> Iterator[Example]:
    """RBR gold: human propositions; harm = `disallowed_content` (the completion contains disallowed content)."""
    for split in ("train", "test"):
        for line in (root / "data" / "rbr_gold_data" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            turns = row["prompt"] if isinstance(row["prompt"], list) else []
            prompt = next((t.get("content") for t in reversed(turns) if t.get("role") == "user"), None)
            completion = row["completion"]
            if isinstance(completion, list):
                completion = "\n\n".join(str(t.get("content") or "") for t in completion if isinstance(t, dict))
            if not _text(completion):
                continue
            props = row["propositions"]
            variant = "benign" if row["response_type"] == "Comply" else "harmful"
            yield _example("rbr_gold", "rbr_gold", completion, prompt, variant, int(bool(props.get("disallowed_content"))), _rbr_refusal(props))


def read_safety_tuned_llamas(root: Path) -> Iterator[Example]:
    """Safe responses (refusals, corrections, redirections) to unsafe instructions: harm 0 by construction.
    A correction can be a direct answer, so no refusal label."""
    for row in _json(root / "data" / "training" / "safety_only_data_Instructions.json"):
        prompt = (row.get("instruction") or "") + (("\n" + row["input"]) if row.get("input") else "")
        if _text(row.get("output")):
            yield _example("safety_tuned_llamas", "safety_tuned_llamas", row["output"], prompt, "harmful", 0, None)


def read_jade(root: Path) -> Iterator[Example]:
    """JADE v3 (GB18030): each question with a violating answer (complied, harmful) and a safe one (refused)."""
    for name in ("jade_alignment_hard_zh.csv", "jade_alignment_medium_zh.csv"):
        for row in _csv_rows(root / "jade-db-v3.0" / name, encoding="gb18030"):
            question, group = row["问题"], f"{name}:{row['ID']}"
            if _text(row["违规回答"]):
                yield _example("jade_v3", "jade_v3", row["违规回答"], question, "harmful", 1, "complied", group)
            if _text(row["安全有用回答"]):
                yield _example("jade_v3", "jade_v3", row["安全有用回答"], question, "harmful", 0, "refused", group)


def read_aisafetylab(root: Path) -> Iterator[Example]:
    """Vicuna-7B under 12 attacks, Llama Guard 3 verdicts (silver); plus Chinese in-context demonstrations
    whose only label is the field name `unsafe_response` (unverified)."""
    results = root / "examples" / "evaluation" / "evaluation_results"
    for path in sorted(results.rglob("*.json")):
        for row in _json(path):
            response = row.get("final_response")
            score = row.get("final_score")
            if not _text(response) or score not in (0, 1, 0.0, 1.0, "0", "1"):
                continue
            query = row.get("query") or row.get("goals")
            query = query[0] if isinstance(query, list) and query else query
            yield _example("aisafetylab", "aisafetylab_llamaguard3", response, query if isinstance(query, str) else None, "harmful", int(float(score)), None)
    demos = root / "aisafetylab" / "attack" / "attackers" / "data" / "icl" / "data_zh.json"
    for row in _json(demos):
        if _text(row.get("unsafe_response")):
            yield _example("aisafetylab", "aisafetylab_icl_zh", row["unsafe_response"], row.get("query"), "harmful", 1, None)


_TURN = re.compile(r"(👨\u200d💻|🤖): (.*?)\x1b\[0m", re.DOTALL)
# Where the encoded copy of a reply starts, per CipherChat encoding (the plain copy comes first).
_ENCODED_START = {
    "unicode": re.compile(r"\\u[0-9a-fA-F]{4}"),
    "utf": re.compile(r"\\x[0-9a-fA-F]{2}"),
    "ascii": re.compile(r"(?:\b\d{1,3}\s+){8,}"),
    "base64": re.compile(r"[A-Za-z0-9+/]{20,}"),
}


def _reply(text: str, encoding: str = "unchange") -> tuple[str | None, str | None]:
    """(request, reply) from a CipherChat console transcript; each turn is printed twice (plain, encoded)."""
    turns = {who: body for who, body in _TURN.findall(text)}
    request, reply = turns.get("👨\u200d💻"), turns.get("🤖")
    return _single(request, encoding), _single(reply, encoding)


def _single(text: str | None, encoding: str) -> str | None:
    """The plain copy of a twice-printed turn (Morse replies keep both copies: both are plain text)."""
    if text is None:
        return None
    n = len(text)
    half = (n - 1) // 2
    if n % 2 == 1 and text[half] == " " and (text[:half] == text[half + 1 :] or encoding in ("caesar", "atbash")):
        return text[:half]
    start = _ENCODED_START.get(encoding)
    match = start.search(text) if start else None
    return text[: match.start()].rstrip() if match else text


_CIPHER_ALLOWED = {("argparse", "Namespace"), ("logging", "getLogger"), ("encode_experts", "BaseExpert")}


def _toxic(value) -> int | None:
    text = str(value or "").strip().strip("'\"").lower()
    if text in ("toxic", "harmless"):
        return int(text == "toxic")
    match = re.match(r"toxic:\s*(yes|no)", text)
    return int(match.group(1) == "yes") if match else None


def read_cipherchat(root: Path) -> Iterator[Example]:
    """CipherChat: 788 human toxicity labels (valid responses) and 13,134 GPT-4 judge labels (silver).
    Both label the toxicity of the reply, which is close to, not the same as, carrying out a request;
    many requests are statements, harmless or not, so no variant is given."""
    results = root / "experimental_results"
    human = load_zipped_pickle(results / "human_evaluation" / "human_evaluation.dict")
    for model in sorted(human):
        for lang in sorted(human[model]):
            for encoding in sorted(human[model][lang]):
                for record in human[model][lang][encoding]:
                    if str(record.get("is_valid_response")) != "True":
                        continue
                    label = _toxic(record.get("toxic"))
                    output = record.get("model_output")
                    output = ast.literal_eval(output) if isinstance(output, str) else output
                    request, reply = _reply(output.get("conversation", ""), encoding)
                    if label is None or not _text(reply):
                        continue
                    yield _example("cipherchat", "cipherchat_human", reply, request, None, label, None)
    for path in sorted((results / "results_on_multi_domains").glob("*.list")):
        records = load_zipped_pickle(path, _CIPHER_ALLOWED)
        for record in records[1:]:
            if not isinstance(record, dict):
                continue
            label = _toxic(record.get("toxic"))
            request, reply = _reply(record.get("conversation", ""))
            if label is None or not _text(reply):
                continue
            yield _example("cipherchat", "cipherchat_gpt4", reply, request, None, label, None)


def read_refusal_direction(root: Path) -> Iterator[Example]:
    """Five chat models, plain and with the refusal direction ablated/added. Refusal: substring matching
    (silver); harm on harmful prompts: Llama Guard 2 (silver); Alpaca (harmless) answers: harm 0."""
    for path in sorted((root / "pipeline" / "runs").glob("*/completions/*_evaluations.json")):
        harmless = path.name.startswith("harmless")
        for row in _json(path)["completions"]:
            if not _text(row.get("response")):
                continue
            refusal = "complied" if row["is_jailbreak_substring_matching"] else "refused"
            if harmless:
                yield _example("refusal_direction", "refusal_direction_harmless", row["response"], row["prompt"], "benign", 0, refusal)
            else:
                harm = row.get("is_jailbreak_llamaguard2")
                yield _example("refusal_direction", "refusal_direction_harmful", row["response"], row["prompt"], "harmful",
                               None if harm is None else int(harm), refusal)


def read_jbb(root: Path) -> Iterator[Example]:
    """JailbreakBench attack artifacts (non-JBC): `jailbroken` from the Llama-3-70B JailbreakBench judge (silver).

    The JBC (AIM) artifacts are a reserved evaluation source of this project: skipped even
    where a copy of the artifacts holds them, so they can never train or tune the judge.
    """
    for path in sorted((root / "attack-artifacts").rglob("*.json")):
        if "JBC" in path.relative_to(root).parts:
            continue
        for row in _json(path)["jailbreaks"]:
            if not _text(row.get("response")):
                continue
            label = str(row.get("jailbroken")).strip().lower()
            if label not in ("true", "false"):
                continue
            yield _example("jbb_artifacts", "jbb_artifacts", row["response"], row.get("goal"), "harmful", int(label == "true"), None)


# ---------------------------------------------------------------------------------------- registry

ORIGINS: tuple[Origin, ...] = (
    Origin("gptfuzz", "MIT", True, read_gptfuzz, ("*.csv",), (
        Subset("gptfuzz", "gptfuzz", "human", None, "responses to jailbreak templates, some Chinese; 0 = refused or harmless", title="GPTFuzz"),)),
    Origin("do_not_answer", "CC BY-NC-SA 4.0 (test only)", False, read_do_not_answer, ("datasets/data_en.csv",), (
        Subset("do_not_answer", "do_not_answer", "human", "human (action 0 refused; 2, 3, 5 complied; 1, 4 unlabelled)",
               "six models on 939 risky requests; harmful answers are rare (3%)", title="Do-Not-Answer"),)),
    Origin("coconot", "MIT", True, read_coconot, ("data/coconot_pref.jsonl",), (
        Subset("coconot", "coconot", "construction (benign requests)", "construction (chosen answers comply)",
               "benign requests that look risky; GPT-4 answers and dispreferred answers", title="CoCoNot (benign requests)"),)),
    Origin("llm_self_defense", "BSD-3-Clause", True, read_llm_self_defense, ("*.csv",), (
        Subset("llm_self_defense", "llm_self_defense", "not stated upstream (the paper's ground truth)", None,
               "GPT-3.5 role-play jailbreaks and Llama 2 forced 'Sure, here is' continuations", title="LLM self-defense"),)),
    Origin("rbr_gold", "MIT", True, read_rbr_gold, ("data/rbr_gold_data/*.jsonl",), (
        Subset("rbr_gold", "rbr_gold", "human (disallowed content)", "human (fully / partially complies)",
               "synthetic completions hand-labelled by OpenAI; many deliberate partial refusals", title="OpenAI RBR gold"),)),
    Origin("safety_tuned_llamas", "CC BY-NC 4.0 (test only)", False, read_safety_tuned_llamas,
           ("data/training/safety_only_data_Instructions.json",), (
        Subset("safety_tuned_llamas", "safety_tuned_llamas", "construction (all safe)", None,
               "GPT-3.5 safe responses to unsafe instructions: refusals, corrections, redirections", title="Safety-Tuned LLaMAs"),)),
    Origin("jade_v3", "MIT", True, read_jade, ("jade-db-v3.0/*.csv",), (
        Subset("jade_v3", "jade_v3", "construction", "construction (violating = complied, safe = refused)",
               "Chinese: a violating and a safe answer per question", title="JADE v3 (Chinese)"),)),
    Origin("aisafetylab", "MIT", True, read_aisafetylab, ("examples/evaluation/evaluation_results/**/*.json",
                                                         "aisafetylab/attack/attackers/data/icl/data_zh.json"), (
        Subset("aisafetylab_llamaguard3", "aisafetylab", "silver: Llama Guard 3", None, "Vicuna-7B under 12 attacks", title="AISafetyLab (Llama Guard 3)"),
        Subset("aisafetylab_icl_zh", "aisafetylab", "unverified (labelled unsafe by the field name only)", None,
               "Chinese in-context attack demonstrations, all labelled unsafe by name only", title="AISafetyLab Chinese demonstrations"))),
    Origin("cipherchat", "MIT", True, read_cipherchat, ("experimental_results/**/*",), (
        Subset("cipherchat_human", "cipherchat", "human (toxic / harmless)", None, "GPT-4 and GPT-3.5, English and Chinese, plain and ciphered", title="CipherChat (human labels)"),
        Subset("cipherchat_gpt4", "cipherchat", "silver: GPT-4 toxicity judge", None,
               "11 Chinese safety scenarios, plain and with a toxic system prompt; many prompts are statements", title="CipherChat (GPT-4 judge)"))),
    Origin("refusal_direction", "Apache-2.0", True, read_refusal_direction, ("pipeline/runs/*/completions/*.json",), (
        Subset("refusal_direction_harmful", "refusal_direction", "silver: Llama Guard 2", "silver: refusal substring matching",
               "JailbreakBench behaviours, five models, refusal direction ablated or not", title="Refusal direction, harmful requests"),
        Subset("refusal_direction_harmless", "refusal_direction", "construction (Alpaca requests)", "silver: refusal substring matching",
               "harmless instructions, some with refusal induced", title="Refusal direction, harmless requests"))),
    Origin("jbb_artifacts", "MIT", True, read_jbb, ("attack-artifacts/**/*.json",), (
        Subset("jbb_artifacts", "jbb_artifacts", "silver: JailbreakBench Llama-3-70B judge", None, "GCG, PAIR, random search and DSN attacks on four models", title="JailbreakBench artifacts"),)),
)

ORIGIN_DIRS = {"gptfuzz": ("gptfuzz",)}  # every other origin is judge_train/<name>
SUBSETS: dict[str, Subset] = {s.name: s for o in ORIGINS for s in o.subsets}


def origin_dir(datasets: Path, origin: Origin) -> Path:
    return datasets.joinpath(*ORIGIN_DIRS.get(origin.name, ("judge_train", origin.name)))


def load(datasets: Path, names: Iterable[str] | None = None) -> list[Example]:
    """Every example of the named origins (all by default), in a fixed order."""
    wanted = set(names) if names is not None else None
    examples: list[Example] = []
    for origin in ORIGINS:
        if wanted is not None and origin.name not in wanted:
            continue
        folder = origin_dir(datasets, origin)
        if not folder.exists():
            raise AuditorError(f"{folder} not found; pass --datasets pointing at shared/datasets")
        examples.extend(origin.reader(folder))
    return examples


def fingerprint(datasets: Path) -> dict[str, str]:
    """sha256 over each origin's files (sorted by path), so a weights file names the exact data it saw."""
    out: dict[str, str] = {}
    for origin in ORIGINS:
        folder = origin_dir(datasets, origin)
        digest = hashlib.sha256()
        paths = sorted({p for pattern in origin.files for p in folder.glob(pattern) if p.is_file()})
        for path in paths:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        out[origin.name] = digest.hexdigest()
    return out


# ---------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Request:
    """A request with its variant (harmful = should be refused), for the judge's request head."""

    origin: str
    prompt: str
    variant: str


def _csv_requests(path: Path, origin: str, column: str, variant_of: Callable[[dict[str, str]], str | None]) -> Iterator[Request]:
    for row in _csv_rows(path):
        variant = variant_of(row)
        if variant and _text(row.get(column)):
            yield Request(origin, row[column], variant)


def load_requests(datasets: Path, repo: Path, examples: Iterable[Example]) -> list[Request]:
    """Requests with a known variant: the labelled examples' own (per origin), the public behaviour sets
    in ../shared/datasets (HarmBench, StrongREJECT, XSTest prompts, JBB, all MIT or CC BY) and this
    project's core suites (English and Chinese twins)."""
    seen: set[tuple[str, str]] = set()
    requests: list[Request] = []

    def add(request: Request) -> None:
        key = (request.origin, request.prompt)
        if key not in seen:
            seen.add(key)
            requests.append(request)

    for example in examples:
        if example.prompt and example.variant:
            add(Request(example.origin, example.prompt, example.variant))
    shared = [
        (datasets / "harmbench" / "harmbench_behaviors_text_all.csv", "harmbench", "Behavior", lambda r: "harmful"),
        (datasets / "strongreject" / "strongreject_dataset.csv", "strongreject", "forbidden_prompt", lambda r: "harmful"),
        (datasets / "xstest" / "xstest_prompts.csv", "xstest", "prompt", lambda r: {"safe": "benign", "unsafe": "harmful"}.get(r.get("label", ""))),
        (datasets / "jbb" / "harmful-behaviors.csv", "jbb", "Goal", lambda r: "harmful"),
        (datasets / "jbb" / "benign-behaviors.csv", "jbb", "Goal", lambda r: "benign"),
    ]
    for path, origin, column, variant_of in shared:
        if path.exists():
            for request in _csv_requests(path, origin, column, variant_of):
                add(request)
    for name in ("core_en.jsonl", "core_zh.jsonl"):
        path = repo / "datasets" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    add(Request("core_suites", row["prompt"], row["variant"]))
    return requests
