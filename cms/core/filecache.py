"""A file-based cache that looks at its whole directory only now and then.

Why: Django's ``FileBasedCache`` lists every file in its directory on *each* write, to decide
whether to cull. The page cache writes on every miss and the rate limiter on every search and
sign-in, so with thousands of entries each of those requests paid a directory scan: 10–20 ms of
a search under load (docs/benchmarks.md, "OpenSearch overhead"). Checking every
``CULL_CHECK_EVERY`` writes per process bounds the directory just as well (it may exceed
``MAX_ENTRIES`` by that many writes per worker before a cull) at a fraction of the cost.
"""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache

CULL_CHECK_EVERY = 200


class RarelyCullingFileBasedCache(FileBasedCache):
    _writes_since_cull_check = 0

    def _cull(self) -> None:
        self._writes_since_cull_check += 1
        if self._writes_since_cull_check < CULL_CHECK_EVERY:
            return
        self._writes_since_cull_check = 0
        super()._cull()
