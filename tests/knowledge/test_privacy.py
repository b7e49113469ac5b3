"""No patient data may be published: identity numbers are refused, small counts are flagged."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from cms.knowledge.privacy import (
    PERSONAL_NUMBER_MESSAGE,
    find_personal_identity_numbers,
    luhn_valid,
    small_counts,
    value_texts,
)
from tests import factories
from tests.admin_forms import project_form, story_form

# Skatteverket's published test number 19121212-1212 and the textbook examples 811218-9876
# (personnummer) and 701063-2391 (samordningsnummer: born on the 3rd, day + 60).


# The detector -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19121212-1212", "19121212-****"),
        ("191212121212", "19121212****"),
        ("121212-1212", "121212-****"),
        ("121212+1212", "121212+****"),
        ("1212121212", "121212****"),
        ("121212 1212", "121212 ****"),
        ("19121212 1212", "19121212 ****"),
        ("811218-9876", "811218-****"),
        ("Patienten (pnr 811218-9876) kom hem.", "811218-****"),
        ("Esther, 8112189876.", "811218****"),
        ("20000229-0005", "20000229-****"),  # 29 February in a leap year
    ],
)
def test_personnummer_is_found_in_every_written_form(text, expected):
    assert find_personal_identity_numbers(text) == [expected]


@pytest.mark.parametrize("text", ["701063-2391", "19701063-2391", "7010632391"])
def test_samordningsnummer_is_found(text):
    assert len(find_personal_identity_numbers(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "19121212-1213",  # wrong check digit
        "121212-1211",
        "811218-9875",
    ],
)
def test_numbers_failing_the_checksum_are_not_flagged(text):
    assert find_personal_identity_numbers(text) == []


@pytest.mark.parametrize(
    "yymmdd",
    [
        "191312",  # month 13
        "190012",  # month 0
        "190100",  # day 0
        "190231",  # 31 February
        "190431",  # 31 April
        "190192",  # samordningsnummer day 92 (31 + 61)
        "190160",  # day 60: neither a birth day nor a coordination day
    ],
)
def test_invalid_dates_are_not_flagged_even_with_a_valid_checksum(yymmdd):
    # Give every candidate a correct check digit so only the date can reject it.
    nine = yymmdd + "123"
    check = next(d for d in "0123456789" if luhn_valid(nine + d))
    assert find_personal_identity_numbers(f"{yymmdd}-123{check}") == []
    assert find_personal_identity_numbers(f"19{yymmdd}123{check}") == []


def test_29_february_outside_a_leap_year_is_not_flagged():
    nine = "000229" + "000"
    check = next(d for d in "0123456789" if luhn_valid(nine + d))
    assert find_personal_identity_numbers(f"20000229-000{check}")  # 2000 is a leap year
    assert find_personal_identity_numbers(f"19000229-000{check}") == []  # 1900 is not


@pytest.mark.parametrize(
    "text",
    [
        "x1912121212125",  # inside a longer digit run
        "9191212121212",
        "ärende 12-121212-1212",  # continuation of a hyphenated number
        "121212-1212-4",
        "ID1212121212",  # glued to a word
        "tel. 0701212121212",
        "Beloppet var 2024 kr.",
    ],
)
def test_digits_inside_longer_numbers_are_not_flagged(text):
    assert find_personal_identity_numbers(text) == []


def test_matches_are_masked_and_never_repeat_the_number():
    found = find_personal_identity_numbers("A 19121212-1212 och B 811218-9876, A igen 191212121212")
    assert found == ["19121212-****", "811218-****", "19121212****"]
    assert not any("1212" in number[-4:] or "9876" in number for number in found)


def test_stream_values_document_titles_and_digit_only_blocks_are_collected(site_tree):
    document = factories.DocumentFactory(title="Journal 19121212-1212")
    page = factories.TrainingMaterialPageFactory(
        parent=site_tree.eksjo,
        learning_goals__0__goal="191212121212",
        downloads__0__document__document=document,
    )
    texts = value_texts([page.learning_goals, page.downloads])
    assert "191212121212" in texts
    assert "Journal 19121212-1212" in texts


def test_small_counts_flags_counts_of_people_below_five():
    measure = {
        "name": "Återinskrivningar",
        "unit": "patienter",
        "data_points": [
            {"date": datetime.date(2024, 2, 1), "value": 7.0},
            {"date": datetime.date(2024, 3, 1), "value": 3.0},
            {"date": datetime.date(2024, 4, 1), "value": 0.0},  # nobody: not identifying
            {"date": datetime.date(2024, 5, 1), "value": 5.0},
        ],
    }
    findings = small_counts(measure)
    assert [(f.value_text, f.date) for f in findings] == [("3", datetime.date(2024, 3, 1))]


@pytest.mark.parametrize("unit", ["antal patienter", "st", "personer", "people", "Patients"])
def test_small_counts_recognises_count_units(unit):
    measure = {"name": "M", "unit": unit, "data_points": [{"date": None, "value": 2}]}
    assert len(small_counts(measure)) == 1


@pytest.mark.parametrize("unit", ["dagar", "%", "minuter", "days"])
def test_small_counts_ignores_other_units(unit):
    measure = {"name": "M", "unit": unit, "data_points": [{"date": None, "value": 2}]}
    assert small_counts(measure) == []


def test_small_counts_works_on_a_saved_measure_block(site_tree):
    project = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        measures__0__measure__unit="patienter",
        measures__0__measure__data_points__0__value=2.0,
        measures__0__measure__data_points__1__value=12.0,
    )
    findings = small_counts(project.measures[0].value)
    assert [f.value for f in findings] == [2.0]


# Through the admin ---------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktor", "r@example.se", "pw-for-tests")
    client.force_login(user)
    return client


def add_url(model, section):
    return reverse("wagtailadmin_pages:add", args=["knowledge", model, section.pk])


def message_parts() -> tuple[str, str]:
    """The guard's message in the admin language, before and after the masked number."""
    start, _, end = str(PERSONAL_NUMBER_MESSAGE).partition("%(numbers)s")
    return escape(start.rstrip(" (")), escape(end.lstrip(") "))


@pytest.mark.django_db
def test_personnummer_in_the_summary_blocks_creating_a_story(editor, site_tree):
    from cms.knowledge.models import CaseStoryPage

    form = story_form(site_tree, summary="Esther (19121212-1212) kom hem efter tre dagar.")
    response = editor.post(add_url("casestorypage", site_tree.nassjo), form)
    assert response.status_code == 200
    html = response.content.decode()
    start, end = message_parts()
    assert start in html and end in html
    assert "19121212-****" in html
    assert not CaseStoryPage.objects.filter(slug="en-berattelse").exists()


@pytest.mark.django_db
def test_personnummer_blocks_publishing_too(editor, site_tree):
    from cms.knowledge.models import CaseStoryPage

    form = {**story_form(site_tree, summary="pnr 811218-9876"), "action-publish": "action-publish"}
    response = editor.post(add_url("casestorypage", site_tree.nassjo), form)
    assert response.status_code == 200
    assert "811218-****" in response.content.decode()
    assert not CaseStoryPage.objects.filter(slug="en-berattelse").exists()


@pytest.mark.django_db
def test_personnummer_in_a_streamfield_paragraph_blocks_creating_a_story(editor, site_tree):
    from cms.knowledge.models import CaseStoryPage

    form = story_form(site_tree, paragraph="Esther, 121212-1212, ringde oss.")
    response = editor.post(add_url("casestorypage", site_tree.nassjo), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert message_parts()[0] in html and "121212-****" in html
    assert not CaseStoryPage.objects.filter(slug="en-berattelse").exists()


@pytest.mark.django_db
def test_a_clean_story_is_created(editor, site_tree):
    from cms.knowledge.models import CaseStoryPage

    form = story_form(site_tree, paragraph="Esther ringde oss 2024-03-01, telefon 036-12 34 56.")
    response = editor.post(add_url("casestorypage", site_tree.nassjo), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CaseStoryPage.objects.filter(slug="en-berattelse").exists()


@pytest.mark.django_db
def test_personnummer_in_an_attached_documents_title_blocks_the_project(editor, site_tree):
    from cms.knowledge.models import ImprovementProjectPage

    document = factories.DocumentFactory(title="Journalutdrag 19121212-1212")
    form = project_form(
        site_tree,
        **{
            "attachments-count": "1",
            "attachments-0-type": "document",
            "attachments-0-deleted": "",
            "attachments-0-order": "0",
            "attachments-0-value-document": str(document.pk),
            "attachments-0-value-title": "",
            "attachments-0-value-description": "",
        },
    )
    response = editor.post(add_url("improvementprojectpage", site_tree.eksjo), form)
    assert response.status_code == 200
    assert "19121212-****" in response.content.decode()
    assert not ImprovementProjectPage.objects.filter(slug="ett-projekt").exists()


def measure_fields(unit: str, values: list[float]) -> dict[str, str]:
    prefix = "measures-0-value"
    fields = {
        "measures-count": "1",
        "measures-0-type": "measure",
        "measures-0-deleted": "",
        "measures-0-order": "0",
        f"{prefix}-name": "Återinskrivningar inom 30 dagar",
        f"{prefix}-kind": "outcome",
        f"{prefix}-unit": unit,
        f"{prefix}-definition": "Antal patienter som skrivs in igen inom 30 dagar.",
        f"{prefix}-goal": "",
        f"{prefix}-data_points-count": str(len(values)),
    }
    for index, value in enumerate(values):
        point = f"{prefix}-data_points-{index}"
        fields.update(
            {
                f"{point}-deleted": "",
                f"{point}-order": str(index),
                f"{point}-value-date": f"2024-{index + 1:02d}-01",
                f"{point}-value-value": str(value),
                f"{point}-value-note": "",
            }
        )
    return fields


@pytest.mark.django_db
def test_small_counts_in_a_measure_warn_after_saving_but_do_not_block(editor, site_tree):
    from cms.knowledge.models import ImprovementProjectPage

    form = project_form(site_tree, **measure_fields("patienter", [8, 3, 6]))
    response = editor.post(add_url("improvementprojectpage", site_tree.eksjo), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ImprovementProjectPage.objects.filter(slug="ett-projekt").exists()
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Återinskrivningar inom 30 dagar" in warnings[0]
    assert "3 patienter" in warnings[0] and "2024-02-01" in warnings[0]
    assert "5" in warnings[0]


@pytest.mark.django_db
def test_measures_in_other_units_give_no_warning(editor, site_tree):
    form = project_form(site_tree, **measure_fields("dagar", [8, 3, 6]))
    response = editor.post(add_url("improvementprojectpage", site_tree.eksjo), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.django_db
def test_small_counts_warn_after_editing_too(editor, site_tree):
    project = factories.ImprovementProjectPageFactory(parent=site_tree.eksjo, slug="ett-projekt")
    form = project_form(site_tree, **measure_fields("antal personer", [2]))
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[project.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1 and "2 antal personer" in warnings[0]
