"""Tests of arcgym_worker.py: the protocol end to end through worker
processes, and the worker's parts (loading rules, encoding, the reader, the
writer) in process.

Run: python -m pytest -q tests/test_worker.py   (from arcengine/python)
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from arcengine import ActionInput, FrameData, GameAction, GameState

import arcgym_worker as worker

PYTHON_DIR = Path(__file__).resolve().parents[1]
WORKER = PYTHON_DIR / "arcgym_worker.py"
TESTDATA = PYTHON_DIR.parent / "testdata"
GAMES = TESTDATA / "games"
FAULTS = TESTDATA / "faults"
SCRIPTS: dict[str, dict[str, list[str]]] = json.loads((TESTDATA / "scripts.json").read_text())
EXPECTED: dict[str, dict[str, list[Any]]] = json.loads((TESTDATA / "expected.json").read_text())

SD01 = GAMES / "sd01" / "c2e81f60"
SD01_ID = "sd01-c2e81f60"
ER01 = GAMES / "er01" / "0d5b9a47"
ER01_ID = "er01-0d5b9a47"
TIMEOUT = 60.0  # seconds, against hangs only


# Requests ---------------------------------------------------------------------


def request(op: int, slot: int = 0, payload: bytes = b"") -> bytes:
    return struct.pack("<IBI", 5 + len(payload), op, slot) + payload


def str16(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<H", len(b)) + b


def open_payload(directory: Path | str, class_name: str = "", game_id: str = "", seed: int = 0) -> bytes:
    return struct.pack("<q", seed) + str16(str(directory)) + str16(class_name) + str16(game_id)


def command(cmd: str) -> tuple[int, int, int]:
    """Action id, x and y of a command: "ACTION6 3 4" -> (6, 3, 4)."""
    name, *xy = cmd.split()
    action = 0 if name == "RESET" else int(name.removeprefix("ACTION"))
    x, y = (int(xy[0]), int(xy[1])) if xy else (0, 0)
    return action, x, y


def cmd_payload(cmd: str, reasoning: bytes = b"") -> bytes:
    return struct.pack("<BBBI", *command(cmd), len(reasoning)) + reasoning


def time_payload(cmds: list[str]) -> bytes:
    return struct.pack("<I", len(cmds)) + b"".join(bytes(command(c)) for c in cmds)


# Responses --------------------------------------------------------------------


@dataclass
class Hello:
    protocol: int
    pid: int
    python: str
    arcengine: str
    import_error: str


@dataclass
class Opened:
    actions: list[int]
    win_levels: int
    levels: int
    seeded: bool


@dataclass
class Frames:
    state: int
    levels_completed: int
    win_levels: int
    full_reset: bool
    actions: list[int]
    frames: list[bytes]
    # How long the step took: a measurement, left out of comparisons.
    step_ns: int = field(default=0, compare=False)


@dataclass
class Failure:
    phase: int
    message: str


@dataclass
class Closed:
    pass


@dataclass
class Times:
    ns: list[int]


Message = Hello | Opened | Frames | Failure | Closed | Times


class Body:
    """A response body being decoded; every byte must be used."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.off = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.off)
        self.off += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        assert self.off + n <= len(self.data), "response shorter than its fields"
        out = self.data[self.off : self.off + n]
        self.off += n
        return out

    def string(self, width: str) -> str:
        (n,) = self.take(width)
        return self.raw(n).decode("utf-8")

    def done(self) -> None:
        assert self.off == len(self.data), f"{len(self.data) - self.off} bytes left over"


def decode(data: bytes) -> Message:
    """One response body (after its length prefix)."""
    b = Body(data)
    (kind,) = b.take("B")
    msg: Message
    if kind == worker.KIND_HELLO:
        protocol, pid = b.take("HI")
        msg = Hello(protocol, pid, b.string("H"), b.string("H"), b.string("H"))
    elif kind == worker.KIND_OPENED:
        (n,) = b.take("B")
        actions = list(b.raw(n))
        win_levels, levels, seeded = b.take("iiB")
        msg = Opened(actions, win_levels, levels, bool(seeded))
    elif kind == worker.KIND_FRAMES:
        state, levels_completed, win_levels, full, step_ns, n = b.take("BiiBQB")
        actions = list(b.raw(n))
        (count,) = b.take("H")
        frames = [b.raw(worker.FRAME_BYTES) for _ in range(count)]
        msg = Frames(state, levels_completed, win_levels, bool(full), actions, frames, step_ns)
    elif kind == worker.KIND_ERROR:
        (phase,) = b.take("B")
        msg = Failure(phase, b.string("I"))
    elif kind == worker.KIND_CLOSED:
        msg = Closed()
    elif kind == worker.KIND_TIMES:
        (n,) = b.take("I")
        msg = Times(list(b.take(f"{n}Q")))
    else:
        raise AssertionError(f"unknown response kind {kind}")
    b.done()
    return msg


def unframe(parts: worker.Response) -> bytes:
    """The body of an in-process response, after checking its length prefix."""
    data = b"".join(parts)
    (n,) = struct.unpack_from("<I", data)
    assert n == len(data) - 4, "length prefix does not match the response"
    return data[4:]


def expect[T](msg: Message, kind: type[T]) -> T:
    assert isinstance(msg, kind), msg
    return msg


def cells(frame: bytes) -> np.ndarray[Any, np.dtype[np.int8]]:
    return np.frombuffer(frame, dtype=np.int8).reshape(64, 64)


def record(msg: Message) -> dict[str, Any] | None:
    """A response as expected.json records the toolkit's results."""
    if isinstance(msg, Failure):
        assert msg.phase == worker.PHASE_STEP, msg.message
        return None
    f = expect(msg, Frames)
    states = {code: name for name, code in worker.STATE_CODES.items()}
    return {
        "state": states[f.state],
        "levels_completed": f.levels_completed,
        "win_levels": f.win_levels,
        "full_reset": f.full_reset,
        "frames": len(f.frames),
        "sha256": hashlib.sha256(b"".join(f.frames)).hexdigest(),
    }


# Worker processes -------------------------------------------------------------


class WorkerProcess:
    """arcgym_worker.py in a child process, spoken to over two pipes."""

    def __init__(self, tmp: Path, python_flags: tuple[str, ...] = (), spin_us: int = 0) -> None:
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        self.stderr_path = tmp / f"worker-{id(self)}.stderr"
        args = [sys.executable, *python_flags, str(WORKER), str(req_r), str(resp_w), str(spin_us)]
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                args, pass_fds=(req_r, resp_w), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
            )
        os.close(req_r)
        os.close(resp_w)
        self.closed = False

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.req_w, view) :]

    def read(self, n: int) -> bytes:
        """n bytes of responses; fewer only at the end of the stream."""
        out = bytearray()
        deadline = time.monotonic() + TIMEOUT
        while len(out) < n:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.resp_r], [], [], max(left, 0))
            assert ready, f"no response within {TIMEOUT}s; stderr: {self.stderr()}"
            chunk = os.read(self.resp_r, min(n - len(out), 1 << 20))
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def receive(self) -> Message:
        head = self.read(4)
        assert len(head) == 4, f"the worker closed its pipe; stderr: {self.stderr()}"
        (n,) = struct.unpack("<I", head)
        body = self.read(n)
        assert len(body) == n
        return decode(body)

    def call(self, op: int, slot: int = 0, payload: bytes = b"") -> Message:
        self.send(request(op, slot, payload))
        return self.receive()

    def finish(self) -> tuple[int, bytes]:
        """Closes the request pipe; the exit code and standard output."""
        if not self.closed:
            os.close(self.req_w)
            self.closed = True
        out, _ = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, out

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.finish()
        os.close(self.resp_r)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(python_flags: tuple[str, ...] = (), spin_us: int = 0) -> WorkerProcess:
        w = WorkerProcess(tmp_path, python_flags, spin_us)
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    """One worker for the tests that need no fresh process, HELLO read."""
    w = WorkerProcess(tmp_path_factory.mktemp("worker"), spin_us=50)
    expect(w.receive(), Hello)
    yield w
    w.kill()


# The protocol, end to end -----------------------------------------------------


def test_hello(spawn: Callable[..., WorkerProcess]) -> None:
    w = spawn()
    hello = expect(w.receive(), Hello)
    assert hello == Hello(worker.PROTOCOL, w.proc.pid, platform.python_version(), version("arcengine"), "")
    assert w.finish() == (0, b"")


def test_session(shared: WorkerProcess) -> None:
    """OPEN sd01 by its default class name, RESET and a few actions against
    what the toolkit returned (expected.json), CLOSE."""
    opened = expect(shared.call(worker.OP_OPEN, 7, open_payload(SD01, "", SD01_ID)), Opened)
    assert opened == Opened(actions=[1, 2, 3, 4, 6], win_levels=3, levels=3, seeded=True)

    script, expected = SCRIPTS[SD01_ID]["resets"][:10], EXPECTED[SD01_ID]["resets"][:10]
    got: list[dict[str, Any] | None] = []
    for cmd in script:
        msg = expect(shared.call(worker.OP_CMD, 7, cmd_payload(cmd)), Frames)
        assert msg.actions == [1, 2, 3, 4, 6]
        assert msg.step_ns > 0, "the step's own time is reported"
        assert msg.frames
        for frame in msg.frames:
            assert len(frame) == 64 * 64
            c = cells(frame)
            assert c.min() >= 0
            assert c.max() <= 15
        got.append(record(msg))
    assert got == expected

    # An unavailable action changes nothing and still answers one frame.
    before = got[-1]
    assert before is not None
    after = expect(shared.call(worker.OP_CMD, 7, cmd_payload("ACTION5")), Frames)
    assert len(after.frames) == 1
    assert hashlib.sha256(after.frames[0]).hexdigest() == before["sha256"]

    assert shared.call(worker.OP_CLOSE, 7) == Closed()
    closed = expect(shared.call(worker.OP_CMD, 7, cmd_payload("ACTION1")), Failure)
    assert closed.phase == worker.PHASE_REQUEST
    assert "slot 7 holds no game" in closed.message


def test_slots_are_independent(shared: WorkerProcess) -> None:
    for slot, seed in ((1, 0), (2, 1)):
        assert expect(shared.call(worker.OP_OPEN, slot, open_payload(SD01, "", SD01_ID, seed)), Opened).seeded
    seed0 = expect(shared.call(worker.OP_CMD, 1, cmd_payload("RESET")), Frames).frames
    seed1 = expect(shared.call(worker.OP_CMD, 2, cmd_payload("RESET")), Frames).frames
    assert hashlib.sha256(seed0[0]).hexdigest() == EXPECTED[SD01_ID]["win"][0]["sha256"]
    assert seed0 != seed1  # the seed reached the constructor
    for slot in (1, 2):
        assert shared.call(worker.OP_CLOSE, slot) == Closed()


def check_echo(w: WorkerProcess, n: int) -> None:
    msg = expect(w.call(worker.OP_ECHO, 0, struct.pack("<H", n)), Frames)
    assert (msg.state, msg.levels_completed, msg.win_levels, msg.full_reset, msg.actions) == (1, 0, 1, False, [1])
    assert len(msg.frames) == n
    assert all(f == bytes(4096) for f in msg.frames)
    assert msg.step_ns == 0, "no game stepped"


@pytest.mark.parametrize("n", [0, 3])
def test_echo(shared: WorkerProcess, n: int) -> None:
    """ECHO answers n blank frames."""
    check_echo(shared, n)


def test_echo_many_frames(spawn: Callable[..., WorkerProcess]) -> None:
    """More frames than one writev call takes buffers (IOV_MAX, 1024)."""
    w = spawn()
    expect(w.receive(), Hello)
    check_echo(w, 1100)
    check_echo(w, 2)
    assert w.finish() == (0, b"")


def test_time(shared: WorkerProcess) -> None:
    expect(shared.call(worker.OP_OPEN, 3, open_payload(SD01, "", SD01_ID)), Opened)
    cmds = ["RESET", "ACTION1", "ACTION6 12 12", "ACTION2"]
    times = expect(shared.call(worker.OP_TIME, 3, time_payload(cmds)), Times)
    assert len(times.ns) == len(cmds)
    assert all(0 < t < 60 * 10**9 for t in times.ns)

    bad_id = expect(shared.call(worker.OP_TIME, 3, time_payload(["RESET"])[:-3] + bytes([9, 0, 0])), Failure)
    assert bad_id.phase == worker.PHASE_REQUEST
    assert "action id 9" in bad_id.message
    short = expect(shared.call(worker.OP_TIME, 3, time_payload(cmds)[:-1]), Failure)
    assert short.phase == worker.PHASE_REQUEST
    assert "does not match" in short.message
    assert shared.call(worker.OP_CLOSE, 3) == Closed()
    empty = expect(shared.call(worker.OP_TIME, 3, time_payload(cmds)), Failure)
    assert empty.phase == worker.PHASE_REQUEST
    assert "holds no game" in empty.message


@pytest.mark.parametrize(
    ("op", "payload", "fragment"),
    [
        (42, b"", "unknown op 42"),
        (worker.OP_CMD, b"\x01\x00", "short command"),
        (worker.OP_CMD, struct.pack("<BBBI", 1, 0, 0, 10) + b"{}", "reasoning length"),
        (worker.OP_OPEN, b"\x00" * 4, "short open"),
        (worker.OP_OPEN, struct.pack("<q", 0) + b"\x01", "string length past the end"),
        (worker.OP_OPEN, struct.pack("<qH", 0, 50) + b"abc", "string past the end"),
        (worker.OP_OPEN, struct.pack("<q", 0) + str16(b"\xff\xfe") + str16("") + str16("x"), "decode"),
        (worker.OP_ECHO, b"", "malformed request"),
        (worker.OP_TIME, b"\x01", "short time request"),
    ],
)
def test_malformed_request(shared: WorkerProcess, op: int, payload: bytes, fragment: str) -> None:
    msg = expect(shared.call(op, 99, payload), Failure)
    assert msg.phase == worker.PHASE_REQUEST
    assert fragment in msg.message
    # The worker keeps serving.
    assert len(expect(shared.call(worker.OP_ECHO, 0, struct.pack("<H", 1)), Frames).frames) == 1


def test_command_errors(shared: WorkerProcess) -> None:
    expect(shared.call(worker.OP_OPEN, 4, open_payload(SD01, "", SD01_ID)), Opened)
    bad_id = expect(shared.call(worker.OP_CMD, 4, struct.pack("<BBBI", 8, 0, 0, 0)), Failure)
    assert bad_id.phase == worker.PHASE_REQUEST
    assert "action id 8 is not 0..7" in bad_id.message
    ok = shared.call(worker.OP_CMD, 4, cmd_payload("ACTION1", json.dumps({"why": "up"}).encode()))
    assert len(expect(ok, Frames).frames) == 1
    not_json = expect(shared.call(worker.OP_CMD, 4, cmd_payload("ACTION1", b"{nope")), Failure)
    assert not_json.phase == worker.PHASE_ACTION
    assert "JSONDecodeError" in not_json.message
    too_big = expect(shared.call(worker.OP_CMD, 4, cmd_payload("ACTION1", json.dumps("x" * 20000).encode())), Failure)
    assert too_big.phase == worker.PHASE_ACTION
    assert "reasoning exceeds" in too_big.message
    assert shared.call(worker.OP_CLOSE, 4) == Closed()


def test_load_failure_over_the_wire(shared: WorkerProcess) -> None:
    msg = expect(
        shared.call(worker.OP_OPEN, 5, open_payload(FAULTS / "sy01" / "4a1c7e90", "", "sy01-4a1c7e90")), Failure
    )
    assert msg.phase == worker.PHASE_LOAD
    assert "SyntaxError" in msg.message
    assert "sy01.py" in msg.message


def test_step_exception_and_printing_game(spawn: Callable[..., WorkerProcess]) -> None:
    """er01 raises in step() and prints to stdout: the worker reports the
    failure with its traceback, keeps the game, and keeps stdout clean."""
    w = spawn()
    expect(w.receive(), Hello)
    expect(w.call(worker.OP_OPEN, 0, open_payload(ER01, "ErrWalk", ER01_ID)), Opened)
    got: list[dict[str, Any] | None] = []
    failures: list[Failure] = []
    for cmd in SCRIPTS[ER01_ID]["raise"]:
        msg = w.call(worker.OP_CMD, 0, cmd_payload(cmd))
        if isinstance(msg, Failure):
            failures.append(msg)
        got.append(record(msg))
    assert got == EXPECTED[ER01_ID]["raise"]
    assert failures
    for f in failures:
        assert "Traceback (most recent call last)" in f.message
        assert "RuntimeError: deliberate failure in step" in f.message
        assert "errwalk.py" in f.message
    assert w.finish() == (0, b"")
    assert "er01: level" in w.stderr()


def test_eof_exits_zero(spawn: Callable[..., WorkerProcess]) -> None:
    w = spawn(spin_us=1000)
    expect(w.receive(), Hello)
    expect(w.call(worker.OP_OPEN, 0, open_payload(SD01, "", SD01_ID)), Opened)
    assert w.finish() == (0, b"")


@pytest.mark.parametrize("cut", [3, 9, 12])
def test_eof_mid_request(spawn: Callable[..., WorkerProcess], cut: int) -> None:
    """A request cut short (in the header, right after it, in the body) is
    not answered and the worker fails."""
    w = spawn()
    expect(w.receive(), Hello)
    w.send(request(worker.OP_CMD, 0, cmd_payload("ACTION1", b'"reason"'))[:cut])
    code, out = w.finish()
    assert (code, out) == (1, b"")
    assert "request cut short" in w.stderr()
    assert w.read(1) == b""  # nothing was answered


def test_without_arcengine(spawn: Callable[..., WorkerProcess]) -> None:
    """Without site-packages the HELLO says why, and the worker exits 1."""
    w = spawn(python_flags=("-S",))
    hello = expect(w.receive(), Hello)
    assert hello.arcengine == ""
    assert "ModuleNotFoundError" in hello.import_error
    assert w.finish() == (1, b"")


def test_usage() -> None:
    assert worker.main(["arcgym_worker.py"]) == 2
    assert worker.main(["arcgym_worker.py", "1", "2", "3", "4"]) == 2


# Loading rules, in process ----------------------------------------------------


@pytest.fixture(scope="module")
def host() -> worker.Host:
    return worker.Host()


def call(host: worker.Host, op: int, slot: int, payload: bytes = b"") -> Message:
    return decode(unframe(worker.handle(host, op, slot, payload)))


GAME_TEMPLATE = """
from arcengine import ARCBaseGame, Camera, Level, Sprite

CALLS = []

class {name}(ARCBaseGame):
    def __init__(self{params}) -> None:
        CALLS.append({log})
        {body}
        level = Level(sprites=[Sprite([[1]], name="p")], grid_size=(8, 8))
        super().__init__(game_id="{game_id}", levels=[level], camera=Camera(), available_actions=[1, 2])

    def step(self) -> None:
        if self.action.id.value == 2:
            raise KeyError("step went wrong")
        self.complete_action()
"""


def write_game(
    directory: Path,
    file: str,
    name: str,
    params: str = "",
    log: str = "None",
    body: str = "pass",
    game_id: str = "tg01",
) -> Path:
    """A minimal game whose constructor appends log (an expression) to CALLS."""
    directory.mkdir(parents=True, exist_ok=True)
    source = GAME_TEMPLATE.format(name=name, params=params, log=log, body=body, game_id=game_id)
    (directory / file).write_text(source)
    return directory


@pytest.mark.parametrize(
    ("game_id", "class_name", "want"),
    [
        (SD01_ID, "", "Sd01"),
        ("lg01-7b04d5e2", "", "Lg01"),
        ("ab", "", "Ab"),
        ("x9yz", "", "X9yz"),
        (ER01_ID, "ErrWalk", "ErrWalk"),
    ],
)
def test_class_name_for(game_id: str, class_name: str, want: str) -> None:
    assert worker.class_name_for(game_id, class_name) == want


def test_game_file_order(tmp_path: Path) -> None:
    assert worker.game_file(str(tmp_path), "MyGame") is None
    (tmp_path / "MyGame.py").write_text("")
    assert worker.game_file(str(tmp_path), "MyGame") == tmp_path / "MyGame.py"
    (tmp_path / "mygame.py").write_text("")
    assert worker.game_file(str(tmp_path), "MyGame") == tmp_path / "mygame.py"


def test_open_by_exact_file_name(host: worker.Host, tmp_path: Path) -> None:
    d = write_game(tmp_path / "g", "CamelGame.py", "CamelGame")
    opened = expect(call(host, worker.OP_OPEN, 10, open_payload(d, "CamelGame", "cg01-00000000")), Opened)
    assert opened == Opened(actions=[1, 2], win_levels=1, levels=1, seeded=False)


@pytest.mark.parametrize(
    ("params", "seeded", "calls"),
    [
        (", seed: int = 0", True, [42]),
        ("", False, [None]),
        (", **kwargs: object", False, [{}]),  # seed is passed by name only
    ],
)
def test_seed_only_when_accepted(
    host: worker.Host, tmp_path: Path, params: str, seeded: bool, calls: list[object]
) -> None:
    log = {"": "None", ", seed: int = 0": "seed", ", **kwargs: object": "kwargs"}[params]
    d = write_game(tmp_path / "g", "tg01.py", "Tg01", params=params, log=log)
    opened = expect(call(host, worker.OP_OPEN, 11, open_payload(d, "", "tg01-00000000", seed=42)), Opened)
    assert opened.seeded is seeded
    game_globals = type(host.slots[11]).__init__.__globals__
    assert game_globals["CALLS"] == calls


def test_classes_are_cached_by_file(host: worker.Host, tmp_path: Path) -> None:
    """As in the toolkit, a game file is compiled once per process."""
    d = write_game(tmp_path / "g", "tg02.py", "Tg02")
    expect(call(host, worker.OP_OPEN, 12, open_payload(d, "", "tg02-00000000")), Opened)
    first = host.slots[12]
    (d / "tg02.py").write_text("raise SystemExit('not read again')\n")
    expect(call(host, worker.OP_OPEN, 12, open_payload(d, "", "tg02-00000000")), Opened)
    assert host.slots[12] is not first  # a new game, of the cached class
    assert type(host.slots[12]) is type(first)


def not_a_game(d: Path) -> Path:
    (d / "tg03.py").write_text("class Tg03:\n    pass\n")
    return d


def not_a_class(d: Path) -> Path:
    (d / "tg03.py").write_text("Tg03 = 3\n")
    return d


def raises_on_import(d: Path) -> Path:
    (d / "tg03.py").write_text("import no_such_module_for_arcgym\n")
    return d


def raises_in_constructor(d: Path) -> Path:
    return write_game(d, "tg03.py", "Tg03", body="raise ValueError('broken constructor')")


def fault(base: str) -> Callable[[Path], Path]:
    def pick(_: Path) -> Path:
        (d,) = (FAULTS / base).iterdir()
        return d

    return pick


@pytest.mark.parametrize(
    ("make", "game_id", "phase", "fragments"),
    [
        (fault("nf01"), "nf01-71e5c9aa", worker.PHASE_LOAD, ["FileNotFoundError", "no nf01.py or Nf01.py in"]),
        (fault("sy01"), "sy01-4a1c7e90", worker.PHASE_LOAD, ["SyntaxError", "sy01.py"]),
        (fault("nc01"), "nc01-b83d0f26", worker.PHASE_LOAD, ["LookupError", "class Nc01 not found"]),
        (not_a_game, "tg03", worker.PHASE_LOAD, ["TypeError", "class Tg03", "not a subclass of ARCBaseGame"]),
        (not_a_class, "tg03", worker.PHASE_LOAD, ["class Tg03 not found"]),
        (raises_on_import, "tg03", worker.PHASE_LOAD, ["ModuleNotFoundError", "no_such_module_for_arcgym"]),
        (raises_in_constructor, "tg03", worker.PHASE_INIT, ["ValueError: broken constructor", "tg03.py"]),
    ],
)
def test_load_errors(
    host: worker.Host,
    tmp_path: Path,
    make: Callable[[Path], Path],
    game_id: str,
    phase: int,
    fragments: list[str],
) -> None:
    # Each case gets its own directory: the class cache is keyed by file.
    d = make(tmp_path)
    msg = expect(call(host, worker.OP_OPEN, 13, open_payload(d, "", game_id)), Failure)
    assert msg.phase == phase
    assert "Traceback (most recent call last)" in msg.message
    for fragment in fragments:
        assert fragment in msg.message
    assert 13 not in host.slots


def test_step_exception(host: worker.Host, tmp_path: Path) -> None:
    d = write_game(tmp_path / "g", "tg04.py", "Tg04")
    expect(call(host, worker.OP_OPEN, 14, open_payload(d, "", "tg04-00000000")), Opened)
    msg = expect(call(host, worker.OP_CMD, 14, cmd_payload("ACTION2")), Failure)
    assert msg.phase == worker.PHASE_STEP
    assert "Traceback (most recent call last)" in msg.message
    assert "KeyError: 'step went wrong'" in msg.message
    assert "tg04.py" in msg.message
    # The game object stays and answers the next command.
    assert len(expect(call(host, worker.OP_CMD, 14, cmd_payload("ACTION1")), Frames).frames) == 1


@pytest.mark.parametrize(("game_id", "name"), [(g, n) for g in sorted(SCRIPTS) for n in SCRIPTS[g]])
def test_scripts_match_toolkit(host: worker.Host, game_id: str, name: str) -> None:
    """Every test script through the worker's Host, against what the
    toolkit returned (expected.json): states, counters, frames, failures."""
    base, ver = game_id.split("-")
    meta = json.loads((GAMES / base / ver / "metadata.json").read_text())
    payload = open_payload(GAMES / base / ver, meta.get("class_name", ""), game_id)
    expect(call(host, worker.OP_OPEN, 20, payload), Opened)
    got = [record(call(host, worker.OP_CMD, 20, cmd_payload(cmd))) for cmd in SCRIPTS[game_id][name]]
    assert got == EXPECTED[game_id][name]


# Encoding ---------------------------------------------------------------------


def fake_result(frames: list[Any], state: Any = GameState.NOT_FINISHED, available: list[Any] | None = None) -> Any:
    return SimpleNamespace(
        frame=frames,
        state=state,
        levels_completed=2,
        win_levels=5,
        full_reset=True,
        available_actions=[1, 6] if available is None else available,
    )


def frames_of(parts: worker.Response) -> Frames:
    return expect(decode(unframe(parts)), Frames)


def test_frames_body_int8(host: worker.Host) -> None:
    frame = np.arange(4096, dtype=np.int64).reshape(64, 64).astype(np.int8)
    parts = worker.frames_body(fake_result([frame, frame.T]))
    # The engine's contiguous int8 frames go out without a copy.
    assert isinstance(parts[3], memoryview)
    assert parts[3].obj is frame
    msg = frames_of(parts)
    assert (msg.state, msg.levels_completed, msg.win_levels, msg.full_reset) == (1, 2, 5, True)
    assert msg.step_ns == 0
    assert frames_of(worker.frames_body(fake_result([frame]), 123_456_789)).step_ns == 123_456_789
    assert msg.actions == [1, 6]
    assert msg.frames == [frame.tobytes(), np.ascontiguousarray(frame.T).tobytes()]


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.astype(np.int64),
        lambda a: a.astype(np.int32),
        lambda a: a.astype(np.float64),
        lambda a: a.astype(np.int64).tolist(),
    ],
)
def test_frame_bytes_converts(host: worker.Host, convert: Callable[[np.ndarray[Any, Any]], Any]) -> None:
    """Frames of other types keep their values (one signed byte each, out
    of range values included), row-major."""
    a = np.zeros((64, 64), dtype=np.int64)
    a[0, :4] = [99, -5, 15, -128]
    a[5, 7] = 255
    a[63, 63] = 7
    b = worker.frame_bytes(convert(a))
    assert b is not None
    assert bytes(b) == a.astype(np.int16).astype(np.uint8).tobytes()
    assert cells(bytes(b))[0, :4].tolist() == [99, -5, 15, -128]
    assert cells(bytes(b))[63, 63] == 7


def test_frame_bytes_clips_outside_a_byte(host: worker.Host) -> None:
    a = np.zeros((64, 64), dtype=np.int64)
    a[0, :2] = [300, -300]
    b = worker.frame_bytes(a)
    assert b is not None
    assert bytes(b)[:2] == bytes([255, 128])


@pytest.mark.parametrize(
    ("frames", "fragment"),
    [
        ([np.zeros((32, 64), dtype=np.int8)], "frame 0 has shape (32, 64), want (64, 64)"),
        ([np.zeros((64, 64), dtype=np.int8), np.zeros((64, 64, 3))], "frame 1 has shape (64, 64, 3)"),
        ([np.zeros(4096, dtype=np.int8)], "frame 0 has shape (4096,)"),
        ([[1, 2, 3]], "frame 0 has shape (3,)"),
        ([[]], "frame 0 has shape (0,)"),
        ([[[1, 2], [3]]], "frame 0 is not an array of cells"),
        ([np.full((64, 64), None, dtype=object)], "frame 0 is not an array of cells"),
    ],
)
def test_frames_body_bad_frames(host: worker.Host, frames: list[Any], fragment: str) -> None:
    msg = expect(decode(unframe(worker.frames_body(fake_result(frames)))), Failure)
    assert msg.phase == worker.PHASE_FRAME
    assert fragment in msg.message


def test_empty_reply_after_game_over(host: worker.Host) -> None:
    """After WIN or GAME_OVER the engine answers a FrameData with no frames
    (and, as it builds it, no counters): 0 frames on the wire."""
    expect(call(host, worker.OP_OPEN, 15, open_payload(SD01, "", SD01_ID)), Opened)
    script = SCRIPTS[SD01_ID]["game_over"]
    end = script.index("ACTION1")  # the first command after GAME_OVER
    last = [call(host, worker.OP_CMD, 15, cmd_payload(cmd)) for cmd in script[:end]][-1]
    assert expect(last, Frames).state == worker.STATE_CODES["GAME_OVER"]
    game = host.slots[15]
    result = game.perform_action(ActionInput(id=GameAction.ACTION1), raw=True)
    assert isinstance(result, FrameData)
    assert frames_of(worker.frames_body(result)) == Frames(
        worker.STATE_CODES["GAME_OVER"], 0, 0, False, [1, 2, 3, 4, 6], []
    )
    # Through the protocol too.
    over = expect(call(host, worker.OP_CMD, 15, cmd_payload("ACTION2")), Frames)
    assert (over.state, len(over.frames)) == (worker.STATE_CODES["GAME_OVER"], 0)


def test_state_codes(host: worker.Host) -> None:
    for member in GameState:
        assert worker.state_code(member) == worker.STATE_CODES[member.value]
    assert worker.state_code("WIN") == 2
    assert worker.state_code("SOMETHING_ELSE") == 255
    msg = frames_of(worker.frames_body(fake_result([], state="MYSTERY")))
    assert msg.state == 255


def test_action_ids() -> None:
    assert worker.action_ids([1, 2, 3, 4, 5, 6, 7]) == bytes([1, 2, 3, 4, 5, 6, 7])
    assert worker.action_ids([0, 255, 256, -1, 1000]) == bytes([0, 255, 255, 255, 255])
    assert worker.action_ids(["1", 2.0, None, 3]) == bytes([255, 255, 255, 3])
    assert worker.action_ids([]) == b""
    assert worker.action_ids((9, 300)) is worker.action_ids([9, 300])  # encoded once


# The reader -------------------------------------------------------------------


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass  # closed by the test


def test_reader_split_requests(pipe: tuple[int, int]) -> None:
    r, w = pipe
    first = request(worker.OP_CMD, 3, cmd_payload("ACTION6 5 6", b'"why"'))
    second = request(worker.OP_CLOSE, 3)
    reader = worker.Reader(r, spin_ns=0)
    os.write(w, first[:4])
    # The rest of the first request and all of the second arrive later, in
    # one write, while the reader waits in the kernel.
    late = threading.Timer(0.05, os.write, (w, first[4:] + second))
    late.start()
    try:
        assert reader.read_exact(len(first)) == first
    finally:
        late.join()
    assert reader.read_exact(len(second)) == second
    assert reader.buf == b""


def test_reader_eof(pipe: tuple[int, int]) -> None:
    r, w = pipe
    reader = worker.Reader(r, spin_ns=0)
    os.write(w, b"\x01\x02\x03")
    os.close(w)
    assert reader.read_exact(2) == b"\x01\x02"
    with pytest.raises(worker.ProtocolError, match="cut short: 1 of 4 bytes"):
        reader.read_exact(4)


def test_reader_clean_eof(pipe: tuple[int, int]) -> None:
    r, w = pipe
    os.close(w)
    assert worker.Reader(r, spin_ns=0).read_exact(9) is None


class Scripted:
    """Stands in for os.read, select.select and time.perf_counter_ns: reads
    follow a script (None: nothing there yet), the clock moves by tick."""

    def __init__(self, reads: list[bytes | None], now: int = 10_000, tick: int = 0) -> None:
        self.reads = list(reads)
        self.now = now
        self.tick = tick
        self.read_calls = 0
        self.select_calls = 0
        self.yields = 0

    def read(self, fd: int, n: int) -> bytes:
        self.read_calls += 1
        item = self.reads.pop(0)
        if item is None:
            raise BlockingIOError
        return item

    def select(self, r: list[int], w: list[int], x: list[int]) -> tuple[list[int], list[int], list[int]]:
        self.select_calls += 1
        return r, [], []

    def clock(self) -> int:
        self.now += self.tick
        return self.now

    def sched_yield(self) -> None:
        self.yields += 1


def scripted_reader(
    monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int], fake: Scripted, spin_ns: int, gap_ns: int
) -> worker.Reader:
    reader = worker.Reader(pipe[0], spin_ns)
    reader.gap_ns = gap_ns
    reader.may_spin = True
    monkeypatch.setattr(worker, "os", SimpleNamespace(read=fake.read, sched_yield=fake.sched_yield))
    monkeypatch.setattr(worker, "select", SimpleNamespace(select=fake.select))
    monkeypatch.setattr(worker, "time", SimpleNamespace(perf_counter_ns=fake.clock))
    return reader


def test_reader_spins_while_gaps_are_short(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([None, None, None, b"req"])
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000_000, gap_ns=100)
    reader.idle_since = 6_000  # answered() 4000 ns before the (frozen) clock
    assert reader.read_some() == b"req"
    assert (fake.read_calls, fake.select_calls) == (4, 0)
    assert reader.gap_ns == 100 + (4_000 - 100) // 4
    assert reader.idle_since == 0


def test_reader_sleeps_when_gaps_are_long(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([None, None, b"req"])  # one spurious wake-up
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000_000, gap_ns=1_000_000)
    reader.idle_since = 6_000
    assert reader.read_some() == b"req"
    assert (fake.read_calls, fake.select_calls) == (3, 2)
    assert reader.gap_ns == 1_000_000 + (4_000 - 1_000_000) // 4


def test_reader_spins_only_after_a_command(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([None, b"req"])
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000_000, gap_ns=0)
    reader.may_spin = False
    assert reader.read_some() == b"req"
    assert (fake.read_calls, fake.select_calls, fake.yields) == (2, 1, 0)


def test_reader_yields_while_it_spins(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([None, None, None, b"req"])
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000_000, gap_ns=0)
    assert reader.read_some() == b"req"
    assert fake.yields == 2  # after each empty read of the spin


def test_reader_never_spins_without_spin_ns(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([None, b"req"])
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=0, gap_ns=0)
    assert reader.read_some() == b"req"
    assert (fake.read_calls, fake.select_calls) == (2, 1)


def test_reader_spin_gives_up_after_spin_ns(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    # The clock moves 100 ns a call: the spin ends after about 10 tries.
    fake = Scripted([None] * 30 + [b"req"], tick=100)
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000, gap_ns=0)
    assert reader.read_some() == b"req"
    assert fake.select_calls >= 1
    assert fake.read_calls == 31
    assert 0 < fake.read_calls - fake.select_calls - 1 <= 11  # spin reads


def test_reader_ready_data_skips_the_wait(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    fake = Scripted([b"req"])
    reader = scripted_reader(monkeypatch, pipe, fake, spin_ns=1_000, gap_ns=500)
    assert reader.read_some() == b"req"
    assert (fake.read_calls, fake.select_calls, reader.gap_ns) == (1, 0, 500)


def test_moving_average(pipe: tuple[int, int]) -> None:
    reader = worker.Reader(pipe[0], spin_ns=0)
    reader.waited(400)
    assert reader.gap_ns == 100
    reader.waited(400)
    assert reader.gap_ns == 175


# The writer -------------------------------------------------------------------


def read_available(fd: int) -> bytes:
    os.set_blocking(fd, False)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return out
        if not chunk:
            return out
        out += chunk


def test_write_all(pipe: tuple[int, int]) -> None:
    r, w = pipe
    worker.write_all(w, worker.framed([b"\x05", memoryview(b"abc"), b""]))
    assert read_available(r) == b"\x04\x00\x00\x00\x05abc"


def test_write_all_partial_writes(monkeypatch: pytest.MonkeyPatch, pipe: tuple[int, int]) -> None:
    r, w = pipe
    real_write = os.write
    writes: list[int] = []

    def writev(fd: int, parts: list[Any]) -> int:
        return real_write(fd, b"".join(parts)[:3])

    def write(fd: int, data: Any) -> int:
        writes.append(len(data))
        return real_write(fd, bytes(data[:2]))

    monkeypatch.setattr(worker, "os", SimpleNamespace(writev=writev, write=write))
    parts = worker.framed([bytes([worker.KIND_ERROR, 3]), struct.pack("<I", 5), b"hello"])
    worker.write_all(w, parts)
    assert writes == [12, 10, 8, 6, 4, 2]  # 15 bytes, 3 through writev
    assert read_available(r) == b"".join(parts)


def test_write_all_many_parts(pipe: tuple[int, int]) -> None:
    r, w = pipe
    parts = worker.framed([bytes([i % 256]) for i in range(3000)])
    worker.write_all(w, parts)
    assert read_available(r) == b"".join(parts)
