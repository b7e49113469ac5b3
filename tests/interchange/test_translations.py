"""Translations in the content format go through wagtail-localize, as an editor's would."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from cms.interchange.importer import ContentError, Importer
from cms.knowledge.models import ImprovementProjectPage
from tests.interchange.test_importer import TAXONOMY, page_tree, write

pytestmark = pytest.mark.django_db


def english(overrides: dict | None = None) -> dict:
    """The test project written in English: the same object, its texts translated."""
    project = copy.deepcopy(page_tree()["pages"][2])
    project.update(
        {
            "locale": "en",
            "title": "Self-dialysis at home",
            "slug": "self-dialysis-at-home",
            "summary": "Patients manage their own dialysis at home.",
            "aim": "More patients do their own dialysis.",
        }
    )
    cycle = project["pdsa_cycles"][0]
    cycle.update({"title": "Training in pairs", "plan": "P", "do": "D", "study": "S", "act": "A"})
    measure = project["measures"][0]
    measure.update({"name": "Share in self-dialysis", "definition": "Share of all patients."})
    project.update(overrides or {})
    return {"format": "esther-content", "version": 1, "translations": [project]}


def import_all(tmp_path: Path, *documents: dict, update: bool = False):
    return Importer(update=update).run([write(tmp_path, TAXONOMY, page_tree(), *documents)])


def swedish_and_english() -> tuple[ImprovementProjectPage, ImprovementProjectPage]:
    source = ImprovementProjectPage.objects.get(locale__language_code="sv")
    return source, source.get_translation(Locale.objects.get(language_code="en"))


def test_a_translation_becomes_a_wagtail_localize_translation_of_its_source(tmp_path, client):
    report = import_all(tmp_path, english())
    source, translated = swedish_and_english()
    assert report.created["project (en)"] == 1
    assert translated.alias_of_id is None  # the alias the sync made became a real translation
    assert translated.live
    assert translated.title == "Self-dialysis at home"
    assert translated.aim == "More patients do their own dialysis."
    assert translated.pdsa_cycles[0].value["study"] == "S"
    assert translated.measures[0].value["name"] == "Share in self-dialysis"
    # Synchronised, not translated: themes, data and the decision stay the source's.
    assert list(translated.themes.values_list("slug", flat=True)) == ["egenvard"]
    assert translated.decisions == ["abandon"]
    assert len(translated.measures[0].value["data_points"]) == 12
    # The translation editor's records exist, so the admin and PO export see the texts.
    translation_source = TranslationSource.objects.get_for_instance(source)
    assert Translation.objects.filter(source=translation_source, target_locale__language_code="en")
    assert StringTranslation.objects.filter(data="Training in pairs", locale=translated.locale)
    assert translated.url == "/en/eksjo/self-dialysis-at-home/"
    response = client.get(translated.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "More patients do their own dialysis." in html
    assert "not been translated" not in html


def test_an_untranslated_page_is_an_alias_shown_in_swedish_at_its_english_address(tmp_path, client):
    import_all(tmp_path)
    source, alias = swedish_and_english()
    assert alias.alias_of_id == source.pk
    response = client.get(alias.url)
    assert alias.url.startswith("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "has not been translated yet" in html
    assert '<h1 class="page-title" lang="sv">Egenvårdsdialys hemma</h1>' in html


def test_texts_that_do_not_line_up_with_the_source_are_refused_and_nothing_is_kept(tmp_path):
    extra_cycle = english()
    project = extra_cycle["translations"][0]
    project["pdsa_cycles"] = [*project["pdsa_cycles"], dict(project["pdsa_cycles"][0])]
    with pytest.raises(ContentError) as caught:
        import_all(tmp_path, extra_cycle)
    problems = "\n".join(caught.value.problems)
    assert "02.json: en translation of 'projekt'" in problems
    assert "keep every paragraph, list item and block of the source" in problems
    assert not ImprovementProjectPage.objects.exists()


def test_translations_must_name_a_page_of_the_import_and_a_site_language(tmp_path):
    unknown = english({"key": "finns-inte"})
    german = english({"locale": "de"})
    german["translations"][0]["slug"] = "selbstdialyse"
    with pytest.raises(ContentError) as caught:
        import_all(tmp_path, unknown, german)
    problems = "\n".join(caught.value.problems)
    assert "'finns-inte' is not a page of this import" in problems
    assert "\"locale\" is 'de'; translations go into: en" in problems


def test_importing_again_keeps_a_translators_edits_unless_update(tmp_path):
    import_all(tmp_path, english())
    _source, translated = swedish_and_english()
    translated.aim = "Edited by a translator"
    translated.save_revision().publish()

    report = import_all(tmp_path, english())
    assert report.unchanged["project (en)"] == 1
    assert swedish_and_english()[1].aim == "Edited by a translator"

    import_all(tmp_path, english(), update=True)
    assert swedish_and_english()[1].aim == "More patients do their own dialysis."


def test_export_writes_translations_that_import_again(tmp_path):
    from cms.interchange.exporter import export_content

    (tmp_path / "in").mkdir()
    Importer().run([write(tmp_path / "in", TAXONOMY, page_tree(), english())])
    report = export_content(tmp_path / "out")
    assert report.counts["translation:en"] == 1
    exported = report.path.read_text(encoding="utf-8")
    assert '"locale": "en"' in exported
    assert "Self-dialysis at home" in exported
