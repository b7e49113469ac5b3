"""'Adapt this project': a coach copies another municipality's project into their own section.

Through real HTTP against the Wagtail admin, with the groups made by ``manage.py setup_editors``.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from cms.knowledge.adapt import sections_user_can_adapt_into
from cms.knowledge.models import ImprovementProjectPage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(site_tree):
    call_command("setup_editors", stdout=io.StringIO())


@pytest.fixture
def nassjo_coach_user(groups, django_user_model):
    user = django_user_model.objects.create_user(
        "coach-nassjo", "coach-nassjo@example.se", "pw-for-tests"
    )
    user.groups.add(Group.objects.get(name="Coaches – Nässjö kommun"))
    return user


@pytest.fixture
def coach(client, nassjo_coach_user):
    client.force_login(nassjo_coach_user)
    return client


@pytest.fixture
def original(site_tree):
    return factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        title="Trygg hemgång",
        slug="trygg-hemgang",
        municipality=site_tree.eksjo_org,
        start_date="2024-01-15",
        measures__0__measure__name="Återinskrivningar",
        measures__0__measure__data_points__0__value=12.0,
        measures__0__measure__data_points__1__value=10.0,
        pdsa_cycles__0__pdsa_cycle__decision="adapt",
        change_ideas__0__change_idea__title="Samordnad planering",
        contacts__0__contact__name="Anna Andersson",
    )


def adapt_url(page) -> str:
    return reverse("knowledge_adapt_project", args=[page.pk])


def test_coach_may_adapt_only_into_own_section(nassjo_coach_user, site_tree):
    assert [s.pk for s in sections_user_can_adapt_into(nassjo_coach_user)] == [site_tree.nassjo.pk]


def test_form_preselects_the_only_allowed_section(coach, site_tree, original):
    response = coach.get(adapt_url(original))
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["section"].choices] == [site_tree.nassjo.pk]
    assert form.fields["section"].initial == site_tree.nassjo.pk


def test_coach_adapts_a_project_into_own_section(coach, site_tree, original):
    response = coach.post(adapt_url(original), {"section": site_tree.nassjo.pk})
    adaptation = ImprovementProjectPage.objects.get(adapted_from=original)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[adaptation.pk])

    assert adaptation.get_parent().pk == site_tree.nassjo.pk
    assert adaptation.municipality == site_tree.nassjo_org
    assert not adaptation.live
    assert adaptation.title == "Trygg hemgång (Nässjö kommun)"
    assert adaptation.slug == "trygg-hemgang"  # free in the Nässjö section
    assert adaptation.status == "planned"
    assert adaptation.start_date is None and adaptation.end_date is None
    assert len(adaptation.pdsa_cycles) == 0
    assert getattr(adaptation, "pdsa_decisions", "") == ""  # the decisions filter agrees
    assert len(adaptation.contacts) == 0
    assert len(adaptation.change_ideas) == len(original.change_ideas) > 0
    assert [m.value["name"] for m in adaptation.measures] == ["Återinskrivningar"]
    assert list(adaptation.measures[0].value["data_points"]) == []
    assert adaptation.measures[0].value["unit"] == original.measures[0].value["unit"]
    # The original is untouched.
    original.refresh_from_db()
    assert original.live
    assert len(original.pdsa_cycles) == 1
    assert len(original.measures[0].value["data_points"]) == 2
    # The coach can open the draft (it is in their own section).
    assert coach.get(response["Location"]).status_code == 200


def test_a_second_adaptation_gets_a_free_slug(coach, site_tree, original):
    coach.post(adapt_url(original), {"section": site_tree.nassjo.pk})
    coach.post(adapt_url(original), {"section": site_tree.nassjo.pk})
    slugs = sorted(
        ImprovementProjectPage.objects.filter(adapted_from=original).values_list("slug", flat=True)
    )
    assert slugs == ["trygg-hemgang", "trygg-hemgang-2"]


def test_coach_cannot_adapt_into_another_section(coach, site_tree, original):
    response = coach.post(adapt_url(original), {"section": site_tree.eksjo.pk})
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not ImprovementProjectPage.objects.filter(adapted_from=original).exists()
    assert ImprovementProjectPage.objects.count() == 1


def test_user_without_any_section_is_refused(client, groups, django_user_model, original):
    user = django_user_model.objects.create_user("reader", "r@example.se", "pw-for-tests")
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    user.user_permissions.add(admin_access)  # admin access, no section
    client.force_login(user)
    assert client.get(adapt_url(original)).status_code in (302, 403)
    assert not ImprovementProjectPage.objects.filter(adapted_from=original).exists()


def test_anonymous_is_sent_to_login(client, site_tree, original):
    response = client.post(adapt_url(original), {"section": site_tree.nassjo.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert not ImprovementProjectPage.objects.filter(adapted_from=original).exists()


def test_a_page_that_is_not_a_live_project_is_404(coach, site_tree, original):
    story = factories.CaseStoryPageFactory(parent=site_tree.eksjo)
    # follow=True: LocaleMiddleware first retries a 404 under the /sv/ prefix.
    assert coach.get(adapt_url(story), follow=True).status_code == 404
    original.unpublish()
    assert coach.get(adapt_url(original), follow=True).status_code == 404


def test_original_shows_the_published_adaptation(coach, client, admin_user, site_tree, original):
    coach.post(adapt_url(original), {"section": site_tree.nassjo.pk})
    adaptation = ImprovementProjectPage.objects.get(adapted_from=original)
    client.logout()
    # A draft adaptation is not shown.
    assert "Nässjö kommun" not in client.get(original.url).content.decode()

    adaptation.save_revision(user=admin_user).publish(user=admin_user)
    adaptation.refresh_from_db()
    html = client.get(original.url).content.decode()
    assert "Nässjö kommun" in html
    assert f'href="{adaptation.url}"' in html
    # And the adaptation links back to the original.
    assert f'href="{original.url}"' in client.get(adaptation.url).content.decode()


def test_adapt_link_on_the_public_page(coach, client, site_tree, original):
    link = f'href="{adapt_url(original)}"'
    assert link in coach.get(original.url).content.decode()
    coach.logout()
    assert link not in client.get(original.url).content.decode()


def test_admin_listing_and_header_offer_adapt(admin_client, site_tree, original):
    url = adapt_url(original).encode()
    explore = admin_client.get(reverse("wagtailadmin_explore", args=[site_tree.eksjo.pk]))
    assert url in explore.content
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[original.pk]))
    assert url in edit.content
    section = admin_client.get(reverse("wagtailadmin_pages:edit", args=[site_tree.eksjo.pk]))
    assert b"/admin/adapt/" not in section.content
