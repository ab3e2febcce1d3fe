"""Tests of the json.loads baseline."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

import frame_json
from frame_json import cell_sum, frames_of, variants

SAMPLE = Path(__file__).resolve().parents[3] / "wire" / "testdata" / "decode" / "21_ft09_action6.json"


def test_frames_of_reads_every_frame() -> None:
    frames = frames_of(SAMPLE.read_bytes())
    assert len(frames) == 5
    assert all(len(f) == 64 and all(len(r) == 64 for r in f) for f in frames)


def test_cell_sum() -> None:
    assert cell_sum([[[1, 2], [3]], [[4]]]) == 10


def test_variants_decode_the_same_frames() -> None:
    data = SAMPLE.read_bytes()
    vs = variants(data)
    assert set(vs) == {"loads", "loads+numpy"}
    body = vs["loads"]()
    assert isinstance(body, dict)
    arr = np.asarray(vs["loads+numpy"]())
    assert arr.shape == (5, 64, 64)
    assert arr.dtype == np.uint8
    assert int(arr.sum()) == cell_sum(body["frame"])


def test_main_serves_the_response(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO("loads 0\n"))
    monkeypatch.setattr("sys.stdout", stdout)
    assert frame_json.main(["frame_json.py", str(SAMPLE)]) == 0
    ready, reply = (json.loads(x) for x in stdout.getvalue().splitlines())
    assert ready["frames"] == 5
    assert ready["cell_sum"] == cell_sum(frames_of(SAMPLE.read_bytes()))
    assert reply["variant"] == "loads"


def test_main_usage() -> None:
    assert frame_json.main(["frame_json.py"]) == 2
