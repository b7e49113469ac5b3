"""Template tags for 'Adapt this project' on the public project page."""

from __future__ import annotations

from django import template
from django.urls import reverse

from cms.knowledge.adapt import user_can_adapt

register = template.Library()


@register.simple_tag(takes_context=True)
def adapt_project_url(context, page) -> str:
    """The admin URL to adapt ``page``, or "" if the current user cannot adapt it anywhere.

    Anonymous visitors always get "" without a database query.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if not user_can_adapt(user, page):
        return ""
    return reverse("knowledge_adapt_project", args=[page.pk])
