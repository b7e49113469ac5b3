"""The JSON content importer: validation, atomicity and idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail_localize.synctree import PageIndex

from cms.interchange.importer import ContentError, Importer
from cms.knowledge.models import ImprovementProjectPage, KnowledgePage
from cms.taxonomy.models import Theme

pytestmark = pytest.mark.django_db

TAXONOMY = {
    "format": "esther-content",
    "version": 1,
    "themes": [{"slug": "egenvard", "name": "Egenvård", "name_en": "Self-care"}],
    "organisations": [
        {"slug": "eksjo", "name": "Eksjö kommun", "kind": "municipality", "area": "hoglandet"}
    ],
}


def page_tree(project_overrides: dict | None = None) -> dict:
    project = {
        "key": "projekt",
        "type": "project",
        "parent": "eksjo",
        "title": "Egenvårdsdialys hemma",
        "slug": "egenvardsdialys-hemma",
        "summary": "Patienter sköter sin dialys hemma.",
        "date": "2024-02-01",
        "themes": ["egenvard"],
        "aim": "Fler patienter gör egenvårdsdialys.",
        "pdsa_cycles": [
            {
                "title": "Utbildning i par",
                "start_date": "2024-02-01",
                "plan": "p",
                "do": "d",
                "study": "s",
                "act": "a",
                "decision": "abandon",
            }
        ],
        "measures": [
            {
                "name": "Andel egenvårdsdialys",
                "unit": "%",
                "definition": "Andel av alla dialyspatienter.",
                "data_points": [
                    {"date": f"2024-{month:02d}-01", "value": 10 + month} for month in range(1, 13)
                ],
            }
        ],
    }
    project.update(project_overrides or {})
    return {
        "format": "esther-content",
        "version": 1,
        "pages": [
            {
                "key": "hem",
                "type": "home",
                "parent": None,
                "title": "Hem",
                "slug": "hem",
                "intro": "Välkommen",
            },
            {
                "key": "eksjo",
                "type": "section",
                "parent": "hem",
                "title": "Eksjö",
                "slug": "eksjo",
                "organisation": "eksjo",
            },
            project,
        ],
    }


def write(tmp_path: Path, *documents: dict) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for number, document in enumerate(documents):
        (tmp_path / f"{number:02d}.json").write_text(json.dumps(document), encoding="utf-8")
    return tmp_path


def test_import_creates_pages_with_blocks_and_publishes_them(tmp_path, client):
    Importer().run([write(tmp_path, TAXONOMY, page_tree())])
    project = ImprovementProjectPage.objects.get(
        slug="egenvardsdialys-hemma", locale__language_code="sv"
    )
    assert project.live
    assert project.municipality.slug == "eksjo"  # taken from the section
    assert project.decisions == ["abandon"]
    assert len(project.measures[0].value["data_points"]) == 12
    assert client.get(project.url).status_code == 200


def test_imported_pages_and_their_english_aliases_are_searchable_at_once(
    tmp_path, client, django_capture_on_commit_callbacks
):
    """The import indexes in bulk when it commits (``deferred_indexing``), the English aliases
    included: no ``rebuild_search_index`` is needed, in either language, nor for the admin's
    search (Wagtail's own index)."""
    with django_capture_on_commit_callbacks(execute=True):
        Importer().run([write(tmp_path, TAXONOMY, page_tree())])

    for language in ("sv", "en"):
        found = client.get(f"/{language}/api/search/", {"q": "egenvårdsdialys"}).json()
        assert [hit["title"] for hit in found["hits"]] == ["Egenvårdsdialys hemma"], language
    english = ImprovementProjectPage.objects.get(locale__language_code="en")
    assert english.alias_of_id is not None
    admin_hits = ImprovementProjectPage.objects.live().search("egenvårdsdialys")
    assert {page.pk for page in admin_hits} == {english.pk, english.alias_of_id}


def test_an_import_into_an_archive_synchronises_its_own_pages_only(tmp_path, monkeypatch):
    """Each new page gets its English alias, and the pages already there are not read again:
    wagtail-localize reads every page it lists with several queries, so listing the whole tree
    made every import cost more with every page in the archive."""
    Importer().run([write(tmp_path / "first", TAXONOMY, page_tree())])
    listed: list[str] = []
    original = PageIndex.Entry.from_page_instance

    def from_page_instance(page):
        listed.append(page.slug)
        return original(page)

    monkeypatch.setattr(PageIndex.Entry, "from_page_instance", from_page_instance)
    second = page_tree({"key": "andra", "slug": "andra-projektet", "title": "Andra projektet"})
    Importer().run([write(tmp_path / "second", TAXONOMY, second)])

    assert listed == ["andra-projektet"]
    english = ImprovementProjectPage.objects.get(slug="andra-projektet", locale__language_code="en")
    assert english.alias_of.slug == "andra-projektet"
    assert ImprovementProjectPage.objects.filter(locale__language_code="en").count() == 2


def test_import_twice_creates_nothing_new(tmp_path):
    folder = write(tmp_path, TAXONOMY, page_tree())
    Importer().run([folder])
    report = Importer().run([folder])
    assert sum(report.created.values()) == 0
    assert KnowledgePage.objects.filter(locale__language_code="sv").count() == 1
    assert Theme.objects.count() == 1


def test_second_import_keeps_editors_changes_unless_update(tmp_path):
    folder = write(tmp_path, TAXONOMY, page_tree())
    Importer().run([folder])
    project = ImprovementProjectPage.objects.get(locale__language_code="sv")
    project.aim = "Redigerat av en coach"
    project.save_revision().publish()
    Importer().run([folder])
    assert (
        ImprovementProjectPage.objects.get(locale__language_code="sv").aim
        == "Redigerat av en coach"
    )
    Importer(update=True).run([folder])
    assert (
        ImprovementProjectPage.objects.get(locale__language_code="sv").aim
        == "Fler patienter gör egenvårdsdialys."
    )
    assert ImprovementProjectPage.objects.filter(locale__language_code="sv").count() == 1


def test_every_problem_is_reported_with_its_location_and_nothing_is_written(tmp_path):
    bad = page_tree(
        {
            "themes": ["finns-inte"],
            "status": "klar",
            "background": "<script>x</script>",
            "summary": "x" * 401,
        }
    )
    bad["pages"][2]["pdsa_cycles"][0]["decision"] = "maybe"
    bad["pages"][2]["measures"][0]["data_points"].reverse()
    with pytest.raises(ContentError) as caught:
        Importer().run([write(tmp_path, TAXONOMY, bad)])
    problems = "\n".join(caught.value.problems)
    assert "01.json: pages[2] 'projekt': unknown theme 'finns-inte'" in problems
    assert "\"status\" is 'klar'" in problems
    assert "HTML not allowed: ['script']" in problems
    assert "longer than 400 characters" in problems
    assert "pdsa_cycles[0]" in problems and "'maybe'" in problems
    assert "date order" in problems
    assert Theme.objects.count() == 0
    assert KnowledgePage.objects.count() == 0


def test_broken_json_is_reported(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_content", str(tmp_path))
