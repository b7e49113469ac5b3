"""The HTTP load driver: sequential latency with a keep-alive client, throughput with wrk.

Why two tools: latency percentiles need one request at a time (no queueing in the figure), and a
Python client is fast enough for that. Requests per second need a client much faster than the
server, or the ratio "cached page / static file" would measure the client: wrk (C, epoll) is.
Both run on the same machine as the server, so figures are compared only within one run.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Latency:
    samples_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)  # end-to-end minus engine `took`
    # The search service's own time (``elapsed_ms``) minus `took`: the overhead without HTTP,
    # middleware and JSON encoding.
    service_overhead_ms: list[float] = field(default_factory=list)
    errors: int = 0
    total_hits: int = 0

    @staticmethod
    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> dict:
        return {
            "n": len(self.samples_ms),
            "errors": self.errors,
            "p50_ms": self.pct(self.samples_ms, 50),
            "p95_ms": self.pct(self.samples_ms, 95),
            "overhead_p50_ms": self.pct(self.overhead_ms, 50),
            "overhead_p95_ms": self.pct(self.overhead_ms, 95),
            "service_overhead_p50_ms": self.pct(self.service_overhead_ms, 50),
            "service_overhead_p95_ms": self.pct(self.service_overhead_ms, 95),
            "mean_total_hits": self.total_hits / max(len(self.samples_ms), 1),
        }


def measure_latency(base_url: str, paths: list[str], rounds: int, warmup: int = 1) -> Latency:
    """GET every path ``rounds`` times (interleaved), one at a time."""
    return measure_side_by_side(base_url, {"paths": paths}, rounds, warmup)["paths"]


def measure_side_by_side(
    base_url: str, series: dict[str, list[str]], rounds: int, warmup: int = 1
) -> dict[str, Latency]:
    """Latency of several series of paths measured in turns: path *i* of every series, then
    path *i + 1*, for ``warmup + rounds`` passes, one request at a time.

    Why in turns: measured one series after the other, whatever changes during the run (the
    engine merging the segments of a rebuild that just finished, workers still warming up,
    other work on the machine) lands on one series only, and the ratio between series measures
    it too. The first series measured used to pay for the engine's warm-up after a rebuild
    (docs/benchmarks.md, "Fifth round").
    """
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    results = {name: Latency() for name in series}
    length = max(len(paths) for paths in series.values())
    for round_number in range(warmup + rounds):
        for index in range(length):
            for name, paths in series.items():
                if index >= len(paths):
                    continue
                elapsed, status, body, content_type = _get(connection, paths[index])
                if round_number < warmup:
                    if status != 200:
                        # A setup fault (a missing translation catalogue made /sv/sok/ a 404
                        # once) would otherwise cost the whole run and leave a blank series.
                        connection.close()
                        raise RuntimeError(f"{name}: GET {paths[index]} answered {status}")
                    continue
                result = results[name]
                if status != 200:
                    result.errors += 1
                    continue
                result.samples_ms.append(elapsed)
                if content_type.startswith("application/json"):
                    _read_json(body, elapsed, result)
    connection.close()
    return results


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes, str]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response.status, body, response.getheader("Content-Type", "")


def _read_json(body: bytes, elapsed: float, result: Latency) -> None:
    payload = json.loads(body)
    total = payload.get("total")
    if total is None:  # Wagtail API v2
        total = payload.get("meta", {}).get("total_count", 0)
    result.total_hits += total or 0
    took = payload.get("engine_took_ms")
    if took is not None and payload.get("backend") == "opensearch":
        result.overhead_ms.append(elapsed - float(took))
        result.service_overhead_ms.append(float(payload["elapsed_ms"]) - float(took))


def measure_throughput(
    url: str, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> dict:
    """Requests/s from wrk (one thread: the machine has few cores and the server needs them)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is needed for throughput: apt-get install wrk")
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "p50_ms": _to_ms(p50.group(1), p50.group(2)) if p50 else None,
    }


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
