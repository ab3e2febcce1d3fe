"""One-hot encoding of ARC frames with numpy: the baseline of benchmarks/encoding.

Usage: python onehot_numpy.py FRAMES_FILE

FRAMES_FILE holds a batch of 64x64 frames of colour indices, 4,096 bytes a
frame. The script encodes the batch to float32 (batch, 16, 64, 64), the
layout of arcgym's encoding.OneHot, in the two ways a numpy user would:

  naive         (frames[:, None] == arange(16)[:, None, None]).astype(float32),
                which allocates a bool and a float32 array on every call;
  preallocated  np.equal(..., out=out) into a float32 array made once;
  copyto        np.equal into a bool array made once, then np.copyto into
                a float32 array made once (a plain cast loop, the fastest
                of the three on the machines measured).

It serves the line protocol of besttime; the ready line gives numpy's version
and the sum of each channel, so that the caller can check that both sides
encode the same batch.
"""

import sys

import numpy as np
import numpy.typing as npt

from besttime import serve

COLORS = 16
SIDE = 64

Frames = npt.NDArray[np.uint8]
OneHot = npt.NDArray[np.float32]

_CHANNELS = np.arange(COLORS, dtype=np.uint8)[:, None, None]


def load(data: bytes) -> Frames:
    """Return the frames held in data as a (batch, 64, 64) array."""
    if len(data) == 0 or len(data) % (SIDE * SIDE) != 0:
        raise ValueError(f"want a positive multiple of {SIDE * SIDE} bytes, have {len(data)}")
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, SIDE, SIDE)


def naive(frames: Frames) -> OneHot:
    """One-hot encode frames by comparison and a cast, allocating the result."""
    out: OneHot = (frames[:, None] == _CHANNELS).astype(np.float32)
    return out


def preallocated(frames: Frames, out: OneHot) -> OneHot:
    """One-hot encode frames into out, of shape (batch, 16, 64, 64)."""
    np.equal(frames[:, None], _CHANNELS, out=out)
    return out


def copyto(frames: Frames, bools: npt.NDArray[np.bool_], out: OneHot) -> OneHot:
    """One-hot encode frames into bools, then cast them into out; both of shape (batch, 16, 64, 64)."""
    np.equal(frames[:, None], _CHANNELS, out=bools)
    np.copyto(out, bools)
    return out


def channel_sums(onehot: OneHot) -> list[int]:
    """Return how many cells each channel marks."""
    return [int(s) for s in onehot.sum(axis=(0, 2, 3), dtype=np.int64)]


def main(argv: list[str]) -> int:
    """Load the batch named on the command line and serve requests."""
    if len(argv) != 2:
        sys.stderr.write("usage: onehot_numpy.py FRAMES_FILE\n")
        return 2
    with open(argv[1], "rb") as f:
        frames = load(f.read())
    shape = (frames.shape[0], COLORS, SIDE, SIDE)
    out = np.empty(shape, dtype=np.float32)
    bools = np.empty(shape, dtype=np.bool_)
    ready = {"numpy": np.__version__, "frames": frames.shape[0], "channel_sums": channel_sums(naive(frames))}
    variants = {
        "naive": lambda: naive(frames),
        "preallocated": lambda: preallocated(frames, out),
        "copyto": lambda: copyto(frames, bools, out),
    }
    serve(ready, variants, sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
