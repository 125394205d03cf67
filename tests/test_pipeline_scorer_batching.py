"""The scorer judges concurrently scored samples in one judge call, with the same judgements as one at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import anyio
import pytest

from auditor.judges.base import JudgeInput, Judgement
from auditor.judges.keywords import KeywordJudge
from auditor.judges.scorer import JudgeBatcher


class CountingJudge:
    """The keywords judge, recording the size of each call; an answer of "boom" makes any call holding it fail."""

    name = "counting"

    def __init__(self) -> None:
        self.inner = KeywordJudge()
        self.calls: list[int] = []

    def judge_batch(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        self.calls.append(len(items))
        if any(item.response == "boom" for item in items):
            raise RuntimeError("judge failed on boom")
        return self.inner.judge_batch(items)


ANSWERS = ["I'm sorry, I can't help with that.", "Sure, step 1: ...", "", "抱歉，我不能提供", "Here is the history."]


def _items() -> list[JudgeInput]:
    return [JudgeInput(response=a, prompt=f"prompt {i}", variant="harmful" if i % 2 else "benign") for i, a in enumerate(ANSWERS * 8)]


async def _judge_concurrently(batcher: JudgeBatcher, items: list[JudgeInput]) -> list[Judgement | BaseException]:
    results: list[Judgement | BaseException | None] = [None] * len(items)

    async def one(index: int) -> None:
        try:
            results[index] = await batcher.judge_one(items[index])
        except Exception as exc:  # noqa: BLE001 - the test looks at which samples failed
            results[index] = exc

    async with anyio.create_task_group() as group:
        for index in range(len(items)):
            group.start_soon(one, index)
    return [r for r in results if r is not None]


def test_concurrent_samples_share_one_judge_call_with_unchanged_judgements() -> None:
    judge = CountingJudge()
    items = _items()
    results = anyio.run(_judge_concurrently, JudgeBatcher(judge), items)
    assert judge.calls == [len(items)]
    assert results == [KeywordJudge().judge_batch([item])[0] for item in items]


def test_a_failing_answer_fails_only_its_own_sample() -> None:
    judge = CountingJudge()
    items = _items()
    items[3] = JudgeInput(response="boom", prompt="p", variant="harmful")
    results = anyio.run(_judge_concurrently, JudgeBatcher(judge), items)
    assert isinstance(results[3], RuntimeError)
    assert all(isinstance(r, Judgement) for i, r in enumerate(results) if i != 3)
    assert results[:3] == [KeywordJudge().judge_batch([item])[0] for item in items[:3]]


def test_a_cancelled_first_sample_still_gets_the_others_judged() -> None:
    judge = CountingJudge()
    batcher = JudgeBatcher(judge)
    items = _items()[:3]

    async def run() -> tuple[list[Judgement], bool]:
        got: list[Judgement] = []
        first_done = False
        scope = anyio.CancelScope()

        async def first() -> None:
            nonlocal first_done
            with scope:
                await batcher.judge_one(items[0])
                first_done = True

        async def follower(item: JudgeInput) -> None:
            got.append(await batcher.judge_one(item))

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            for item in items[1:]:
                group.start_soon(follower, item)
            await anyio.sleep(0)  # all three have queued; the first is gathering the batch
            scope.cancel()
        return got, first_done

    got, first_done = anyio.run(run)
    assert not first_done and judge.calls == [3] and not batcher._pending
    assert got == KeywordJudge().judge_batch(items[1:])


@pytest.mark.parametrize("judge", ["keywords"])
def test_inspect_run_scores_every_sample_like_the_judge_alone(tmp_path: Path, judge: str) -> None:
    from inspect_ai import eval as inspect_eval

    from auditor.judges import get_judge
    from auditor.tasks.safeguards import safeguards
    from tests.conftest import make_suite, write_jsonl

    rows = make_suite(tmp_path / "suite.jsonl", {"fraud_scams_deception": 6, "cyber_offence": 6})
    write_jsonl(tmp_path / "replay.jsonl", [{"id": r["id"], "response": ANSWERS[i % len(ANSWERS)]} for i, r in enumerate(rows)])
    log = inspect_eval(
        safeguards(suite=str(tmp_path / "suite.jsonl"), judge=judge),
        model=f"replay/{tmp_path / 'replay.jsonl'}", log_dir=str(tmp_path / "logs"), display="none",
    )[0]
    assert log.status == "success" and len(log.samples) == len(rows)
    alone = get_judge(judge)
    by_id = {r["id"]: r for r in rows}
    for sample in log.samples:
        score = next(iter(sample.scores.values()))
        row = by_id[str(sample.id)]
        expected = alone.judge_batch([JudgeInput(
            response=sample.output.completion, prompt=row["prompt"], stop_reason=str(sample.output.stop_reason),
            variant=row["variant"],
        )])[0]
        assert (score.metadata["refusal"], score.metadata["harmful"], score.explanation) == (
            expected.refusal, expected.harmful, expected.explanation
        )
