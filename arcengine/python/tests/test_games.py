"""Checks the arcengine test games in arcengine/testdata against the official
toolkit (arc-agi, local OFFLINE mode) and the engine (arcengine).

Run: python -m pytest -q tests/test_games.py   (from arcengine/python)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import arc_agi
import numpy as np
import pytest
from arcengine import ActionInput, ARCBaseGame, GameAction, GameState

TESTDATA = Path(__file__).resolve().parents[2] / "testdata"
GAMES = TESTDATA / "games"
FAULTS = TESTDATA / "faults"
SCRIPTS: dict[str, dict[str, list[str]]] = json.loads((TESTDATA / "scripts.json").read_text())
EXPECTED: dict[str, dict[str, list[Any]]] = json.loads((TESTDATA / "expected.json").read_text())

SEEDED = "sd01-c2e81f60"
RAISER = "er01-0d5b9a47"


def metadata(root: Path) -> dict[str, dict[str, Any]]:
    """game_id -> parsed metadata.json, plus "dir" (the version directory)."""
    out = {}
    for path in sorted(root.glob("*/*/metadata.json")):
        meta = json.loads(path.read_text())
        meta["dir"] = path.parent
        out[meta["game_id"]] = meta
    return out


GAME_META = metadata(GAMES)
FAULT_META = metadata(FAULTS)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture()
def records() -> Records:
    return Records()


@pytest.fixture()
def quiet_logger(records: Records) -> Iterator[logging.Logger]:
    logger = logging.getLogger("arcgym.test_games")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.handlers = [records]
    yield logger
    logger.handlers = []


def make_arcade(root: Path, logger: logging.Logger, tmp_path: Path) -> Any:
    return arc_agi.Arcade(
        operation_mode=arc_agi.OperationMode.OFFLINE,
        environments_dir=str(root),
        recordings_dir=str(tmp_path / "recordings"),
        logger=logger,
    )


@pytest.fixture()
def arcade(quiet_logger: logging.Logger, tmp_path: Path) -> Any:
    return make_arcade(GAMES, quiet_logger, tmp_path)


def parse(command: str) -> tuple[GameAction, dict[str, int] | None]:
    parts = command.split()
    if parts[0] == "RESET":
        return GameAction.RESET, None
    action = GameAction.from_id(int(parts[0].removeprefix("ACTION")))
    if action == GameAction.ACTION6:
        return action, {"x": int(parts[1]), "y": int(parts[2])}
    return action, None


def frames_sha256(frames: Any) -> str:
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(np.asarray(frame, dtype=np.int64).astype(np.int8).tobytes())
    return digest.hexdigest()


def assert_frames_valid(frames: Any) -> None:
    for frame in frames:
        arr = np.asarray(frame)
        assert arr.shape == (64, 64)
        assert arr.min() >= 0 and arr.max() <= 15


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"testgame_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def act(game: ARCBaseGame, action: GameAction, data: dict[str, int] | None = None) -> Any:
    return game.perform_action(ActionInput(id=action, data=data or {}), raw=True)


# The games ------------------------------------------------------------------


def test_metadata_layout() -> None:
    assert set(GAME_META) == set(SCRIPTS) == set(EXPECTED)
    for game_id, meta in {**GAME_META, **FAULT_META}.items():
        base, version = game_id.split("-")
        assert re.fullmatch(r"[a-z0-9]{4}", base) and re.fullmatch(r"[0-9a-f]{8}", version)
        assert meta["dir"] == (GAMES if game_id in GAME_META else FAULTS) / base / version
        assert meta["tags"] and meta["baseline_actions"] and meta["date_downloaded"].endswith("Z")
    assert any("class_name" not in meta for meta in GAME_META.values())
    assert any("class_name" in meta for meta in GAME_META.values())


@pytest.mark.parametrize("game_id", sorted(GAME_META))
def test_game_loads(arcade: Any, game_id: str) -> None:
    env = arcade.make(game_id, seed=0)
    assert env is not None
    obs = env.observation_space
    assert obs is not None and obs.state == GameState.NOT_FINISHED and len(obs.frame) == 1
    assert_frames_valid(obs.frame)
    assert obs.win_levels == len(GAME_META[game_id]["baseline_actions"])
    # The base id alone finds the game too.
    assert arcade.make(game_id.split("-")[0], seed=0) is not None


@pytest.mark.parametrize("game_id,name", [(g, n) for g in sorted(SCRIPTS) for n in SCRIPTS[g]])
def test_script(arcade: Any, game_id: str, name: str) -> None:
    env = arcade.make(game_id, seed=0)
    assert env is not None
    available = set(env.observation_space.available_actions)
    got: list[Any] = []
    last_state = GameState.NOT_FINISHED
    for command in SCRIPTS[game_id][name]:
        action, data = parse(command)
        resp = env.step(action, data=data)
        if resp is None:
            got.append(None)
            continue
        assert_frames_valid(resp.frame)
        if action == GameAction.RESET:
            assert len(resp.frame) == 1
        elif last_state in (GameState.WIN, GameState.GAME_OVER):
            assert len(resp.frame) == 0 and resp.state == last_state
        else:
            assert len(resp.frame) >= 1
        last_state = resp.state
        got.append(
            {
                "state": resp.state.value,
                "levels_completed": resp.levels_completed,
                "win_levels": resp.win_levels,
                "full_reset": resp.full_reset,
                "frames": len(resp.frame),
                "sha256": frames_sha256(resp.frame),
            }
        )
    assert got == EXPECTED[game_id][name], "expected.json is stale: run testdata/make_scripts.py"

    states = {r["state"] for r in got if r}
    if name == "win":
        assert "WIN" in states
        levels = [r["levels_completed"] for r in got[: [r["state"] for r in got].index("WIN") + 1]]
        assert levels == sorted(levels) and levels[-1] == got[0]["win_levels"]
    if name == "game_over":
        assert "GAME_OVER" in states
    if name == "raise":
        assert None in got
    if name == "resets":
        resets = [r for c, r in zip(SCRIPTS[game_id][name], got) if c == "RESET"]
        assert any(r["full_reset"] for r in resets[1:]) and any(not r["full_reset"] for r in resets)
    if name == "unavailable":
        used = {parse(c)[0].value for c in SCRIPTS[game_id][name]} - {0}
        assert used - available


def test_coverage(arcade: Any) -> None:
    used: set[int] = set()
    for game_id in GAME_META:
        env = arcade.make(game_id, seed=0)
        assert env is not None
        used |= set(env.observation_space.available_actions)
    assert used == {1, 2, 3, 4, 5, 6, 7}
    results = [r for by_name in EXPECTED.values() for rs in by_name.values() for r in rs if r]
    assert max(r["frames"] for r in results) > 1
    assert {"WIN", "GAME_OVER"} <= {r["state"] for r in results}


def test_seed_changes_layout(arcade: Any) -> None:
    def first_frame(seed: int) -> np.ndarray:
        env = arcade.make(SEEDED, seed=seed)
        assert env is not None
        return np.asarray(env.observation_space.frame[0])

    a, b, a2 = first_frame(0), first_frame(1), first_frame(0)
    assert not np.array_equal(a, b)
    assert np.array_equal(a, a2)


def test_ice_hall_sizes_and_letterbox() -> None:
    module = load_module(GAME_META["ih01-3f9a2c1e"]["dir"] / "icehall.py")
    game = module.IceHall()
    sizes = [level.grid_size for level in game._levels]
    assert len(set(sizes)) == len(sizes) >= 3 and (21, 21) in sizes
    game.set_level(sizes.index((21, 21)))
    frame = np.asarray(game.camera.render(game.current_level.get_sprites()))
    assert (frame[:63, 63] == game.camera.letter_box).all()


def test_raising_game(arcade: Any, records: Records, capsys: pytest.CaptureFixture[str]) -> None:
    env = arcade.make(RAISER, seed=0)
    assert env is not None
    assert "er01: level" in capsys.readouterr().out
    env.step(GameAction.RESET)
    assert "er01: level" in capsys.readouterr().out

    script = SCRIPTS[RAISER]["raise"]
    first = next(i for i, c in enumerate(script) if c == "ACTION5")
    for command in script[1:first]:
        assert env.step(*parse(command)) is not None
    records.records.clear()
    assert env.step(GameAction.ACTION5) is None
    assert any("deliberate failure in step" in r.getMessage() for r in records.records if r.levelno >= logging.ERROR)
    after = env.step(GameAction.ACTION2)
    assert after is not None and after.state == GameState.NOT_FINISHED and len(after.frame) == 1

    # Without the toolkit the exception reaches the caller.
    module = load_module(GAME_META[RAISER]["dir"] / "errwalk.py")
    game = module.ErrWalk()
    act(game, GameAction.RESET)
    for command in script[1:first]:
        act(game, *parse(command))
    with pytest.raises(RuntimeError, match="deliberate failure in step"):
        act(game, GameAction.ACTION5)


# Fault fixtures ---------------------------------------------------------------


def fault_file(base: str) -> Path:
    (game_id,) = [g for g in FAULT_META if g.startswith(base + "-")]
    return Path(FAULT_META[game_id]["dir"]) / f"{base}.py"


@pytest.mark.parametrize("base", ["sy01", "nc01", "nf01"])
def test_fault_does_not_load(base: str, quiet_logger: logging.Logger, records: Records, tmp_path: Path) -> None:
    path = fault_file(base)
    if base == "sy01":
        with pytest.raises(SyntaxError):
            compile(path.read_text(), str(path), "exec")
    elif base == "nc01":
        assert getattr(load_module(path), "Nc01", None) is None
    else:
        assert not path.exists()
    # The toolkit logs the failure and still hands back a wrapper with no game.
    env = make_arcade(FAULTS, quiet_logger, tmp_path).make(base, seed=0)
    assert env is not None and env.observation_space is None
    assert env.step(GameAction.ACTION1) is None
    assert any(r.levelno >= logging.ERROR for r in records.records)


def test_bad_colour() -> None:
    game = load_module(fault_file("bg01")).Bg01()
    act(game, GameAction.RESET)
    bad = np.asarray(act(game, GameAction.ACTION1).frame[0])
    assert bad[0, 0] == 99 and bad[0, 1] == -5
    good = np.asarray(act(game, GameAction.ACTION2).frame[0])
    assert good.min() >= 0 and good.max() <= 15


DRIVER = r"""
import os, sys
for fd, name in ((3, "FD3"), (4, "FD4")):
    if os.environ.get(name):
        os.dup2(os.open(os.environ[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
import importlib.util
from arcengine import ActionInput, GameAction
path, cls, *actions = sys.argv[1:]
spec = importlib.util.spec_from_file_location("fault", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
game = getattr(module, cls)()
for a in actions:
    data = game.perform_action(ActionInput(id=GameAction.from_id(int(a))), raw=True)
    sys.stderr.write(f"done {a} {data.state.value} {len(data.frame)}\n")
    sys.stderr.flush()
"""


def driver(base: str, actions: list[int], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", DRIVER, str(fault_file(base)), base[0].upper() + base[1:]] + [str(a) for a in actions]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors")
def test_garbage_writer(tmp_path: Path) -> None:
    fd3, fd4 = tmp_path / "fd3", tmp_path / "fd4"
    proc = driver("gb01", [0, 1, 2], {"FD3": str(fd3), "FD4": str(fd4)})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err.decode().splitlines() == ["done 0 NOT_FINISHED 1", "done 1 NOT_FINISHED 1", "done 2 NOT_FINISHED 1"]
    garbage = load_module(fault_file("gb01")).GARBAGE
    assert out == garbage and fd3.read_bytes() == garbage and fd4.read_bytes() == garbage


def read_lines(proc: subprocess.Popen[bytes], count: int, timeout: float) -> list[str]:
    """The first count lines the process writes to stderr (fewer on timeout)."""
    assert proc.stderr is not None
    buf = b""
    deadline = time.monotonic() + timeout
    while buf.count(b"\n") < count:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stderr], [], [], left)[0]:
            break
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode().splitlines()[:count]


@pytest.mark.skipif(sys.platform == "win32", reason="select() on pipes")
def test_hang_and_crash() -> None:
    hang = driver("hg01", [0, 2, 1])
    crash = driver("cr01", [0, 2, 1, 2])
    try:
        assert read_lines(crash, 3, 60) == ["done 0 NOT_FINISHED 1", "done 2 NOT_FINISHED 1"]
        assert crash.wait(timeout=60) == 3
        assert read_lines(hang, 2, 60) == ["done 0 NOT_FINISHED 1", "done 2 NOT_FINISHED 1"]
        with pytest.raises(subprocess.TimeoutExpired):
            hang.wait(timeout=1.5)
    finally:
        for proc in (hang, crash):
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
