"""Plays command scripts through the official toolkit's in-process local
mode and prints every result, for arcgym's fidelity tests.

Input (standard input, one JSON object):
    {"games_dir": str, "game_id": str, "seed": int, "commands": [str, ...]}
where a command is "RESET", "ACTIONn" or "ACTION6 x y". The first command
must be RESET: the toolkit's make() performs it.

Output (standard output): one JSON object per command, in order:
    {"kind": "frames", "state": str, "levels_completed": int,
     "win_levels": int, "full_reset": bool, "available_actions": [int],
     "n": int, "frames": base64 of n*4096 bytes (int8 cells)}
(cells of other types are converted as the worker converts them: values in
-128..255 kept as one byte each, values outside clipped to that range)
or {"kind": "none"} when the toolkit returned nothing (game code raised).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import sys
from typing import Any, TextIO


def parse_command(cmd: str) -> tuple[str, dict[str, int]]:
    """Parses one command: "ACTION6 3 4" -> ("ACTION6", {"x": 3, "y": 4})."""
    parts = cmd.split()
    if not parts:
        raise ValueError("empty command")
    name = parts[0].upper()
    if name == "ACTION6":
        if len(parts) != 3:
            raise ValueError(f"ACTION6 needs x and y: {cmd!r}")
        return name, {"x": int(parts[1]), "y": int(parts[2])}
    if len(parts) != 1:
        raise ValueError(f"unexpected arguments: {cmd!r}")
    return name, {}


def encode(result: Any) -> dict[str, Any]:
    """The JSON record of one toolkit result (None when it returned none)."""
    if result is None:
        return {"kind": "none"}
    frames = [frame_bytes(f) for f in result.frame]
    state = result.state
    return {
        "kind": "frames",
        "state": getattr(state, "value", str(state)),
        "levels_completed": int(result.levels_completed),
        "win_levels": int(result.win_levels),
        "full_reset": bool(getattr(result, "full_reset", False)),
        "available_actions": [int(a) for a in result.available_actions],
        "n": len(frames),
        "frames": base64.b64encode(b"".join(frames)).decode("ascii"),
    }


def frame_bytes(frame: Any) -> bytes:
    """A frame's cells, row-major, one byte each. The engine renders int8
    arrays, whose memory is taken as it is; anything else (nested lists,
    wider integers) is converted as the worker converts it."""
    import numpy as np

    a = np.asarray(frame)
    if a.dtype not in (np.int8, np.uint8):
        a = np.clip(a, -128, 255).astype(np.int16).astype(np.uint8)
    out: bytes = a.tobytes()
    return out


def play(request: dict[str, Any], out: TextIO) -> None:
    """Plays one script and writes its records to out."""
    import arc_agi
    from arcengine import GameAction

    logger = logging.getLogger("arcgym-oracle")
    logger.handlers.clear()
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    commands = [parse_command(c) for c in request["commands"]]
    if not commands or commands[0][0] != "RESET":
        raise ValueError("the first command must be RESET")
    arcade = arc_agi.Arcade(
        operation_mode=arc_agi.OperationMode.OFFLINE,
        environments_dir=request["games_dir"],
        logger=logger,
    )
    env = arcade.make(request["game_id"], seed=int(request.get("seed", 0)))
    if env is None:
        raise RuntimeError(f"the toolkit could not make {request['game_id']}")
    out.write(json.dumps(encode(env.observation_space)) + "\n")
    for name, data in commands[1:]:
        result = env.step(GameAction.from_name(name), data=data or None)
        out.write(json.dumps(encode(result)) + "\n")


def main(stdin: TextIO, stdout: TextIO) -> int:
    request = json.load(stdin)
    # Games may print: keep standard output for the records.
    buf = io.StringIO()
    real = sys.stdout
    sys.stdout = sys.stderr
    try:
        play(request, buf)
    finally:
        sys.stdout = real
    stdout.write(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.stdin, sys.stdout))
