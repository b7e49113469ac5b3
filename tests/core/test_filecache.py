"""The page and rate-limit caches' file backend still bounds its directory, scanning it rarely."""

from __future__ import annotations

from cms.core import filecache


def files(folder) -> int:
    return len(list(folder.glob("*.djcache")))


def test_the_directory_is_culled_at_every_cull_check_not_on_every_write(tmp_path):
    cache = filecache.RarelyCullingFileBasedCache(
        str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50, "CULL_FREQUENCY": 2}}
    )
    for number in range(filecache.CULL_CHECK_EVERY - 1):
        cache.set(f"key-{number}", number)
    # No scan yet: every entry is there, over MAX_ENTRIES.
    assert files(tmp_path) == filecache.CULL_CHECK_EVERY - 1

    cache.set("one-more", 1)  # the cull check: half the entries go (CULL_FREQUENCY 2)

    assert files(tmp_path) <= filecache.CULL_CHECK_EVERY // 2 + 1
    assert cache.get("one-more") == 1
