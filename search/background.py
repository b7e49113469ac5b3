"""Writes that run on a background thread while the caller prepares the next batch.

Why: a rebuild alternates Python's work (loading pages, building their documents) with waiting
for another process (PostgreSQL storing a batch of terms, the engine indexing a chunk). Done in
turn, each waits for the other; on two cores they can run at the same time
(docs/benchmarks.md, "Rebuild"). The writes run one at a time, in the order they were given,
or several at once where their order does not matter, and only a few are outstanding, so
memory stays bounded whatever the size of the corpus.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from django.db import connections

T = TypeVar("T")


class BackgroundWriter(Generic[T]):
    """Run ``write(*args)`` calls in order on one thread of their own (or ``threads`` of them,
    which then run that many writes at once; results still come back in submission order).

    ``submit`` returns the results of the writes that have finished by then, oldest first, and
    waits for the oldest when ``outstanding`` are; ``finish`` waits for the rest, and so does
    leaving the block normally. A write that fails raises in the caller at the next wait; when
    the block is left by an exception, the writes still queued are dropped.
    With ``background=False`` every write runs at once in the caller's thread: the same code
    then serves where a second thread cannot write (SQLite, which locks the whole database for
    a writer; a caller inside a transaction, whose rows another connection cannot see).

    The threads' database connections (Django opens one per thread) are closed on exit.
    """

    def __init__(
        self, name: str, background: bool = True, outstanding: int = 2, threads: int = 1
    ) -> None:
        self.name = name
        self.background = background
        self.outstanding = outstanding
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._pending: deque[Future[T]] = deque()

    def __enter__(self) -> BackgroundWriter[T]:
        if self.background:
            self._executor = ThreadPoolExecutor(
                max_workers=self.threads, thread_name_prefix=self.name
            )
        return self

    def submit(self, write: Callable[..., T], *args) -> list[T]:
        if self._executor is None:
            return [write(*args)]
        self._pending.append(self._executor.submit(write, *args))
        finished = []
        while len(self._pending) >= self.outstanding:
            finished.append(self._pending.popleft().result())
        return finished

    def finish(self) -> list[T]:
        finished = []
        while self._pending:
            finished.append(self._pending.popleft().result())
        return finished

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self._executor is None:
            return
        try:
            if exc_type is None:
                self.finish()
        finally:
            self._close()

    def _close(self) -> None:
        for future in self._pending:
            future.cancel()  # queued writes after a failure: the caller is giving up
        self._pending.clear()
        try:
            # One call on each thread: each waits at the barrier until all of them hold one.
            barrier = threading.Barrier(self.threads)

            def close_connections() -> None:
                barrier.wait(timeout=30)
                connections.close_all()

            closing = [self._executor.submit(close_connections) for _ in range(self.threads)]
            for future in closing:
                future.result()
        finally:
            self._executor.shutdown(wait=True)
            self._executor = None
