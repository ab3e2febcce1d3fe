"""Tests of the numpy one-hot baseline."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

import onehot_numpy
from onehot_numpy import channel_sums, copyto, load, naive, preallocated


def frames(batch: int) -> np.ndarray[tuple[int, ...], np.dtype[np.uint8]]:
    rng = np.random.default_rng(1)
    return rng.integers(0, 16, size=(batch, 64, 64), dtype=np.uint8)


def reference(f: np.ndarray[tuple[int, ...], np.dtype[np.uint8]]) -> np.ndarray[tuple[int, ...], np.dtype[np.float32]]:
    out = np.zeros((f.shape[0], 16, 64, 64), dtype=np.float32)
    for b in range(f.shape[0]):
        for y in range(64):
            for x in range(64):
                out[b, f[b, y, x], y, x] = 1
    return out


def test_both_ways_match_a_plain_loop() -> None:
    f = frames(2)
    want = reference(f)
    got = naive(f)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    out = np.full((2, 16, 64, 64), 7, dtype=np.float32)
    assert preallocated(f, out) is out
    np.testing.assert_array_equal(out, want)
    out.fill(7)
    bools = np.ones((2, 16, 64, 64), dtype=np.bool_)
    assert copyto(f, bools, out) is out
    np.testing.assert_array_equal(out, want)


def test_channel_sums_count_cells() -> None:
    f = np.zeros((3, 64, 64), dtype=np.uint8)
    f[0, 0, :5] = 2
    assert channel_sums(naive(f)) == [3 * 4096 - 5, 0, 5] + [0] * 13


@pytest.mark.parametrize("size", [0, 100, 4097])
def test_load_rejects_partial_frames(size: int) -> None:
    with pytest.raises(ValueError, match="multiple of 4096"):
        load(bytes(size))


def test_main_serves_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = frames(2)
    path = tmp_path / "frames.bin"
    path.write_bytes(f.tobytes())
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO("naive 0\npreallocated 0\ncopyto 0\n"))
    monkeypatch.setattr("sys.stdout", stdout)
    assert onehot_numpy.main(["onehot_numpy.py", str(path)]) == 0
    ready, *replies = (json.loads(x) for x in stdout.getvalue().splitlines())
    assert ready["frames"] == 2
    assert ready["channel_sums"] == channel_sums(reference(f))
    assert [r["variant"] for r in replies] == ["naive", "preallocated", "copyto"]
