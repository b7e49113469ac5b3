"""Coaches edit only their own municipality's section; Qulturum editors review and publish.

Everything goes through real HTTP (the Django test client) against the Wagtail admin, with the
groups and workflow made by ``manage.py setup_editors``.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from cms.knowledge.models import CaseStoryPage
from tests import factories
from tests.admin_forms import story_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(site_tree):
    call_command("setup_editors", stdout=io.StringIO())


def _member(django_user_model, username: str, group_name: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.se", "pw-for-tests")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def coach_user(groups, django_user_model):
    return _member(django_user_model, "coach-eksjo", "Coaches – Eksjö kommun")


@pytest.fixture
def coach(client, coach_user):
    client.force_login(coach_user)
    return client


@pytest.fixture
def eksjo_page(site_tree):
    return factories.CaseStoryPageFactory(
        parent=site_tree.eksjo, title="Eksjös berättelse", slug="eksjos-berattelse"
    )


@pytest.fixture
def nassjo_page(site_tree):
    return factories.CaseStoryPageFactory(
        parent=site_tree.nassjo, title="Nässjös berättelse", slug="nassjos-berattelse"
    )


def assert_denied(response):
    """Wagtail answers a forbidden admin action with a 403 or a redirect to the dashboard."""
    assert response.status_code in (302, 403), response.status_code
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def assert_unchanged(page):
    fresh = Page.objects.get(pk=page.pk)
    assert fresh.title == page.title
    assert fresh.live
    assert not fresh.has_unpublished_changes
    assert fresh.get_parent().pk == page.get_parent().pk
    assert fresh.latest_revision_id == page.latest_revision_id


# The command ----------------------------------------------------------------------------


def test_setup_editors_is_idempotent(groups, site_tree):
    out = io.StringIO()
    call_command("setup_editors", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Group.objects.filter(name="Coaches – Eksjö kommun").count() == 1
    assert Group.objects.filter(name="Coaches – Nässjö kommun").count() == 1
    coach_group = Group.objects.get(name="Coaches – Eksjö kommun")
    codenames = set(
        coach_group.page_permissions.filter(page=site_tree.eksjo).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page"}


# A coach in their own section -----------------------------------------------------------


def test_coach_can_edit_and_add_in_own_section(coach, site_tree, eksjo_page):
    assert coach.get(reverse("wagtailadmin_pages:edit", args=[eksjo_page.pk])).status_code == 200
    add_url = reverse(
        "wagtailadmin_pages:add", args=["knowledge", "casestorypage", site_tree.eksjo.pk]
    )
    assert coach.get(add_url).status_code == 200
    response = coach.post(
        add_url, story_form(site_tree, title="Ny berättelse", slug="ny-berattelse")
    )
    assert response.status_code == 302
    created = CaseStoryPage.objects.get(slug="ny-berattelse", locale__language_code="sv")
    assert created.get_parent().pk == site_tree.eksjo.pk
    assert not created.live


def test_coach_cannot_add_in_another_section(coach, site_tree):
    add_url = reverse(
        "wagtailadmin_pages:add", args=["knowledge", "casestorypage", site_tree.nassjo.pk]
    )
    assert_denied(coach.get(add_url))
    assert_denied(coach.post(add_url, story_form(site_tree, title="Intrång", slug="intrang")))
    assert not CaseStoryPage.objects.filter(slug="intrang").exists()


def test_coach_cannot_publish_own_page_directly(coach, site_tree, eksjo_page):
    url = reverse("wagtailadmin_pages:edit", args=[eksjo_page.pk])
    form = story_form(
        site_tree, title="Publicerad av coach?", slug=eksjo_page.slug, **{"action-publish": "1"}
    )
    coach.post(url, form)
    page = CaseStoryPage.objects.get(pk=eksjo_page.pk)
    assert page.title == "Eksjös berättelse"  # the live version is unchanged
    assert page.has_unpublished_changes  # the edit is only a draft
    assert page.get_latest_revision().as_object().title == "Publicerad av coach?"
    # And the edit form offers no publish button.
    html = coach.get(url).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html


# A coach in another municipality's section ----------------------------------------------


def test_coach_cannot_open_or_save_the_edit_view_of_another_section(coach, site_tree, nassjo_page):
    url = reverse("wagtailadmin_pages:edit", args=[nassjo_page.pk])
    assert_denied(coach.get(url))
    assert_denied(coach.post(url, story_form(site_tree, title="Kapad", slug=nassjo_page.slug)))
    assert_unchanged(nassjo_page)


def test_coach_cannot_publish_a_page_of_another_section(coach, site_tree, nassjo_page):
    url = reverse("wagtailadmin_pages:edit", args=[nassjo_page.pk])
    form = story_form(site_tree, title="Kapad", slug=nassjo_page.slug, **{"action-publish": "1"})
    assert_denied(coach.post(url, form))
    assert_unchanged(nassjo_page)


def test_coach_cannot_delete_a_page_of_another_section(coach, nassjo_page):
    url = reverse("wagtailadmin_pages:delete", args=[nassjo_page.pk])
    assert_denied(coach.get(url))
    assert_denied(coach.post(url))
    assert Page.objects.filter(pk=nassjo_page.pk).exists()
    assert_unchanged(nassjo_page)


def test_coach_cannot_unpublish_a_page_of_another_section(coach, nassjo_page):
    url = reverse("wagtailadmin_pages:unpublish", args=[nassjo_page.pk])
    assert_denied(coach.get(url))
    assert_denied(coach.post(url))
    assert_unchanged(nassjo_page)


def test_coach_cannot_move_pages_between_sections(coach, site_tree, nassjo_page, eksjo_page):
    # Another section's page into their own section.
    assert_denied(coach.get(reverse("wagtailadmin_pages:move", args=[nassjo_page.pk])))
    confirm = reverse("wagtailadmin_pages:move_confirm", args=[nassjo_page.pk, site_tree.eksjo.pk])
    assert_denied(coach.post(confirm))
    assert_unchanged(nassjo_page)
    # Their own page into another section.
    confirm = reverse("wagtailadmin_pages:move_confirm", args=[eksjo_page.pk, site_tree.nassjo.pk])
    assert_denied(coach.post(confirm))
    assert_unchanged(eksjo_page)


def test_coach_cannot_edit_the_section_page_of_another_municipality(coach, site_tree):
    assert_denied(coach.get(reverse("wagtailadmin_pages:edit", args=[site_tree.nassjo.pk])))


# The workflow -----------------------------------------------------------------------------


def test_coach_submits_and_qulturum_approves_and_the_coach_is_told(
    client, site_tree, coach_user, eksjo_page, django_user_model
):
    coach_user.email = "coach@example.se"
    coach_user.save()
    client.force_login(coach_user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[eksjo_page.pk])
    form = story_form(
        site_tree, title="Granska mig", slug=eksjo_page.slug, **{"action-submit": "1"}
    )
    assert client.post(edit_url, form).status_code == 302

    state = WorkflowState.objects.get(
        base_content_type__isnull=False,
        object_id=str(eksjo_page.pk),
        status=WorkflowState.STATUS_IN_PROGRESS,
    )
    assert state.workflow.name == "Qulturum review"
    assert state.requested_by == coach_user
    task_state = state.current_task_state
    assert task_state.task.name == "Qulturum approval"
    assert CaseStoryPage.objects.get(pk=eksjo_page.pk).title == "Eksjös berättelse"

    # The coach cannot approve their own submission.
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=[eksjo_page.pk, "approve", task_state.pk]
    )
    assert_denied(client.post(approve_url))
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    editor = _member(django_user_model, "qulturum", "Qulturum editors")
    client.force_login(editor)
    mail.outbox.clear()
    response = client.post(approve_url)
    assert response.status_code == 302

    page = CaseStoryPage.objects.get(pk=eksjo_page.pk)
    assert page.live
    assert page.title == "Granska mig"
    assert not page.has_unpublished_changes
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_APPROVED

    to_coach = [message for message in mail.outbox if "coach@example.se" in message.to]
    assert len(to_coach) == 1
    assert "Granska mig" in to_coach[0].subject + to_coach[0].body


def test_qulturum_rejection_notifies_the_coach(
    client, site_tree, coach_user, eksjo_page, django_user_model
):
    coach_user.email = "coach@example.se"
    coach_user.save()
    client.force_login(coach_user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[eksjo_page.pk])
    form = story_form(site_tree, title="Inte än", slug=eksjo_page.slug, **{"action-submit": "1"})
    client.post(edit_url, form)
    state = WorkflowState.objects.get(
        object_id=str(eksjo_page.pk), status=WorkflowState.STATUS_IN_PROGRESS
    )

    client.force_login(_member(django_user_model, "qulturum", "Qulturum editors"))
    mail.outbox.clear()
    reject_url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[eksjo_page.pk, "reject", state.current_task_state.pk],
    )
    assert client.post(reject_url, {"comment": "Lägg till mätdata."}).status_code == 302

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert CaseStoryPage.objects.get(pk=eksjo_page.pk).title == "Eksjös berättelse"
    assert [message.to for message in mail.outbox] == [["coach@example.se"]]


def test_submission_is_announced_to_qulturum_editors(
    client, site_tree, coach_user, eksjo_page, django_user_model
):
    _member(django_user_model, "qulturum", "Qulturum editors")
    client.force_login(coach_user)
    mail.outbox.clear()
    form = story_form(site_tree, title="Ny version", slug=eksjo_page.slug, **{"action-submit": "1"})
    client.post(reverse("wagtailadmin_pages:edit", args=[eksjo_page.pk]), form)
    recipients = {address for message in mail.outbox for address in message.to}
    assert "qulturum@example.se" in recipients
    assert "coach-eksjo@example.se" not in recipients


# "By API" -----------------------------------------------------------------------------------


def test_the_public_search_api_never_shows_drafts(
    client, site_tree, nassjo_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.CaseStoryPageFactory(
            parent=site_tree.nassjo, title="Synlig vårdplanering", slug="synlig"
        ).save_revision().publish()
    hidden = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo, title="Hemlig kvarnsten", slug="hemlig", live=False
    )
    hidden.save_revision()
    draft = CaseStoryPage.objects.get(pk=nassjo_page.pk)
    draft.title = "Utkastord kvarnsten"
    draft.save_revision()
    call_command("rebuild_search_index", stdout=io.StringIO())

    visible = client.get("/sv/api/search/", {"q": "vårdplanering"}).json()
    assert [hit["title"] for hit in visible["hits"]] == ["Synlig vårdplanering"]
    for query in ("kvarnsten", "hemlig", "utkastord"):
        assert client.get("/sv/api/search/", {"q": query}).json()["hits"] == [], query


def test_the_search_api_is_read_only(coach, nassjo_page):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(coach, method)("/sv/api/search/", {"q": "x"})
        assert response.status_code == 405, method
    assert_unchanged(nassjo_page)


def test_the_wagtail_api_shows_only_published_versions_and_is_read_only(
    coach, site_tree, nassjo_page
):
    hidden = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo, title="Hemlig kvarnsten", slug="hemlig", live=False
    )
    hidden.save_revision()
    draft = CaseStoryPage.objects.get(pk=nassjo_page.pk)
    draft.title = "Utkastord kvarnsten"
    draft.save_revision()

    # The API answers 404; Django's LocaleMiddleware then turns an unprefixed 404 into a redirect
    # to /sv/…, which is a 404 as well.
    response = coach.get(f"/api/v2/pages/{hidden.pk}/", follow=True)
    assert response.status_code == 404
    assert "kvarnsten" not in response.content.decode()
    published = coach.get(f"/api/v2/pages/{nassjo_page.pk}/")
    assert published.status_code == 200
    assert published.json()["title"] == "Nässjös berättelse"
    listing = coach.get("/api/v2/pages/", {"limit": 20}).json()
    titles = {item["title"] for item in listing["items"]}
    assert "Nässjös berättelse" in titles
    assert not titles & {"Hemlig kvarnsten", "Utkastord kvarnsten"}

    payload = json.dumps({"title": "Kapad"})
    for method in ("post", "put", "patch", "delete"):
        response = getattr(coach, method)(
            f"/api/v2/pages/{nassjo_page.pk}/", payload, content_type="application/json"
        )
        assert response.status_code in (403, 405), method
    assert coach.post("/api/v2/pages/", payload, content_type="application/json").status_code in (
        403,
        405,
    )
    assert Page.objects.get(pk=nassjo_page.pk).title == "Nässjös berättelse"
    assert Page.objects.filter(pk=nassjo_page.pk).exists()
