"""Security headers Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

Registered in production only (cms/settings/production.py). The public site gets a strict,
self-only policy (it has no inline scripts or style attributes; its SVG is inline markup, which
CSP does not restrict). Wagtail's and Django's admins use inline scripts and styles, so paths
under ``CSP_ADMIN_PATH_PREFIXES`` get ``CONTENT_SECURITY_POLICY_ADMIN`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.public_policy = _policy(settings.CONTENT_SECURITY_POLICY)
        self.admin_policy = _policy(settings.CONTENT_SECURITY_POLICY_ADMIN)
        self.admin_prefixes = tuple(settings.CSP_ADMIN_PATH_PREFIXES)
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_admin = request.path.startswith(self.admin_prefixes)
        response.headers.setdefault(
            "Content-Security-Policy", self.admin_policy if is_admin else self.public_policy
        )
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
