"""Tests of the shared timing and line protocol."""

import io
import json

import pytest

from besttime import answer, best_call, serve


def test_best_call_runs_at_least_min_calls() -> None:
    calls: list[int] = []
    best, n = best_call(lambda: calls.append(1), 0.0, min_calls=5)
    assert n == 5
    assert len(calls) == 5
    assert best >= 0


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("naive", "want 'VARIANT SECONDS'"),
        ("other 0.01", "unknown variant 'other'"),
        ("naive soon", "bad duration 'soon'"),
    ],
)
def test_answer_rejects_bad_requests(line: str, error: str) -> None:
    reply = answer(line, {"naive": lambda: None})
    assert error in reply["error"]


def test_serve_answers_each_request() -> None:
    stdin = io.StringIO("a 0\n\nb 0\nc 0\n")
    stdout = io.StringIO()
    serve({"ready": True}, {"a": lambda: None, "b": lambda: None}, stdin, stdout)
    lines = [json.loads(x) for x in stdout.getvalue().splitlines()]
    assert lines[0] == {"ready": True}
    assert [x.get("variant") for x in lines[1:3]] == ["a", "b"]
    assert all(x["calls"] >= 3 for x in lines[1:3])
    assert "error" in lines[3]
    assert len(lines) == 4
