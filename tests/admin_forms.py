"""Form data for posting pages through the Wagtail admin, shared by the admin-level tests."""

from __future__ import annotations

import json

# Every page edit form carries the (empty) comments formset.
COMMENTS_MANAGEMENT_FORM = {
    "comments-TOTAL_FORMS": "0",
    "comments-INITIAL_FORMS": "0",
    "comments-MIN_NUM_FORMS": "0",
    "comments-MAX_NUM_FORMS": "1000",
}


def draftail(text: str) -> str:
    """Rich text as the Draftail editor posts it (Draft.js content state)."""
    block = {
        "key": "a",
        "text": text,
        "type": "unstyled",
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def story_form(
    site_tree,
    *,
    title: str = "En berättelse",
    slug: str = "en-berattelse",
    summary: str = "Sammanfattning",
    paragraph: str = "Hej",
    **extra: str,
) -> dict:
    """The create/edit form of a case story with one paragraph, plus any extra fields."""
    return {
        **COMMENTS_MANAGEMENT_FORM,
        "title": title,
        "slug": slug,
        "summary": summary,
        "date": "2024-05-01",
        "themes": [site_tree.transitions.pk],
        "co_produced": "none",
        "quote_attribution": "Esther",
        "tags": "",
        "story-count": "1",
        "story-0-type": "paragraph",
        "story-0-deleted": "",
        "story-0-order": "0",
        "story-0-value": draftail(paragraph),
        "contacts-count": "0",
        **extra,
    }


def project_form(site_tree, **extra) -> dict:
    """The create/edit form of an improvement project with empty StreamFields."""
    return {
        **COMMENTS_MANAGEMENT_FORM,
        "title": "Ett projekt",
        "slug": "ett-projekt",
        "summary": "Sammanfattning",
        "aim": "Mål",
        "status": "ongoing",
        "date": "2024-05-01",
        "themes": [site_tree.transitions.pk],
        "co_produced": "none",
        "tags": "",
        "contacts-count": "0",
        "change_ideas-count": "0",
        "pdsa_cycles-count": "0",
        "measures-count": "0",
        "attachments-count": "0",
        **extra,
    }
