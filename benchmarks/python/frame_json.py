"""Decoding of an ARC-AGI-3 frame response in Python: the baseline of arcgym's wire.DecodeFrame.

Usage: python frame_json.py RESPONSE_FILE

RESPONSE_FILE holds the JSON body a RESET or ACTION command returns. The
script decodes it the ways a Python client does:

  loads        json.loads of the bytes, frames as nested lists of ints;
  loads+numpy  json.loads, then the frames as a uint8 array (numpy), the
               form a model takes; N/A without numpy.

It serves the line protocol of besttime; the ready line gives the Python
version, the number of frames and the sum of all their cells, so that the
caller can check that both sides read the same frames.
"""

import json
import platform
import sys
from typing import Any

from besttime import Variant, serve


def frames_of(data: bytes) -> list[list[list[int]]]:
    """Decode a frame response and return its frames."""
    body: dict[str, Any] = json.loads(data)
    frames: list[list[list[int]]] = body["frame"]
    return frames


def cell_sum(frames: list[list[list[int]]]) -> int:
    """Return the sum of every cell of frames."""
    return sum(sum(sum(row) for row in frame) for frame in frames)


def variants(data: bytes) -> dict[str, Variant]:
    """Return the decoding variants over data that this interpreter can run."""
    out: dict[str, Variant] = {"loads": lambda: json.loads(data)}
    try:
        import numpy as np
    except ImportError:
        return out
    out["loads+numpy"] = lambda: np.asarray(frames_of(data), dtype=np.uint8)
    return out


def main(argv: list[str]) -> int:
    """Load the response named on the command line and serve requests."""
    if len(argv) != 2:
        sys.stderr.write("usage: frame_json.py RESPONSE_FILE\n")
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    frames = frames_of(data)
    ready = {"python": platform.python_version(), "frames": len(frames), "cell_sum": cell_sum(frames)}
    serve(ready, variants(data), sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
