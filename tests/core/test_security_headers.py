"""Production security headers: a strict CSP on the public site, a looser one for the admin."""

from __future__ import annotations

import importlib.util
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = (
    "MIDDLEWARE",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_ADMIN",
    "CSP_ADMIN_PATH_PREFIXES",
    "PERMISSIONS_POLICY",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
)


@pytest.fixture(scope="module")
def production():
    """cms.settings.production loaded as a separate module (it needs a secret key to import)."""
    from cms.settings import base

    with pytest.MonkeyPatch.context() as patch:
        # base is already imported (without a key), so patch its attribute, not just the env.
        patch.setattr(base, "SECRET_KEY", "security-headers-test-only")
        patch.setenv("DJANGO_SECRET_KEY", "security-headers-test-only")
        spec = importlib.util.find_spec("cms.settings.production")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def production_headers(production, tmp_path):
    overrides = {name: getattr(production, name) for name in SECURITY_SETTINGS}
    (tmp_path / "static").mkdir()  # WhiteNoise warns about a missing STATIC_ROOT
    with override_settings(**overrides, STATIC_ROOT=tmp_path / "static"):
        yield production


def directives(header: str) -> dict[str, str]:
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in header.split(";"))
    }


def test_production_registers_the_security_headers_middleware(production):
    assert "cms.core.middleware.SecurityHeadersMiddleware" in production.MIDDLEWARE


def test_public_page_gets_strict_csp_and_the_other_headers(client, site_tree, production_headers):
    project = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, themes=[site_tree.transitions]
    )
    for url in (project.url, site_tree.listing.url, "/sv/sok/?q=hem"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = directives(response.headers["Content-Security-Policy"])
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        assert csp["object-src"] == "'none'"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        permissions = response.headers["Permissions-Policy"]
        assert "camera=()" in permissions and "geolocation=()" in permissions


def test_public_pages_have_no_inline_script_or_style_the_csp_would_block(
    client, site_tree, production_headers
):
    """The strict policy is only safe if the templates really have nothing inline."""
    project = factories.ImprovementProjectPageFactory(parent=site_tree.eksjo)
    story = factories.CaseStoryPageFactory(parent=site_tree.nassjo)
    for url in (project.url, story.url, site_tree.home.url, site_tree.listing.url, "/sv/sok/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_admin_still_loads_with_its_looser_policy(
    client, site_tree, django_user_model, production_headers
):
    user = django_user_model.objects.create_superuser("redaktor", "r@example.se", "pw")
    client.force_login(user)
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[site_tree.home.pk]),
        reverse("wagtailadmin_pages:edit", args=[site_tree.home.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = directives(response.headers["Content-Security-Policy"])
        assert "'unsafe-inline'" in csp["script-src"]
        assert "'unsafe-inline'" in csp["style-src"]
        assert csp["object-src"] == "'none'"
    assert client.get("/admin/login/").status_code in (200, 302)
