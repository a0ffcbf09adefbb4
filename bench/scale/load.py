"""Load generators for the scale benchmark.

Two tools, each where it fits:

- ``wrk`` (Debian package, C, keep-alive) for timed loops of many requests: it costs the shared
  2 cores far less than any Python client, so the servers get the CPU. A generated Lua script
  rotates through a URL list (each thread starting at its own offset), counts 2xx and other
  statuses, and prints one JSON line that :func:`wrk` parses.
- a small threaded Python client (urllib3, keep-alive, one connection per thread) for *passes*:
  every URL of a list requested exactly once, so a tile cache cannot answer (cold cache), and
  the same pass is run against our server, TiPg and the raw SQL with the same concurrency.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import urllib3

LUA = r"""
local paths = {%(paths)s}
local method = "%(method)s"
local body_kind = "%(body)s"
local headers = {%(headers)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  bad = 0
  statuses = ""
  n = 0
  math.randomseed(id * 7919 + os.time())
end

local categories = {%(categories)s}
local bbox = {%(bbox)s}

function request()
  -- Each thread walks the whole list from its own starting point. (setup() runs in wrk's main
  -- Lua state: a count kept there is still 0 in the threads' own states, so it cannot stride.)
  local p = paths[((id + n) %% #paths) + 1]
  n = n + 1
  local b = nil
  if body_kind == "report" then
    local lon = bbox[1] + math.random() * (bbox[3] - bbox[1])
    local lat = bbox[2] + math.random() * (bbox[4] - bbox[2])
    b = string.format('{"category":"%%s","description":"%(marker)s %%d-%%d","lon":%%.6f,"lat":%%.6f}',
      categories[math.random(#categories)], id, n, lon, lat)
  end
  return wrk.format(method, p, headers, b)
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local tok, tbad, st = 0, 0, ""
  for _, t in ipairs(threads) do
    tok = tok + t:get("ok")
    tbad = tbad + t:get("bad")
    st = st .. t:get("statuses")
  end
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"ok":%%d,"bad":%%d,"bad_statuses":"%%s",' ..
    '"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"mean_us":%%.1f,' ..
    '"err_connect":%%d,"err_read":%%d,"err_write":%%d,"err_status":%%d,"err_timeout":%%d}\n',
    summary.requests, summary.duration, summary.bytes, tok, tbad, st,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
"""


@dataclass
class Result:
    """One measurement: throughput, latency percentiles (ms), bytes and status counts."""

    requests: int
    seconds: float
    ok: int
    bad: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_bytes: float = 0.0
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "per_s": round(self.per_s, 1)}


def _lua_list(items: Sequence[str]) -> str:
    return ",".join(json.dumps(i) for i in items)


def wrk(
    base: str,
    paths: Sequence[str],
    *,
    seconds: int = 10,
    connections: int = 4,
    threads: int = 2,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    report_body: tuple[Sequence[str], tuple[float, float, float, float], str] | None = None,
) -> Result:
    """Run wrk against ``base`` rotating through ``paths``; ``report_body`` makes POST bodies."""
    categories, bbox, marker = report_body or ([], (0.0, 0.0, 0.0, 0.0), "")
    script = LUA % {
        "paths": _lua_list(paths),
        "method": method,
        "body": "report" if report_body else "",
        "headers": ",".join(
            f"[{json.dumps(k)}]={json.dumps(v)}" for k, v in (headers or {}).items()
        ),
        "categories": _lua_list(categories),
        "bbox": ",".join(f"{v:.6f}" for v in bbox),
        "marker": marker,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
        lua = fh.name
    try:
        out = subprocess.run(  # noqa: S603 - fixed program, our own arguments
            [
                shutil.which("wrk") or "/usr/bin/wrk",
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                lua,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(lua)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    errors = {k: v for k, v in data.items() if k.startswith("err_") and v}
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        ok=data["ok"],
        bad=data["bad"],
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_bytes=data["bytes"] / max(1, data["requests"]),
        note=(f"non-2xx: {data['bad_statuses'].strip()}" if data["bad"] else "")
        + (f" socket errors {errors}" if errors else ""),
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def passes(
    work: Callable[[str], tuple[int, int]],
    items: Sequence[str],
    *,
    concurrency: int = 4,
    before_each_pass: Callable[[], None] | None = None,
    repeat: int = 1,
) -> Result:
    """Run ``work(item)`` once per item (``repeat`` times), ``concurrency`` at a time.

    ``work`` returns ``(status, bytes)``; ``before_each_pass`` runs before each repetition
    (clearing a cache) and is not timed.
    """
    latencies: list[float] = []
    sizes: list[int] = []
    ok = bad = 0
    seconds = 0.0
    lock = threading.Lock()

    def one(item: str) -> None:
        nonlocal ok, bad
        t = time.perf_counter()
        status, size = work(item)
        elapsed = (time.perf_counter() - t) * 1000
        with lock:
            latencies.append(elapsed)
            sizes.append(size)
            if 200 <= status < 300:
                ok += 1
            else:
                bad += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(repeat):
            if before_each_pass:
                before_each_pass()
            started = time.perf_counter()
            list(pool.map(one, items))
            seconds += time.perf_counter() - started
    return Result(
        requests=len(latencies),
        seconds=seconds,
        ok=ok,
        bad=bad,
        p50_ms=_percentile(latencies, 0.5),
        p90_ms=_percentile(latencies, 0.9),
        p99_ms=_percentile(latencies, 0.99),
        mean_bytes=statistics.fmean(sizes) if sizes else 0.0,
        extra={"max_bytes": max(sizes) if sizes else 0},
    )


class Http:
    """A keep-alive HTTP client for passes (thread-safe pool, one connection per thread)."""

    def __init__(self, base: str, concurrency: int = 4, headers: dict[str, str] | None = None):
        self.base = base
        self.headers = headers or {}
        self.pool = urllib3.PoolManager(maxsize=concurrency, block=True, retries=False)

    def get(self, path: str) -> tuple[int, int]:
        resp = self.pool.request("GET", self.base + path, headers=self.headers, timeout=60)
        return resp.status, len(resp.data)

    def fetch(self, path: str, headers: dict[str, str] | None = None) -> urllib3.BaseHTTPResponse:
        return self.pool.request(
            "GET", self.base + path, headers={**self.headers, **(headers or {})}, timeout=60
        )


def sequential(work: Callable[[], tuple[int, int]], runs: int = 20, warmup: int = 2) -> Result:
    """Latency of one client asking again and again (dashboards: a person waiting)."""
    for _ in range(warmup):
        work()
    return passes(lambda _item: work(), [str(i) for i in range(runs)], concurrency=1)
