"""Regenerate scripts.json and expected.json for the games in games/.

Run with a Python that has arcengine==0.9.3 and arc-agi==0.9.8 installed:

    python make_scripts.py

scripts.json holds action scripts per game ("RESET", "ACTIONn", "ACTION6 x y").
The solutions are worked out here from each game's own level data (seed 0 for
sd01), so the scripts follow the games if a level changes.

expected.json is what the official toolkit (arc_agi local mode) returns for
every command of every script, after arcade.make(game_id, seed=0) (which
itself performs one RESET): per command either null (the toolkit's
wrapper.step returned None because the game raised) or an object with
state, levels_completed, win_levels, full_reset, frames (frame count) and
sha256 (hex SHA-256 over the frames' bytes: each frame 64x64 values, row
major, one signed byte per value, frames concatenated; sha256 of b"" for no
frames).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from collections import deque
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
GAMES = HERE / "games"

IH = "ih01-3f9a2c1e"
LG = "lg01-7b04d5e2"
SD = "sd01-c2e81f60"
ER = "er01-0d5b9a47"

DIRS = {1: (0, -1), 2: (0, 1), 3: (-1, 0), 4: (1, 0)}


def load(game_id: str, filename: str) -> ModuleType:
    base, version = game_id.split("-")
    path = GAMES / base / version / filename
    spec = importlib.util.spec_from_file_location(f"testgame_{base}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def display(grid: tuple[int, int], gx: int, gy: int) -> str:
    """ACTION6 command hitting the middle of grid cell (gx, gy)."""
    width, height = grid
    scale = min(64 // width, 64 // height)
    ox = (64 - width * scale) // 2
    oy = (64 - height * scale) // 2
    return f"ACTION6 {gx * scale + ox + scale // 2} {gy * scale + oy + scale // 2}"


def moves(path: list[int]) -> list[str]:
    return [f"ACTION{a}" for a in path]


# ih01 ----------------------------------------------------------------------


def ice_solution(rows: list[str]) -> list[int]:
    """Shortest action list (1-5) from P to X, with ice and gate switches."""
    shut0 = {(x, y): ch == "G" for y, row in enumerate(rows) for x, ch in enumerate(row) if ch in "Gg"}
    start = next((x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "P")

    def passable(x: int, y: int, flips: int) -> bool:
        if rows[y][x] == "#":
            return False
        return not (shut0.get((x, y), False) ^ bool(flips)) if (x, y) in shut0 else True

    first = (start[0], start[1], 0)
    prev: dict[tuple[int, int, int], tuple[tuple[int, int, int], int] | None] = {first: None}
    queue = deque([first])
    while queue:
        state = queue.popleft()
        x, y, flips = state
        if rows[y][x] == "X":
            out = []
            link = prev[state]
            while link is not None:
                state, action = link
                out.append(action)
                link = prev[state]
            return out[::-1]
        for action in (1, 2, 3, 4, 5):
            if action == 5:
                if rows[y][x] != "S":
                    continue
                nxt = (x, y, flips ^ 1)
            else:
                dx, dy = DIRS[action]
                if not passable(x + dx, y + dy, flips):
                    continue
                nx, ny = x + dx, y + dy
                while rows[ny][nx] == "~" and passable(nx + dx, ny + dy, flips):
                    nx, ny = nx + dx, ny + dy
                nxt = (nx, ny, flips)
            if nxt not in prev:
                prev[nxt] = (state, action)
                queue.append(nxt)
    raise ValueError("unsolvable level")


def ih01_scripts() -> dict[str, list[str]]:
    m = load(IH, "icehall.py")
    sols = [moves(ice_solution(rows)) for _, _, _, rows in m.LEVEL_SPECS]
    l2_budget = m.LEVEL_SPECS[1][2]
    # Level 1 with a detour that is undone, and a flip that is undone and redone.
    l1 = ["ACTION2", "ACTION7"] + sols[0]
    at = l1.index("ACTION5") + 1
    l1 = l1[:at] + ["ACTION7", "ACTION5"] + l1[at:]
    return {
        "win": ["RESET"] + l1 + sols[1] + sols[2] + ["ACTION1", "ACTION4", "ACTION7", "RESET", "ACTION2", "ACTION4"],
        "game_over": ["RESET"] + sols[0] + ["ACTION1"] * l2_budget + ["ACTION2", "ACTION7", "RESET", "RESET", "ACTION2", "ACTION2"],
        "resets": ["RESET", "ACTION2", "ACTION2", "RESET", "ACTION2", "ACTION2", "ACTION4", "ACTION4", "RESET", "RESET"]
        + sols[0]
        + ["ACTION4", "ACTION4", "RESET", "ACTION4", "RESET", "RESET", "ACTION2"],
        "undo": ["RESET", "ACTION7", "ACTION2", "ACTION2", "ACTION4", "ACTION4", "ACTION5", "ACTION7", "ACTION7", "ACTION7", "ACTION7", "ACTION7", "ACTION7", "ACTION4"],
        "unavailable": ["RESET", "ACTION6 12 40", "ACTION2", "ACTION6 0 0", "ACTION4", "ACTION6 63 63", "RESET", "ACTION6 30 30"],
    }


# lg01 ----------------------------------------------------------------------


def lg01_clicks(spec: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(lantern clicks, dial clicks) that solve one level."""
    size, pitch = spec["size"], spec["pitch"]
    ox, oy = spec["origin"]
    lamps = [display(spec["grid"], ox + c * pitch + size // 2, oy + r * pitch + size // 2) for r, c in spec["clicks"]]
    dials: list[str] = []
    for i, (start, target) in enumerate(spec["dials"]):
        dials += [display(spec["grid"], ox + i * pitch * 2 + size // 2, spec["dial_y"] + size // 2)] * ((target - start) % 4)
    return lamps, dials


def lg01_scripts() -> dict[str, list[str]]:
    m = load(LG, "lg01.py")
    specs = m.LEVEL_SPECS
    sol = [a + b for a, b in (lg01_clicks(s) for s in specs)]
    corner = display(specs[0]["grid"], 0, 0)
    corner_lamp = display(specs[0]["grid"], specs[0]["origin"][0] + 1, specs[0]["origin"][1] + 1)
    budget1 = specs[0]["budget"]
    return {
        # A click in level 2's letterbox (x=2) misses everything and costs one.
        "win": ["RESET"] + sol[0] + ["ACTION6 2 30"] + sol[1] + sol[2] + ["ACTION6 33 33", "ACTION6 10 50", "RESET", corner_lamp, sol[0][0]],
        "game_over": ["RESET", corner_lamp, corner_lamp] + [corner] * (budget1 - 2) + [sol[0][0], "ACTION6 5 5", "RESET", "RESET"] + sol[0] + [corner],
        "resets": ["RESET", corner_lamp, "RESET", corner_lamp, corner, "RESET", "RESET"] + sol[0] + [sol[1][0], "RESET", sol[1][0], "RESET", "RESET", corner_lamp],
        "unavailable": ["RESET", "ACTION1", "ACTION5", "ACTION7", corner_lamp, "ACTION3", "ACTION2", "ACTION4"],
    }


# sd01 ----------------------------------------------------------------------


def sd01_level_plan(level: Any) -> tuple[list[int], str, int]:
    """(moves to a cell next to the goal, click on the lock, final move)."""
    walls = level.get_data("walls")
    goal = tuple(level.get_data("goal"))
    player = level.get_sprites_by_name("player")[0]
    start = (player.x, player.y)
    prev: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        for action, (dx, dy) in DIRS.items():
            nxt = (cell[0] + dx, cell[1] + dy)
            if walls[nxt[1]][nxt[0]] or nxt in prev:
                continue
            prev[nxt] = (cell, action)
            queue.append(nxt)
    link = prev[goal]
    assert link is not None
    cell, last = link
    out = []
    back = prev[cell]
    while back is not None:
        cell, action = back
        out.append(action)
        back = prev[cell]
    return out[::-1], display(level.grid_size, goal[0], goal[1]), last


def sd01_scripts() -> dict[str, list[str]]:
    m = load(SD, "sd01.py")
    game = m.Sd01(seed=0)
    plans = [sd01_level_plan(level) for level in game._levels]
    budget1 = game._levels[0].get_data("budget")
    levels = []
    for path, click, last in plans:
        levels.append(moves(path) + [click] + moves([last]))
    path0, click0, last0 = plans[0]
    # In level 1, clicking the lock from afar and bumping into the lock do nothing.
    early = [click0] if len(path0) > 0 else []
    level1 = early + moves(path0) + moves([last0]) + [click0] + moves([last0])
    return {
        "win": ["RESET"] + level1 + levels[1] + levels[2] + ["ACTION1", click0, "RESET", "ACTION2", "ACTION3"],
        "game_over": ["RESET"] + ["ACTION6 0 0"] * budget1 + ["ACTION1", "ACTION6 10 10", "RESET", "RESET", "ACTION1", "ACTION4"],
        "resets": ["RESET", "ACTION1", "ACTION2", "RESET", "ACTION3", "ACTION4", "RESET", "RESET"] + levels[0] + moves(plans[1][0][:2]) + ["RESET", "ACTION1", "RESET", "RESET", "ACTION2"],
        "unavailable": ["RESET", "ACTION5", "ACTION7", "ACTION1", "ACTION5", "ACTION6 0 0"],
    }


# er01 ----------------------------------------------------------------------


def walk(rows: list[str], start: tuple[int, int], target: str) -> tuple[list[int], tuple[int, int]]:
    prev: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if rows[cell[1]][cell[0]] == target:
            end = cell
            out = []
            link = prev[cell]
            while link is not None:
                cell, action = link
                out.append(action)
                link = prev[cell]
            return out[::-1], end
        for action, (dx, dy) in DIRS.items():
            nxt = (cell[0] + dx, cell[1] + dy)
            if rows[nxt[1]][nxt[0]] != "#" and nxt not in prev:
                prev[nxt] = (cell, action)
                queue.append(nxt)
    raise ValueError(f"no way to {target!r}")


def er01_scripts() -> dict[str, list[str]]:
    m = load(ER, "errwalk.py")
    plans = []
    for _, _, rows in m.LEVEL_SPECS:
        start = next((x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "P")
        to_exit, _ = walk(rows, start, "X")
        to_mark, mark = walk(rows, start, "M")
        from_mark, _ = walk(rows, mark, "X")
        plans.append((moves(to_exit), moves(to_mark), moves(from_mark)))
    budget1 = m.LEVEL_SPECS[0][1]
    return {
        "win": ["RESET", "ACTION5"] + plans[0][0] + ["ACTION5", "ACTION5"] + plans[1][0] + ["ACTION2", "ACTION5", "RESET", "ACTION2", "ACTION5"],
        "game_over": ["RESET"] + ["ACTION1"] * budget1 + ["ACTION2", "ACTION5", "RESET", "RESET", "ACTION2", "ACTION2"],
        "resets": ["RESET", "ACTION2", "ACTION2", "RESET", "ACTION4", "RESET", "RESET"] + plans[0][0] + ["ACTION2", "RESET", "ACTION2", "RESET", "RESET", "ACTION4"],
        "unavailable": ["RESET", "ACTION6 5 5", "ACTION7", "ACTION2", "ACTION6 40 40"],
        # ACTION5 on the mark raises; the game plays on afterwards.
        "raise": ["RESET"] + plans[0][1] + ["ACTION5", "ACTION5"] + plans[0][2] + plans[1][1] + ["ACTION5", "ACTION1", "RESET", "ACTION2"],
    }


# Running scripts through the toolkit --------------------------------------


def parse(command: str) -> tuple[int, dict[str, int]]:
    parts = command.split()
    if parts[0] == "RESET":
        return 0, {}
    action = int(parts[0].removeprefix("ACTION"))
    if action == 6:
        return 6, {"x": int(parts[1]), "y": int(parts[2])}
    return action, {}


def frames_sha256(frames: Any) -> str:
    digest = hashlib.sha256()
    for frame in frames:
        arr = np.asarray(frame, dtype=np.int64)
        digest.update(arr.astype(np.int8).tobytes())
    return digest.hexdigest()


def run_expected(scripts: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[Any]]]:
    import arc_agi
    from arcengine import GameAction

    quiet = logging.getLogger("make_scripts.quiet")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    arcade = arc_agi.Arcade(operation_mode=arc_agi.OperationMode.OFFLINE, environments_dir=str(GAMES), logger=quiet)
    out: dict[str, dict[str, list[Any]]] = {}
    for game_id, by_name in scripts.items():
        out[game_id] = {}
        for name, commands in by_name.items():
            env = arcade.make(game_id, seed=0)
            assert env is not None, game_id
            results: list[Any] = []
            for command in commands:
                action, data = parse(command)
                resp = env.step(GameAction.from_id(action), data=data or None)
                if resp is None:
                    results.append(None)
                    continue
                results.append(
                    {
                        "state": resp.state.value,
                        "levels_completed": resp.levels_completed,
                        "win_levels": resp.win_levels,
                        "full_reset": resp.full_reset,
                        "frames": len(resp.frame),
                        "sha256": frames_sha256(resp.frame),
                    }
                )
            out[game_id][name] = results
    return out


def dump(tree: dict[str, dict[str, list[Any]]], one_line_lists: bool) -> str:
    """JSON with one line per script (scripts) or per result (expected)."""
    games = []
    for game_id, by_name in tree.items():
        names = []
        for name, items in by_name.items():
            if one_line_lists:
                body = json.dumps(items)
            else:
                body = "[\n" + ",\n".join("   " + json.dumps(item) for item in items) + "\n  ]"
            names.append(f"  {json.dumps(name)}: {body}")
        games.append(f" {json.dumps(game_id)}: {{\n" + ",\n".join(names) + "\n }")
    return "{\n" + ",\n".join(games) + "\n}\n"


def main() -> None:
    scripts = {IH: ih01_scripts(), LG: lg01_scripts(), SD: sd01_scripts(), ER: er01_scripts()}
    (HERE / "scripts.json").write_text(dump(scripts, True))
    expected = run_expected(scripts)
    (HERE / "expected.json").write_text(dump(expected, False))
    for game_id, by_name in expected.items():
        for name, results in by_name.items():
            states = [r["state"] if r else "ERROR" for r in results]
            most = max(int(r["frames"]) for r in results if r)
            done = max(int(r["levels_completed"]) for r in results if r)
            reached = sorted(set(states) - {"NOT_FINISHED"})
            print(f"{game_id:15} {name:12} {len(results):4} commands, max frames {most:2}, max levels {done}, reached {reached}")


if __name__ == "__main__":
    main()
