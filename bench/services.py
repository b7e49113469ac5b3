"""The benchmark's own PostgreSQL, OpenSearch and gunicorn, apart from the test and load-test ones.

Why separate instances: other work (the test suite, the load test) runs on the same machine at the
same time, on ports 55432/9250 and 55433/9260; sharing their databases or indexes would corrupt
both. Everything here lives under ``build/bench/`` and uses ports 55434, 9270 and 8270.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
PYTHON = sys.executable
PG_PORT = 55434
ENGINE_PORT = 9270
HTTP_PORT = 8270
PG_ENV = {"POSTGRES_DIR": str(BUILD / "postgres"), "POSTGRES_PORT": str(PG_PORT)}
ENGINE_ENV = {
    "SEARCH_ENGINE_STATE_DIR": str(BUILD / "search-engine"),
    "SEARCH_ENGINE_PORT": str(ENGINE_PORT),
    "SEARCH_ENGINE_TRANSPORT_PORT": "9381-9399",
    "SEARCH_ENGINE_HEAP": "2g",
}
ENGINE_URL = f"http://127.0.0.1:{ENGINE_PORT}"
BASE_URL = f"http://127.0.0.1:{HTTP_PORT}"


def start_services(engine: bool) -> None:
    postgres = ROOT / "scripts" / "postgres"
    subprocess.run([postgres, "start"], env={**os.environ, **PG_ENV}, check=True)
    if engine:
        subprocess.run(
            [ROOT / "scripts" / "search-engine", "start"],
            env={**os.environ, **ENGINE_ENV},
            check=True,
        )


def database_url(size: int) -> str:
    return f"postgres://esther@127.0.0.1:{PG_PORT}/bench_{size}"


def ensure_database(size: int) -> None:
    """Create ``bench_<size>`` once; it is kept between runs so a corpus is imported only once."""
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "esther", "-d", "esther", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = 'bench_{size}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "esther", "-d", "esther",
             "-qc", f"CREATE DATABASE bench_{size}"],
            check=True,
        )  # fmt: skip


def site_env(size: int, backend: str) -> dict[str, str]:
    """The production settings (plus the stock search view) pointed at this size and backend."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(size),
        "DATABASE_CONN_MAX_AGE": "600",
        "SEARCH_BACKEND": backend,
        "BENCH_STOCK_BACKEND": backend,
        "SEARCH_ENGINE_URL": ENGINE_URL,
        "SEARCH_INDEX_PREFIX": f"bench{size}",
        "DJANGO_STATIC_ROOT": str(BUILD / "static"),
        "DJANGO_MEDIA_ROOT": str(BUILD / "media"),
        "PAGE_CACHE_DIR": str(BUILD / "pagecache" / f"{size}-{backend}"),
        # The search rate limiter would answer 429 to a load driver on one address.
        "RATELIMIT_SEARCH": "100000000/1",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    output = subprocess.DEVNULL if quiet else None
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, stdout=output)


@contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[str]:
    """gunicorn with the production settings; yields the base URL once it answers."""
    log = open(BUILD / "gunicorn.log", "ab")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "cms.wsgi:application", "--bind", f"127.0.0.1:{HTTP_PORT}",
         "--workers", str(workers), "--worker-class", "sync", "--keep-alive", "5",
         "--timeout", "120", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        _wait_for(f"{BASE_URL}/sv/", process)
        yield BASE_URL
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see build/bench/")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")
