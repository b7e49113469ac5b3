"""Run a function in several threads at once, switching between them very often.

Races between request threads (gunicorn's gthread workers) rarely show with Python's default
thread switch interval; a tiny one makes them show at once.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable


def run_in_threads(target: Callable[[], None], threads: int = 6, switch: float = 1e-5) -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(switch)
    try:
        started = [threading.Thread(target=target) for _ in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
