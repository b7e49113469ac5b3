"""The load test's editor and auditor: runs inside the site's Django, apart from the traffic.

    python loadtest/site_checks.py edit WORD     publish a new revision of a story containing WORD
    python loadtest/site_checks.py verify WORD   is WORD still in that story's live content, and
                                                 is the index queue empty? (JSON, exit 1 if not)
    python loadtest/site_checks.py versions      PostgreSQL's version (JSON)

The edit goes through the same path as an editor's publish (``save_revision().publish()``, page
signals, on-commit index updates), so while the engine is down it lands in the database index and
in the ``PendingIndexChange`` queue: exactly what the catch-up has to deliver afterwards. It runs
with the environment ``loadtest/run`` exported (production settings, the load test's database).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from cms.knowledge.models import CaseStoryPage  # noqa: E402
from search.models import PendingIndexChange  # noqa: E402

STORY_SLUG = "hem-efter-fallet"


def _story() -> CaseStoryPage:
    """The Swedish original (an English translation may share the slug)."""
    return CaseStoryPage.objects.get(slug=STORY_SLUG, locale__language_code="sv")


def edit(word: str) -> dict:
    story = _story()
    story.summary = f"{story.summary.split(' [')[0]} [{word}]"
    with transaction.atomic():
        story.save_revision().publish()
    # publish() queued the index updates with on_commit; they have run now.
    return {
        "page_id": story.pk,
        "url": story.url,
        "queued": PendingIndexChange.objects.filter(page_id=story.pk).exists(),
    }


def verify(word: str) -> dict:
    story = _story()
    return {
        "page_id": story.pk,
        "live_has_word": word in story.summary,
        "latest_revision_has_word": word in json.dumps(story.get_latest_revision().content),
        "pending_index_changes": PendingIndexChange.objects.count(),
    }


def versions() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return {"postgresql": cursor.fetchone()[0]}


def main(argv: list[str]) -> int:
    action, *rest = argv
    if action == "edit":
        result = edit(rest[0])
        ok = True
    elif action == "verify":
        result = verify(rest[0])
        ok = result["live_has_word"] and result["latest_revision_has_word"]
    elif action == "versions":
        result = versions()
        ok = True
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
