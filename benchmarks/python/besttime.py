"""Timing and the line protocol shared by the benchmark baselines.

A baseline script loads its input, writes one JSON line describing it (the
"ready" line), then answers requests read from standard input, one a line:
"VARIANT SECONDS" runs that variant repeatedly for about SECONDS and writes
{"variant": ..., "best_s": ..., "calls": ...}, the duration of its fastest
call. The Go program drives the script this way so that it can interleave
the Python measurements with its own in the same run.
"""

import json
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

Variant = Callable[[], object]


def best_call(fn: Variant, seconds: float, min_calls: int = 3) -> tuple[float, int]:
    """Call fn for about seconds (at least min_calls times); return the fastest call's duration and the call count.

    The fastest call is the one the scheduler and other processes disturbed
    least, the same statistic the Go side keeps.
    """
    best = float("inf")
    calls = 0
    start = time.perf_counter()
    while calls < min_calls or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        calls += 1
    return best, calls


def answer(line: str, variants: Mapping[str, Variant]) -> dict[str, Any]:
    """Run the request on one line and return the reply (an "error" key on a bad request)."""
    parts = line.split()
    if len(parts) != 2:
        return {"error": f"want 'VARIANT SECONDS', have {line.strip()!r}"}
    name, text = parts
    fn = variants.get(name)
    if fn is None:
        return {"error": f"unknown variant {name!r}, have {sorted(variants)}"}
    try:
        seconds = float(text)
    except ValueError:
        return {"error": f"bad duration {text!r}"}
    best, calls = best_call(fn, seconds)
    return {"variant": name, "best_s": best, "calls": calls}


def serve(ready: Mapping[str, Any], variants: Mapping[str, Variant], stdin: IO[str], stdout: IO[str]) -> None:
    """Write the ready line, then answer requests until standard input ends."""
    stdout.write(json.dumps(ready) + "\n")
    stdout.flush()
    for line in stdin:
        if not line.strip():
            continue
        stdout.write(json.dumps(answer(line, variants)) + "\n")
        stdout.flush()
