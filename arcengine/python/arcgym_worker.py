"""Hosts ARC-AGI-3 games written for arcengine on behalf of an arcgym process.

The Go side starts this script with two pipe file descriptors, one for
requests and one for responses, and speaks a small binary protocol over
them (every integer little-endian). Standard output is not used: games may
print freely, and whatever they print goes to standard error.

Frames:
    request   u32 length | u8 op | u32 slot | payload
    response  u32 length | u8 kind | payload

Requests:
    OPEN   i64 seed | str16 game dir | str16 class name | str16 game id
           (re)creates the game in a slot, as the toolkit's local mode does
    CMD    u8 action id | u8 x | u8 y | u32 n | n bytes of reasoning JSON
    CLOSE  drops the game in a slot
    ECHO   u16 n: answers with n blank frames (measures the transport)
    TIME   u32 n | n x (u8 action id | u8 x | u8 y): plays the commands on
           the slot's game in a plain in-process loop and answers with
           each one's duration (what a Python program stepping the engine
           itself would see, for benchmarks)

Responses:
    HELLO   u16 protocol | u32 pid | str16 python | str16 arcengine | str16 import error
    OPENED  u8 n | n action ids | i32 win levels | i32 levels | u8 seeded
    FRAMES  u8 state | i32 levels completed | i32 win levels | u8 full reset
            | u64 step ns | u8 n | n action ids | u16 frames | frames x 4096 bytes
            (step ns: how long the engine's perform_action took, 0 when the
            frames come from elsewhere; the Go side subtracts it from the
            round trip to know its own overhead)
    ERROR   u8 phase | str32 message (a traceback for game failures)
    CLOSED  (empty)
    TIMES   u32 n | n x u64 nanoseconds

str16 and str32 are UTF-8 strings after a u16 or u32 byte count.
"""

from __future__ import annotations

import faulthandler
import importlib.util
import inspect
import json
import os
import platform
import select
import signal
import struct
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

PROTOCOL = 2
FRAME_SIDE = 64
FRAME_BYTES = FRAME_SIDE * FRAME_SIDE

OP_OPEN = 1
OP_CMD = 2
OP_CLOSE = 3
OP_ECHO = 4
OP_TIME = 5

KIND_HELLO = 1
KIND_OPENED = 2
KIND_FRAMES = 3
KIND_ERROR = 4
KIND_CLOSED = 5
KIND_TIMES = 6

PHASE_LOAD = 1  # the game's source or class could not be loaded
PHASE_INIT = 2  # the game's constructor raised
PHASE_STEP = 3  # the game raised while performing a command
PHASE_FRAME = 4  # the game produced a frame that is not 64x64
PHASE_REQUEST = 5  # the request itself was malformed or named no game
PHASE_ACTION = 6  # the engine refused the action (reasoning too large...)

STATE_CODES = {"NOT_PLAYED": 0, "NOT_FINISHED": 1, "WIN": 2, "GAME_OVER": 3}

_HEADER = struct.Struct("<IBI")
_CMD = struct.Struct("<BBBI")
# A FRAMES response's length prefix and fixed fields, packed at once.
_FRAMES_HEAD = struct.Struct("<IBBiiBQB")
_FRAMES_FIXED = _FRAMES_HEAD.size - 4
_I64 = struct.Struct("<q")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_BLANK = bytes(FRAME_BYTES)

# A response: its parts, bytes-like (bytes, or memoryviews of frames),
# written back to back, the first starting with the length prefix.
Response = list[Any]


_numpy: Any = None


class ProtocolError(Exception):
    """A request that does not follow the protocol."""


def class_name_for(game_id: str, class_name: str) -> str:
    """The toolkit's rule: the metadata's class_name, or the first four
    characters of the id with the first one upper-cased."""
    if class_name:
        return class_name
    base = game_id[:4]
    return base[:1].upper() + base[1:]


def game_file(directory: str, class_name: str) -> Path | None:
    """The source file of a game, looked up as the toolkit does."""
    d = Path(directory)
    for p in (d / f"{class_name.lower()}.py", d / f"{class_name}.py"):
        if p.exists():
            return p
    return None


class Host:
    """The games of one worker process, by slot number."""

    def __init__(self) -> None:
        global _numpy
        import arcengine
        import numpy

        _numpy = numpy
        for member in arcengine.GameState:
            _STATE_BY_MEMBER[member] = STATE_CODES.get(member.value, 255)
        self.engine = arcengine
        self.actions = list(arcengine.GameAction)
        self.slots: dict[int, Any] = {}  # the game of each slot
        self.classes: dict[str, type] = {}

    def load_class(self, directory: str, class_name: str, game_id: str) -> type:
        path = game_file(directory, class_name)
        if path is None:
            raise FileNotFoundError(f"no {class_name.lower()}.py or {class_name}.py in {directory}")
        key = f"{path.resolve()}::{class_name}"
        cls = self.classes.get(key)
        if cls is not None:
            return cls
        source = path.read_text(encoding="utf-8")
        spec = importlib.util.spec_from_loader(f"arc_agi_3.{game_id}", loader=None)
        assert spec is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        exec(compile(source, str(path), "exec"), module.__dict__)
        loaded = getattr(module, class_name, None)
        if not isinstance(loaded, type):
            raise LookupError(f"class {class_name} not found in {path}")
        if not issubclass(loaded, self.engine.ARCBaseGame):
            raise TypeError(f"class {class_name} in {path} is not a subclass of ARCBaseGame")
        self.classes[key] = loaded
        return loaded

    def open(self, slot: int, seed: int, directory: str, class_name: str, game_id: str) -> Response:
        name = class_name_for(game_id, class_name)
        try:
            cls = self.load_class(directory, name, game_id)
        except BaseException:
            return error(PHASE_LOAD, traceback.format_exc())
        seeded = "seed" in inspect.signature(cls).parameters
        try:
            game = cls(seed=seed) if seeded else cls()
        except BaseException:
            return error(PHASE_INIT, traceback.format_exc())
        self.slots[slot] = game
        avail = action_ids(game._available_actions)
        levels = len(game._levels)
        return framed([bytes([KIND_OPENED, len(avail)]), avail, struct.pack("<iiB", game.win_score, levels, seeded)])

    def command(self, slot: int, action_id: int, x: int, y: int, reasoning: bytes) -> Response:
        game = self.slots.get(slot)
        if game is None:
            return error(PHASE_REQUEST, f"slot {slot} holds no game")
        if not 0 <= action_id < len(self.actions):
            return error(PHASE_REQUEST, f"action id {action_id} is not 0..7")
        action = self.actions[action_id]
        data: dict[str, Any] = {"x": x, "y": y} if action.is_complex() else {}
        try:
            value = json.loads(reasoning) if reasoning else None
            action_input = self.engine.ActionInput(id=action, data=data, reasoning=value)
        except Exception as e:
            return error(PHASE_ACTION, f"{type(e).__name__}: {e}")
        clock = time.perf_counter_ns
        try:
            t0 = clock()
            result = game.perform_action(action_input, raw=True)
            step_ns = clock() - t0
        except BaseException:
            return error(PHASE_STEP, traceback.format_exc())
        return frames_body(result, step_ns)

    def time_commands(self, slot: int, body: bytes) -> Response:
        """Plays commands on a slot's game in a plain loop, timing each."""
        game = self.slots.get(slot)
        if game is None:
            return error(PHASE_REQUEST, f"slot {slot} holds no game")
        (n,) = struct.unpack_from("<I", body)
        if len(body) != 4 + 3 * n:
            raise ProtocolError("command list length does not match the request")
        commands = []
        for k in range(n):
            action_id, x, y = body[4 + 3 * k : 7 + 3 * k]
            if action_id >= len(self.actions):
                return error(PHASE_REQUEST, f"action id {action_id} is not 0..7")
            action = self.actions[action_id]
            commands.append((action, {"x": x, "y": y} if action.is_complex() else {}))
        ActionInput = self.engine.ActionInput
        clock = time.perf_counter_ns
        out = []
        try:
            for action, data in commands:
                t0 = clock()
                game.perform_action(ActionInput(id=action, data=data), raw=True)
                out.append(clock() - t0)
        except BaseException:
            return error(PHASE_STEP, traceback.format_exc())
        return framed([bytes([KIND_TIMES]), struct.pack(f"<I{n}Q", n, *out)])


def action_ids(available: Any) -> bytes:
    """available_actions as bytes; ids outside 0..255 become 255, which the
    Go side rejects as not an action."""
    key = tuple(available)
    b = _AVAILABLE.get(key)
    if b is None:
        b = bytes(a if isinstance(a, int) and 0 <= a < 256 else 255 for a in key)
        _AVAILABLE[key] = b
    return b


# Encoded available_actions lists: games keep to a handful.
_AVAILABLE: dict[tuple[Any, ...], bytes] = {}


def state_code(state: Any) -> int:
    code = _STATE_BY_MEMBER.get(state)
    if code is None:
        code = STATE_CODES.get(getattr(state, "value", state), 255)
    return code


# GameState members to codes: a lookup by member skips the enum's value
# property (see frames_body).
_STATE_BY_MEMBER: dict[Any, int] = {}


def result_frames(result: Any) -> Any:
    """The frames of a result. FrameDataRaw keeps them in a pydantic
    private attribute, whose property is slow to reach from cold caches;
    the private dict is read directly when it holds them."""
    private = getattr(result, "__pydantic_private__", None)
    if private:
        frames = private.get("_frame")
        if frames is not None:
            return frames
    return result.frame


def frames_body(result: Any, step_ns: int = 0) -> Response:
    """A FRAMES response for a FrameDataRaw, or for the FrameData with no
    frames that the engine answers after WIN or GAME_OVER. It runs right
    after a game step, when the step has pushed most of this code out of
    the CPU's caches, so every lookup it saves counts."""
    parts: Response = []
    for i, f in enumerate(result_frames(result)):
        try:
            b = frame_bytes(f)
        except Exception as e:
            return error(PHASE_FRAME, f"frame {i} is not an array of cells: {type(e).__name__}: {e}")
        if b is None:
            return error(PHASE_FRAME, f"frame {i} has shape {frame_shape(f)}, want (64, 64)")
        parts.append(b)
    avail = action_ids(result.available_actions)
    full = bool(getattr(result, "full_reset", False))
    n = len(parts)
    total = _FRAMES_FIXED + len(avail) + 2 + n * FRAME_BYTES
    head = _FRAMES_HEAD.pack(
        total,
        KIND_FRAMES,
        state_code(result.state),
        result.levels_completed,
        result.win_levels,
        full,
        step_ns,
        len(avail),
    )
    return [head, avail, _U16.pack(n), *parts]


def frame_bytes(f: Any) -> bytes | memoryview | None:
    """The 4096 cells of one frame, row-major, one byte each: the frame's
    own memory when it is a contiguous 64x64 array of bytes, as the engine
    renders it (values are kept as they are, so the Go side can report
    colours out of range). The common case touches as little code as it
    can: it runs right after a game step, from cold caches."""
    try:
        m = memoryview(f)
        if m.nbytes == FRAME_BYTES and m.format in _BYTE_FORMATS and m.shape == _SHAPE and m.c_contiguous:
            return m
    except TypeError:
        pass
    np = _numpy
    a = np.asarray(f)
    if a.shape != _SHAPE:
        return None
    out: bytes = np.clip(a, -128, 255).astype(np.int16).astype(np.uint8).tobytes()
    return out


def frame_shape(f: Any) -> tuple[int, ...] | str:
    """The shape of a frame that is not 64x64, for error messages."""
    try:
        return tuple(_numpy.shape(f))
    except Exception:
        return f"unknown ({type(f).__name__})"


_BYTE_FORMATS = ("b", "B")
_SHAPE = (FRAME_SIDE, FRAME_SIDE)


def error(phase: int, message: str) -> Response:
    m = message.encode("utf-8", "replace")
    return framed([bytes([KIND_ERROR, phase]), struct.pack("<I", len(m)), m])


def str16(b: bytes, off: int) -> tuple[str, int]:
    if off + 2 > len(b):
        raise ProtocolError("string length past the end of the request")
    (n,) = _U16.unpack_from(b, off)
    off += 2
    if off + n > len(b):
        raise ProtocolError("string past the end of the request")
    return b[off : off + n].decode("utf-8"), off + n


def pack_str16(s: str) -> bytes:
    b = s.encode("utf-8")
    return _U16.pack(len(b)) + b


def engine_version() -> str:
    """The installed arcengine distribution's version, or "" without one."""
    try:
        from importlib.metadata import version

        return version("arcengine")
    except Exception:
        return ""


def hello(version: str, import_error: str) -> Response:
    """The greeting: protocol, process, Python and arcengine versions, and
    why arcengine could not be used, if it could not."""
    return framed(
        [
            bytes([KIND_HELLO]),
            struct.pack("<HI", PROTOCOL, os.getpid()),
            pack_str16(platform.python_version()),
            pack_str16(version),
            pack_str16(import_error),
        ]
    )


def handle(host: Host, op: int, slot: int, body: bytes) -> Response:
    """The response to one request."""
    if op == OP_CMD:
        if len(body) < _CMD.size:
            raise ProtocolError("short command")
        action_id, x, y, n = _CMD.unpack_from(body)
        if len(body) != _CMD.size + n:
            raise ProtocolError("reasoning length does not match the request")
        return host.command(slot, action_id, x, y, body[_CMD.size :])
    if op == OP_OPEN:
        if len(body) < _I64.size:
            raise ProtocolError("short open")
        (seed,) = _I64.unpack_from(body)
        directory, off = str16(body, _I64.size)
        class_name, off = str16(body, off)
        game_id, off = str16(body, off)
        return host.open(slot, seed, directory, class_name, game_id)
    if op == OP_CLOSE:
        host.slots.pop(slot, None)
        return framed([bytes([KIND_CLOSED])])
    if op == OP_TIME:
        if len(body) < 4:
            raise ProtocolError("short time request")
        return host.time_commands(slot, body)
    if op == OP_ECHO:
        (n,) = _U16.unpack_from(body)
        total = _FRAMES_FIXED + 1 + 2 + n * FRAME_BYTES
        head = _FRAMES_HEAD.pack(total, KIND_FRAMES, STATE_CODES["NOT_FINISHED"], 0, 1, False, 0, 1)
        return [head, bytes([1]), _U16.pack(n), *([_BLANK] * n)]
    raise ProtocolError(f"unknown op {op}")


class Reader:
    """Reads whole requests from a pipe with as few system calls as the
    sender allows (a request usually arrives in one read).

    While commands follow each other quickly, it waits for the next one by
    spinning for up to spin_ns before sleeping in the kernel: on virtual
    machines a sleeping process wakes up late and runs from cold caches
    (the Go side's package documentation has the figures)."""

    def __init__(self, fd: int, spin_ns: int) -> None:
        self.fd = fd
        self.buf = b""
        self.spin_ns = spin_ns
        self.gap_ns = 0  # moving average of the wait for a request
        self.idle_since = 0
        self.may_spin = False  # the last request was a command
        os.set_blocking(fd, False)

    def answered(self, may_spin: bool) -> None:
        """Marks the moment a response went out, and whether the next
        request may be waited for by spinning: after a command, whose
        next one a stepping loop sends at once."""
        self.idle_since = time.perf_counter_ns()
        self.may_spin = may_spin

    def read_some(self) -> bytes:
        try:
            return os.read(self.fd, 1 << 16)
        except BlockingIOError:
            pass
        clock = time.perf_counter_ns
        start = self.idle_since or clock()
        if self.may_spin and self.spin_ns and self.gap_ns < self.spin_ns:
            end = clock() + self.spin_ns
            while clock() < end:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                    self.waited(clock() - start)
                    return chunk
                except BlockingIOError:
                    # Should the Go side's thread have been put on this CPU,
                    # it runs at once.
                    os.sched_yield()
        while True:
            select.select([self.fd], [], [])
            try:
                chunk = os.read(self.fd, 1 << 16)
                self.waited(clock() - start)
                return chunk
            except BlockingIOError:
                continue

    def waited(self, ns: int) -> None:
        self.gap_ns += (ns - self.gap_ns) // 4
        self.idle_since = 0

    def read_exact(self, n: int) -> bytes | None:
        """n bytes, or None at a clean end of stream."""
        while len(self.buf) < n:
            chunk = self.read_some()
            if not chunk:
                if self.buf:
                    raise ProtocolError(f"request cut short: {len(self.buf)} of {n} bytes")
                return None
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _iov_max() -> int:
    """The most buffers one writev call takes (1024 on Linux and macOS)."""
    try:
        n = os.sysconf("SC_IOV_MAX")
    except (AttributeError, ValueError, OSError):
        return 16  # POSIX's minimum
    return n if n > 0 else 16


_IOV_MAX = _iov_max()


def framed(parts: Response) -> Response:
    """parts with the length prefix in front."""
    total = 0
    for p in parts:
        total += p.nbytes if type(p) is memoryview else len(p)
    return [_U32.pack(total), *parts]


def write_all(fd: int, parts: Response) -> None:
    """Writes a response, which starts with its length prefix, in one
    system call when the pipe takes it all."""
    if len(parts) > _IOV_MAX:
        # writev fails with EINVAL past IOV_MAX buffers (ECHO of 1022+ frames).
        parts = [b"".join(parts)]
    n = os.writev(fd, parts)
    total = _U32.unpack_from(parts[0])[0] + 4
    if n < total:
        rest = memoryview(b"".join(parts))[n:]
        while rest:
            rest = rest[os.write(fd, rest) :]


def serve(rfd: int, wfd: int, spin_ns: int = 0) -> int:
    """Answers requests until the request pipe closes."""
    version = engine_version()
    import_error = ""
    host: Host | None = None
    try:
        host = Host()
    except BaseException:
        import_error = traceback.format_exc()
    write_all(wfd, hello(version, import_error))
    if host is None:
        return 1
    r = Reader(rfd, spin_ns)
    while True:
        head = r.read_exact(_HEADER.size)
        if head is None:
            return 0
        n, op, slot = _HEADER.unpack(head)
        if n < 5:
            raise ProtocolError(f"request length {n}")
        body = r.read_exact(n - 5) if n > 5 else b""
        if body is None:
            raise ProtocolError(f"request cut short: 0 of {n - 5} bytes after the header")
        try:
            out = handle(host, op, slot, body)
        except (ProtocolError, struct.error, UnicodeDecodeError) as e:
            out = error(PHASE_REQUEST, f"malformed request: {e}")
        write_all(wfd, out)
        r.answered(op == OP_CMD)


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: arcgym_worker.py REQUEST_FD RESPONSE_FD [SPIN_MICROSECONDS]", file=sys.stderr)
        return 2
    rfd, wfd = int(argv[1]), int(argv[2])
    spin_ns = int(argv[3]) * 1000 if len(argv) == 4 else 0
    # Whatever games print goes to standard error, never near the protocol.
    sys.stdout = sys.stderr
    faulthandler.enable()
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    return serve(rfd, wfd, spin_ns)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
