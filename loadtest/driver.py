"""Drive a realistic request mix at the running site, inject faults, check and report the outcome.

Started by ``loadtest/run`` (which serves the site and owns the PostgreSQL cluster and the
OpenSearch node it kills and restarts). Standard library only: a closed loop of client threads,
one fresh HTTP connection per request (as visitors behind different browsers would), on loopback.

Phases:
  steady          normal traffic
  engine-down     the OpenSearch node is killed (SIGKILL); searches must answer from the
                  database, no 5xx; a page is edited and published meanwhile (loadtest/site_checks)
  engine-back     the node is started again; the edit must become searchable through the engine
                  by the automatic catch-up alone (search.indexing.catch_up_soon), no republish
  pg-restart      PostgreSQL is stopped, kept down, started; only clean 503s are allowed
  recovered       the site must answer by itself again (no 5xx), and the edit is still there
Then, with the traffic stopped, one address searches and another signs in wrongly until each
gets its 429 (the limits are shared by gunicorn's workers; see visitor_address).

Exit status 1 if any 5xx other than a 503 inside the database outage, any connection error
outside it, or a failed catch-up / lost-edit / rate-limit check. The report goes to stdout and
to docs/load-and-faults.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEARCH_WORDS = [
    "dialys",
    "hemgång",
    "hjärtsvikt",
    "egenvård",
    "läkemedel",
    "tolk",
    "patientkontrakt",
    "esthercafé",
    "samverkan",
    "trygg",
    "medication",
    "hemtjänst",
    "barn",
    "fall",
]
VISITORS = 500
PREFIXES = ["hem", "dia", "egen", "hjä", "pat", "est", "sam", "läk", "tol", "bar"]


@dataclass
class Sample:
    phase: str
    kind: str
    status: int  # 0: no HTTP response (connection refused/reset, timeout)
    seconds: float
    started: float
    error: str = ""
    fallback: bool | None = None


@dataclass
class Site:
    """Real URLs of the demo site, discovered from the sitemap and the search API."""

    pages: dict[str, list[str]] = field(default_factory=dict)  # kind → paths
    themes: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)


def visitor_address() -> str:
    """One of VISITORS made-up client addresses, sent as X-Forwarded-For.

    loadtest/run tells the site to trust one proxy (RATELIMIT_TRUSTED_PROXIES=1), as behind a
    real load balancer, so the rate limits see a crowd of visitors at their production values
    instead of one address doing everything.
    """
    number = random.randrange(VISITORS)
    return f"10.77.{number // 250}.{number % 250 + 1}"


class Client:
    def __init__(self, base_url: str, timeout: float):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout

    def request(
        self,
        path: str,
        address: str | None = None,
        method: str = "GET",
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, str, http.client.HTTPResponse | None]:
        """(status, body, error name, response); status 0 if no HTTP response came back."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        sent = {"Accept-Language": "sv", "X-Forwarded-For": address or visitor_address()}
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, response.read(), "", response
        except (OSError, http.client.HTTPException) as error:
            return 0, b"", type(error).__name__, None
        finally:
            connection.close()

    def get(self, path: str, address: str | None = None) -> tuple[int, bytes, str]:
        return self.request(path, address)[:3]


def discover(client: Client) -> Site:
    site = Site()
    status, body, error = client.get("/sitemap.xml")
    if status != 200:
        raise SystemExit(f"sitemap: {status} {error}")
    paths = [
        urllib.parse.urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", body.decode())
    ]
    status, body, _ = client.get("/sv/api/search/?page_size=100")
    payload = json.loads(body)
    kinds = {hit["url"]: hit["type"] for hit in payload["hits"]}
    site.facets = {name: [v["value"] for v in values] for name, values in payload["facets"].items()}
    for path in paths:
        if path in kinds:
            site.pages.setdefault(kinds[path], []).append(path)
        elif re.fullmatch(r"/sv/teman/[^/]+/", path):
            site.themes.append(path)
        elif path.count("/") == 3 and path not in ("/sv/teman/",):
            site.listings.append(path)  # section and listing pages: /sv/<slug>/
    if not site.themes:
        site.themes = [f"/sv/teman/{slug}/" for slug in site.facets.get("theme", [])]
    return site


def request_mix(site: Site) -> list[tuple[str, int, callable]]:
    """(kind, weight, path factory): roughly what visitors and the site's own scripts ask for."""
    pick = random.choice

    def facet(name: str) -> str:
        return f"{name}={urllib.parse.quote(pick(site.facets[name]))}"

    def search_params() -> str:
        params = [f"q={urllib.parse.quote(pick(SEARCH_WORDS))}"]
        for name in random.sample(["theme", "type", "municipality", "year"], random.randint(0, 2)):
            params.append(facet(name))
        return "&".join(params)

    mix = [
        ("home", 8, lambda: pick(["/sv/", "/en/"])),
        ("theme", 8, lambda: pick(site.themes)),
        ("listing", 6, lambda: pick(site.listings)),
        (
            "filtered-listing",
            8,
            lambda: (
                f"/sv/allt-arbete/?{facet('theme')}&{facet('type')}"
                + pick(["", "&page=2", f"&{facet('year')}"])
            ),
        ),
        # Browsers ask for /favicon.ico, crawlers for robots.txt, and old links break: 404s.
        ("missing", 2, lambda: pick(["/favicon.ico", "/robots.txt", "/sv/finns-inte/"])),
        ("search-page", 14, lambda: f"/sv/sok/?{search_params()}"),
        ("search-api", 10, lambda: f"/sv/api/search/?{search_params()}"),
        (
            "autocomplete",
            10,
            lambda: f"/sv/api/autocomplete/?q={urllib.parse.quote(pick(PREFIXES))}",
        ),
    ]
    for kind, weight in (("project", 14), ("story", 12), ("training", 8)):
        if site.pages.get(kind):
            mix.append((kind, weight, lambda kind=kind: pick(site.pages[kind])))
    return mix


class Load:
    """Client threads in a closed loop; the current phase is read by every thread."""

    def __init__(self, client: Client, site: Site, concurrency: int):
        self.client = client
        self.mix = request_mix(site)
        self.weights = [weight for _, weight, _ in self.mix]
        self.samples: list[Sample] = []
        self.phase = "warm-up"
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(concurrency)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopping.is_set():
            kind, _, make_path = random.choices(self.mix, self.weights)[0]
            phase = self.phase
            started = time.monotonic()
            status, body, error = self.client.get(make_path())
            sample = Sample(phase, kind, status, time.monotonic() - started, started, error)
            if kind == "search-api" and status == 200:
                sample.fallback = json.loads(body).get("fallback")
            self.samples.append(sample)  # list.append is atomic
            if status == 0:
                time.sleep(0.05)  # a refused connection returns at once; do not spin


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    print("  $", " ".join(command), flush=True)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)


def last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1][:300] if lines else ""


def site_check(env: dict[str, str], *args: str) -> tuple[int, dict]:
    result = run([PYTHON, "loadtest/site_checks.py", *args], env)
    if result.returncode not in (0, 1) or not result.stdout.strip():
        lines = result.stderr.strip().splitlines() or ["no output"]
        return result.returncode, {"error": lines[-1][:300]}
    return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])


def engine_hits(client: Client, word: str) -> tuple[str | None, int]:
    """(backend that answered, hits) for a JSON search of ``word``."""
    status, body, _ = client.get(f"/sv/api/search/?q={word}")
    if status != 200:
        return None, 0
    payload = json.loads(body)
    return payload["backend"], payload["total"]


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(samples: list[Sample], seconds: float) -> dict:
    latencies = sorted(sample.seconds * 1000 for sample in samples)
    statuses = Counter(str(sample.status) if sample.status else "conn-error" for sample in samples)
    return {
        "requests": len(samples),
        "rps": len(samples) / seconds if seconds else 0.0,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(1 for s in samples if s.status == 0 or s.status >= 500),
    }


def figures(summary: dict) -> list[str]:
    """A summary's table cells after the row's label: requests, req/s, p50/p95/p99, statuses,
    errors (the phase and request-kind tables share these columns)."""
    return [
        str(summary["requests"]),
        f"{summary['rps']:.1f}",
        f"{summary['p50']:.0f}",
        f"{summary['p95']:.0f}",
        f"{summary['p99']:.0f}",
        ", ".join(f"{k}: {v}" for k, v in summary["statuses"].items()),
        str(summary["errors"]),
    ]


def machine(env: dict[str, str], engine_url: str, client: Client) -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory_kb = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1))
    engine_version = "?"
    engine = Client(engine_url, 5)
    status, body, _ = engine.get("/")
    if status == 200:
        engine_version = json.loads(body)["version"]["number"]
    _, versions = site_check(env, "versions")
    commit = run(["git", "rev-parse", "--short", "HEAD"], env).stdout.strip()
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    dirty = run(["git", "status", "--porcelain"], env).stdout.strip()
    return {
        "commit": commit + (" (with uncommitted changes in the working tree)" if dirty else ""),
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": model.group(1).strip() if model else "?",
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "Python": platform.python_version(),
        "PostgreSQL": versions.get("postgresql", "?"),
        "OpenSearch": engine_version,
        "load average at start (1/5/15 min)": load
        + " (the machine is shared: other jobs may be using its CPUs during the run)",
    }


@dataclass
class Outcome:
    phases: list[tuple[str, float, float]] = field(default_factory=list)  # name, start, end
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    pg_window: tuple[float, float] = (0.0, 0.0)
    pg_ready: float = 0.0  # when "scripts/postgres start" returned

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))
        print(f"  {'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


def scenario(args: argparse.Namespace, load: Load, client: Client, env: dict[str, str]) -> Outcome:
    outcome = Outcome()
    engine_env = {**env}

    def phase(name: str, seconds: float = 0.0) -> float:
        now = time.monotonic()
        if outcome.phases:
            previous = outcome.phases[-1]
            outcome.phases[-1] = (previous[0], previous[1], now)
        outcome.phases.append((name, now, now))
        load.phase = name
        print(f"== {name}", flush=True)
        time.sleep(seconds)
        return now

    phase("warm-up", args.warm_up)
    phase("steady", args.steady)

    # (b) The search engine dies mid-traffic.
    phase("engine-down")
    pid = int((Path(env["SEARCH_ENGINE_STATE_DIR"]) / "engine.pid").read_text())
    os.kill(pid, 9)
    print(f"  killed OpenSearch (pid {pid}, SIGKILL)", flush=True)
    time.sleep(args.engine_down / 2)
    word = f"lasttest{random.randint(10**8, 10**9 - 1)}"
    code, edited = site_check(env, "edit", word)
    outcome.check("edit published while the engine is down", code == 0, json.dumps(edited))
    outcome.check(
        "the edit was queued for the engine", bool(edited.get("queued")), json.dumps(edited)
    )
    backend, hits = engine_hits(client, word)
    outcome.check(
        "the edit is searchable from the database meanwhile",
        backend == "database" and hits >= 1,
        f"backend={backend} hits={hits}",
    )
    time.sleep(args.engine_down / 2)
    started = run(["scripts/search-engine", "start"], engine_env)
    outcome.check("OpenSearch started again", started.returncode == 0, last_line(started.stdout))

    # Catch-up: nobody republishes; the site's own searches must deliver the queued change.
    back = phase("engine-back")
    caught_up_after = None
    while time.monotonic() - back < args.catch_up_timeout:
        backend, hits = engine_hits(client, word)
        if backend == "opensearch" and hits >= 1:
            caught_up_after = time.monotonic() - back
            break
        time.sleep(1)
    outcome.check(
        "automatic catch-up: the edit is found through OpenSearch",
        caught_up_after is not None,
        f"after {caught_up_after:.1f} s" if caught_up_after is not None else "timed out",
    )
    time.sleep(max(0.0, args.steady / 2 - (time.monotonic() - back)))

    # (c) The database restarts mid-traffic.
    outage_start = phase("pg-restart")
    stopped = run(["scripts/postgres", "stop"], env)
    outcome.check("PostgreSQL stopped", stopped.returncode == 0, last_line(stopped.stdout))
    time.sleep(args.pg_down)
    started = run(["scripts/postgres", "start"], env)
    outcome.check("PostgreSQL started", started.returncode == 0, last_line(started.stdout))
    # Requests already in flight when the server came back may still fail; allow a short grace.
    outcome.pg_ready = time.monotonic()
    outcome.pg_window = (outage_start, outcome.pg_ready + args.grace)
    time.sleep(args.grace)
    phase("recovered", args.recovery)
    phase("done")
    outcome.phases.pop()
    load.stop()  # the checks below are not part of the measured traffic
    rate_limit_checks(client, outcome, env)

    code, verified = site_check(env, "verify", word)
    outcome.check("no edit lost across the restarts", code == 0, json.dumps(verified))
    outcome.check(
        "the index queue is empty",
        verified.get("pending_index_changes") == 0,
        f"{verified.get('pending_index_changes')} pending",
    )
    backend, hits = engine_hits(client, word)
    outcome.check(
        "the edit is still found through OpenSearch",
        backend == "opensearch" and hits >= 1,
        f"backend={backend} hits={hits}",
    )
    return outcome


def counted(labels) -> str:
    """ "none", or "label × n, …" for a table cell."""
    counts = Counter(labels)
    return ", ".join(f"{label} × {n}" for label, n in counts.most_common()) or "none"


def limit_of(env: dict[str, str], name: str, default: str) -> tuple[int, int]:
    """(requests, seconds) of a "<requests>/<seconds>" limit, as the site reads it."""
    requests, seconds = env.get(name, default).split("/")
    return int(requests), int(seconds)


def rate_limit_checks(client: Client, outcome: Outcome, env: dict[str, str]) -> None:
    """The production limits hold across gunicorn's workers, one address at a time.

    Parallel connections land on different worker processes, so a 429 here shows the counters
    are shared (the file-based "ratelimit" cache), not per process. Two windows' worth of
    requests at most: even if a window boundary passes during the burst, one window overflows.
    """
    search_limit, window_seconds = limit_of(env, "RATELIMIT_SEARCH", "120/60")
    address = "10.99.0.1"
    results: list[tuple[int, str | None]] = []
    per_window: Counter[int] = Counter()  # answered searches per limit window
    blocked = threading.Event()

    def burst() -> None:
        while not blocked.is_set() and len(results) < 2 * search_limit + 20:
            window = int(time.time() // window_seconds)
            status, _, _, response = client.request("/sv/api/autocomplete/?q=hem", address)
            results.append((status, response.getheader("Retry-After") if response else None))
            if status == 200:
                per_window[window] += 1
            if status == 429:
                blocked.set()

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answered = sum(1 for status, _ in results if status == 200)
    limited = [retry for status, retry in results if status == 429]
    outcome.check(
        "search rate limit holds across workers (429 with Retry-After)",
        bool(limited) and all(retry and retry.isdigit() for retry in limited),
        f"limit {search_limit} per {window_seconds} s: {answered} answered"
        f" ({' + '.join(str(n) for _, n in sorted(per_window.items()))} by window),"
        f" then 429, Retry-After {limited[0]} s"
        if limited
        else f"no 429 after {len(results)} searches: {counted(str(s) for s, _ in results)}",
    )
    status = client.get("/sv/api/autocomplete/?q=hem", "10.99.0.2")[0]
    outcome.check("another address still searches meanwhile", status == 200, f"status {status}")

    login_limit, _ = limit_of(env, "RATELIMIT_LOGIN", "10/300")
    address = "10.99.0.3"
    status, body, _, response = client.request("/admin/login/", address)
    cookie = re.search(r"csrftoken=([^;,]+)", (response and response.getheader("Set-Cookie")) or "")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    statuses: list[int] = []
    body = b""
    if cookie and token:
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": "loadtest-nobody",
                "password": "not-the-password",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
        }
        for _ in range(2 * login_limit + 1):
            status, body, _, _ = client.request("/admin/login/", address, "POST", form, headers)
            statuses.append(status)
            if status == 429:
                break
    outcome.check(
        "sign-in rate limit: 429 with a clear (Swedish) message",
        statuses[-1:] == [429] and "inloggningsförsök".encode() in body,
        f"limit {login_limit}/window; attempts: {counted(str(s) for s in statuses)}",
    )


def judge(samples: list[Sample], outcome: Outcome) -> list[tuple[str, bool, str]]:
    low, high = outcome.pg_window
    bad_outside, bad_inside, conn_outside, conn_inside, ok_503 = [], [], [], [], 0
    for sample in samples:
        # In flight at any moment of the outage, including requests begun just before it.
        inside = sample.started <= high and sample.started + sample.seconds >= low
        if sample.status == 0:
            (conn_inside if inside else conn_outside).append(sample)
        elif sample.status == 503 and inside:
            ok_503 += 1
        elif sample.status >= 500:
            (bad_inside if inside else bad_outside).append(sample)
    fallback = [s for s in samples if s.phase == "engine-down" and s.kind == "search-api"]
    # Searches are never cached, so the first one answered after the restart shows recovery.
    recovered = [
        s.started + s.seconds - outcome.pg_ready
        for s in samples
        if s.kind in ("search-api", "search-page")
        and s.status == 200
        and s.started >= outcome.pg_ready
    ]
    unavailable = [s for s in samples if s.status == 503]
    visible = (
        max(s.started + s.seconds for s in unavailable) - min(s.started for s in unavailable)
        if unavailable
        else 0.0
    )
    return [
        (
            "no 5xx outside the database outage",
            not bad_outside,
            counted(f"{s.phase} {s.kind} {s.status}" for s in bad_outside),
        ),
        (
            "only clean 503s during the database outage",
            not bad_inside,
            f"{ok_503} × 503; other 5xx: {counted(f'{s.kind} {s.status}' for s in bad_inside)}",
        ),
        (
            "no connection errors outside the database outage",
            not conn_outside,
            counted(f"{s.phase} {s.error}" for s in conn_outside),
        ),
        (
            "searches answered from the database while the engine was down",
            bool(fallback) and all(s.status == 200 for s in fallback),
            f"{sum(1 for s in fallback if s.fallback)} of {len(fallback)} API searches "
            "answered by the fallback",
        ),
        (
            "the site recovers by itself after the database restart",
            bool(recovered),
            f"first search answered {min(recovered):.2f} s after PostgreSQL was ready; "
            f"503s were served for {visible:.1f} s"
            if recovered
            else "no search answered after the restart",
        ),
        (
            "connection errors during the database outage (reported, not failed)",
            True,
            counted(s.error for s in conn_inside),
        ),
    ]


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(args, samples, outcome, checks, info) -> str:
    by_phase = defaultdict(list)
    for sample in samples:
        by_phase[sample.phase].append(sample)
    phase_rows = []
    for name, start, end in outcome.phases:
        s = summarise(by_phase[name], end - start)
        phase_rows.append([name, f"{end - start:.1f}", *figures(s)])
    measured = [s for s in samples if s.phase not in ("warm-up", "done")]
    span = sum(end - start for name, start, end in outcome.phases if name != "warm-up")
    by_kind = defaultdict(list)
    for sample in measured:
        by_kind[sample.kind].append(sample)
    kind_rows = []
    for kind in sorted(by_kind):
        s = summarise(by_kind[kind], span)
        kind_rows.append([kind, *figures(s)])
    steady = summarise(
        by_phase["steady"], next(e - b for n, b, e in outcome.phases if n == "steady")
    )
    all_checks = outcome.checks + checks
    passed = all(ok for _, ok, _ in all_checks)
    return "\n".join(
        [
            "# Load and fault test",
            "",
            'Produced by `loadtest/run` (see README, "Load and fault test"); do not edit by hand.',
            f"Result: **{'PASS' if passed else 'FAIL'}**.",
            "",
            f"Steady state: **{steady['rps']:.1f} requests/s**, p50 {steady['p50']:.0f} ms, "
            f"p95 {steady['p95']:.0f} ms, p99 {steady['p99']:.0f} ms, with {args.concurrency} "
            f"client threads against gunicorn ({args.workers} gthread workers × {args.threads} "
            "threads), all on one machine over loopback: the client, gunicorn, PostgreSQL and "
            "OpenSearch share its CPUs.",
            "",
            "## Phases",
            "",
            "Latencies in milliseconds; `conn-error`: no HTTP response at all. A request counts"
            " in the phase it started in: 503s under the phase before `pg-restart` were in flight"
            " when PostgreSQL stopped (they are judged as part of the outage). Pages are served"
            " from the page cache (cms/core/pagecache.py) once visited, so their latencies fall"
            " as the run goes on.",
            "",
            table(
                phase_rows,
                ["phase", "s", "requests", "req/s", "p50", "p95", "p99", "statuses", "errors"],
            ),
            "",
            "## Request kinds (all phases after warm-up)",
            "",
            table(
                kind_rows, ["kind", "requests", "req/s", "p50", "p95", "p99", "statuses", "errors"]
            ),
            "",
            "## Checks",
            "",
            table(
                [
                    [name, "pass" if ok else "**FAIL**", detail.replace("|", "/")]
                    for name, ok, detail in all_checks
                ],
                ["check", "result", "detail"],
            ),
            "",
            "## Machine and versions",
            "",
            table([[key, value] for key, value in info.items()], ["", ""]),
            "",
            "## Scenario",
            "",
            f"- warm-up {args.warm_up} s (not counted), steady {args.steady} s;",
            f"- engine-down {args.engine_down} s: the OpenSearch node is killed with SIGKILL;"
            " halfway"
            " a story is edited and published with a unique word (`loadtest/site_checks.py`);"
            " then the node is started again (its start-up time is part of this phase);",
            "- engine-back: traffic continues; the unique word must become searchable through"
            " OpenSearch by the automatic catch-up (nobody republishes or runs a command);",
            f"- pg-restart: `scripts/postgres stop` (fast shutdown), {args.pg_down} s down, start,"
            f" {args.grace} s grace for requests already in flight;",
            f"- recovered {args.recovery} s; then the edit is read back from the database.",
            "- the traffic comes from 500 made-up visitor addresses (X-Forwarded-For, one trusted"
            " proxy), so the rate limits run at their production values; after the traffic one"
            " address searches, and another signs in wrongly, until each gets its 429.",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--warm-up", type=float, default=5, help="seconds, not counted")
    parser.add_argument("--steady", type=float, default=60, help="seconds of normal traffic")
    parser.add_argument("--engine-down", type=float, default=30, help="seconds without OpenSearch")
    parser.add_argument(
        "--catch-up-timeout", type=float, default=60, help="seconds allowed for the catch-up"
    )
    parser.add_argument("--pg-down", type=float, default=5, help="seconds without PostgreSQL")
    parser.add_argument(
        "--grace", type=float, default=2, help="seconds after the restart counted as outage"
    )
    parser.add_argument("--recovery", type=float, default=30, help="seconds after the outage")
    parser.add_argument("--workers", type=int, default=3, help="for the report only")
    parser.add_argument("--threads", type=int, default=4, help="for the report only")
    parser.add_argument("--report", default=str(REPO / "docs" / "load-and-faults.md"))
    args = parser.parse_args()

    env = dict(os.environ)
    for name in ("POSTGRES_DIR", "SEARCH_ENGINE_STATE_DIR", "DATABASE_URL", "SEARCH_ENGINE_URL"):
        if name not in env:
            raise SystemExit(f"{name} is not set: run the load test with loadtest/run")
    client = Client(args.base_url, timeout=30)
    for _ in range(60):
        if client.get("/sv/")[0] == 200:
            break
        time.sleep(1)
    else:
        raise SystemExit(f"the site at {args.base_url} does not answer")
    site = discover(client)
    print(
        "discovered:",
        {kind: len(paths) for kind, paths in site.pages.items()},
        f"{len(site.themes)} themes, {len(site.listings)} listings",
        flush=True,
    )
    info = machine(env, env["SEARCH_ENGINE_URL"], client)
    load = Load(client, site, args.concurrency)
    load.start()
    try:
        outcome = scenario(args, load, client, env)
    finally:
        load.stop()
    checks = judge(load.samples, outcome)
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'} {name}: {detail}")
    text = report(args, load.samples, outcome, checks, info)
    Path(args.report).write_text(text, encoding="utf-8")
    print()
    print(text)
    return 0 if all(ok for _, ok, _ in outcome.checks + checks) else 1


if __name__ == "__main__":
    sys.exit(main())
