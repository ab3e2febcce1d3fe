"""Tests of arcgym_oracle.py, which plays command scripts through the
official toolkit for the Go fidelity tests.

Run: python -m pytest -q tests/test_oracle.py   (from arcengine/python)
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from arcengine import GameState

import arcgym_oracle as oracle

PYTHON_DIR = Path(__file__).resolve().parents[1]
ORACLE = PYTHON_DIR / "arcgym_oracle.py"
TESTDATA = PYTHON_DIR.parent / "testdata"
GAMES = TESTDATA / "games"
FAULTS = TESTDATA / "faults"
SCRIPTS: dict[str, dict[str, list[str]]] = json.loads((TESTDATA / "scripts.json").read_text())
EXPECTED: dict[str, dict[str, list[Any]]] = json.loads((TESTDATA / "expected.json").read_text())


@pytest.mark.parametrize(
    ("cmd", "want"),
    [
        ("RESET", ("RESET", {})),
        ("reset", ("RESET", {})),
        ("ACTION1", ("ACTION1", {})),
        ("  ACTION7 ", ("ACTION7", {})),
        ("ACTION6 3 4", ("ACTION6", {"x": 3, "y": 4})),
        ("action6 63 0", ("ACTION6", {"x": 63, "y": 0})),
    ],
)
def test_parse_command(cmd: str, want: tuple[str, dict[str, int]]) -> None:
    assert oracle.parse_command(cmd) == want


@pytest.mark.parametrize(
    ("cmd", "fragment"),
    [
        ("", "empty command"),
        ("   ", "empty command"),
        ("ACTION6", "ACTION6 needs x and y"),
        ("ACTION6 3", "ACTION6 needs x and y"),
        ("ACTION6 3 4 5", "ACTION6 needs x and y"),
        ("ACTION6 a b", "invalid literal"),
        ("ACTION1 2", "unexpected arguments"),
        ("RESET now", "unexpected arguments"),
    ],
)
def test_parse_command_rejects(cmd: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        oracle.parse_command(cmd)


def fake_result(frames: list[Any], state: Any = GameState.NOT_FINISHED, **extra: Any) -> Any:
    fields: dict[str, Any] = {"levels_completed": 1, "win_levels": 3, "available_actions": [1, 2, 6], **extra}
    return SimpleNamespace(frame=frames, state=state, **fields)


def frames_of(record: dict[str, Any]) -> np.ndarray[Any, np.dtype[np.int8]]:
    data = base64.b64decode(record["frames"])
    assert len(data) == record["n"] * 4096
    return np.frombuffer(data, dtype=np.int8).reshape(record["n"], 64, 64)


def test_encode_none() -> None:
    assert oracle.encode(None) == {"kind": "none"}


def test_encode_arrays() -> None:
    a = np.arange(4096).reshape(64, 64).astype(np.int8)
    b = np.full((64, 64), 3, dtype=np.int8)
    record = oracle.encode(fake_result([a, b], full_reset=True, available_actions=[np.int64(1), 5]))
    assert {k: v for k, v in record.items() if k != "frames"} == {
        "kind": "frames",
        "state": "NOT_FINISHED",
        "levels_completed": 1,
        "win_levels": 3,
        "full_reset": True,
        "available_actions": [1, 5],
        "n": 2,
    }
    assert np.array_equal(frames_of(record), np.stack([a, b]))
    json.dumps(record)  # serialisable as it is


def test_encode_lists_and_wide_integers() -> None:
    """Nested lists and wider integer arrays give one byte per cell, values
    kept (as signed bytes)."""
    a = np.zeros((64, 64), dtype=np.int64)
    a[0, :3] = [99, -5, 15]
    a[63, 63] = 7
    record = oracle.encode(fake_result([a.tolist(), a, a.astype(np.int32)], state="WIN"))
    assert record["state"] == "WIN"
    assert record["full_reset"] is False  # no full_reset attribute
    got = frames_of(record)
    assert got.shape == (3, 64, 64)
    for frame in got:
        assert frame[0, :3].tolist() == [99, -5, 15]
        assert frame[63, 63] == 7
        assert np.array_equal(frame, a.astype(np.int8))


def test_encode_no_frames() -> None:
    record = oracle.encode(fake_result([], state=GameState.GAME_OVER))
    assert (record["n"], record["frames"], record["state"]) == (0, "", "GAME_OVER")


def play(games_dir: Path, game_id: str, commands: list[str]) -> list[dict[str, Any]]:
    out = io.StringIO()
    oracle.play({"games_dir": str(games_dir), "game_id": game_id, "seed": 0, "commands": commands}, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def digest(record: dict[str, Any]) -> dict[str, Any] | None:
    """A record as expected.json keeps the toolkit's results."""
    if record["kind"] == "none":
        return None
    assert record["kind"] == "frames"
    return {
        "state": record["state"],
        "levels_completed": record["levels_completed"],
        "win_levels": record["win_levels"],
        "full_reset": record["full_reset"],
        "frames": record["n"],
        "sha256": hashlib.sha256(base64.b64decode(record["frames"])).hexdigest(),
    }


@pytest.mark.parametrize(("game_id", "name"), [("sd01-c2e81f60", "resets"), ("er01-0d5b9a47", "raise")])
def test_play(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, game_id: str, name: str) -> None:
    monkeypatch.chdir(tmp_path)  # the toolkit may write recordings under the working directory
    script = SCRIPTS[game_id][name]
    records = play(GAMES, game_id, script)
    assert len(records) == len(script)
    # The first record is make()'s own RESET (expected.json has one more
    # RESET after it, which on a fresh game answers the same).
    assert [digest(r) for r in records] == EXPECTED[game_id][name]


def test_play_game_that_does_not_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert play(FAULTS, "sy01-4a1c7e90", ["RESET", "ACTION1", "RESET"]) == [{"kind": "none"}] * 3


@pytest.mark.parametrize("commands", [[], ["ACTION1", "RESET"]])
def test_play_needs_reset_first(commands: list[str]) -> None:
    with pytest.raises(ValueError, match="the first command must be RESET"):
        play(GAMES, "sd01-c2e81f60", commands)


def run_oracle(tmp_path: Path, request: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ORACLE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_main(tmp_path: Path) -> None:
    """The oracle as Go runs it: one JSON line per command on stdout, while
    the game's own prints (er01 prints on every level set) go to stderr."""
    commands = ["RESET", "ACTION4", "ACTION6 1 1", "RESET"]
    done = run_oracle(tmp_path, {"games_dir": str(GAMES), "game_id": "er01-0d5b9a47", "commands": commands})
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["kind"] for r in records] == ["frames"] * 4
    assert [r["n"] for r in records] == [1, 1, 1, 1]
    assert [r["full_reset"] for r in records] == [True, False, False, False]
    assert "er01: level" in done.stderr


def test_main_bad_request(tmp_path: Path) -> None:
    done = run_oracle(tmp_path, {"games_dir": str(GAMES), "game_id": "sd01-c2e81f60", "commands": ["ACTION6 1"]})
    assert done.returncode != 0
    assert done.stdout == ""
    assert "ACTION6 needs x and y" in done.stderr
