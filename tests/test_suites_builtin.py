"""The built-in suites validate and are big enough to make a drop statistically visible."""

from __future__ import annotations

import json
from collections import Counter

from auditor.suites import builtin_suites, read_suite_file
from auditor.suites.builtin import datasets_dir


def test_every_builtin_suite_validates() -> None:
    for name, path in builtin_suites().items():
        assert path.exists(), name
        assert read_suite_file(path), name


def test_core_suites_cover_the_taxonomy_in_english_and_chinese() -> None:
    taxonomy = json.loads((datasets_dir() / "taxonomy.json").read_text(encoding="utf-8"))["categories"]
    assert len(taxonomy) >= 12
    for t in taxonomy:
        assert t["definition"] and t["should_refuse"] and t["should_answer"]
    suites = builtin_suites()
    en = read_suite_file(suites["core"])
    zh = read_suite_file(suites["core-zh"])
    for records, language in ((en, "en"), (zh, "zh")):
        assert {r.language for r in records} == {language}
        pairs = Counter(r.category for r in records if r.variant == "harmful" and r.pair_id)
        assert set(pairs) == {t["id"] for t in taxonomy}
        assert min(pairs.values()) >= 40
        assert sum(pairs.values()) >= 600
        variants_per_pair = Counter(r.pair_id for r in records)
        assert set(variants_per_pair.values()) == {2}
    # the Chinese suite translates every English pair, same ids with a language suffix
    assert {r.pair_id + "-zh" for r in en} == {r.pair_id for r in zh}
    assert {r.id + "-zh" for r in en} == {r.id for r in zh}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r.prompt) for r in zh)


def test_prompts_are_unique_and_forms_vary() -> None:
    en = read_suite_file(builtin_suites()["core"])
    prompts = [r.prompt.strip().lower() for r in en]
    assert len(prompts) == len(set(prompts))
    forms = Counter(r.form for r in en if r.variant == "harmful")
    assert len(forms) >= 6 and min(forms.values()) >= 30


def test_identity_probes() -> None:
    probes = read_suite_file(builtin_suites()["identity"])
    assert len(probes) >= 30
    assert {r.language for r in probes} == {"en", "zh"}
    assert {r.subcategory for r in probes} == {"direct", "indirect"}
