"""Admin view for 'Adapt this project' (see ``cms.knowledge.adapt``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.knowledge.adapt import adapt_project, sections_user_can_adapt_into
from cms.knowledge.models import ImprovementProjectPage


class AdaptProjectForm(forms.Form):
    section = forms.TypedChoiceField(
        label=gettext_lazy("Municipality section"),
        coerce=int,
        help_text=gettext_lazy(
            "The copy is created as a draft in this section, linked to the original project."
        ),
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {section.pk: section for section in sections}
        self.fields["section"].choices = [
            (section.pk, section.organisation.label if section.organisation else section.title)
            for section in sections
        ]
        if len(sections) == 1:
            self.fields["section"].initial = sections[0].pk


def adapt_project_view(request: HttpRequest, page_id: int) -> HttpResponse:
    project = ImprovementProjectPage.objects.live().filter(pk=page_id).first()
    if project is None:
        raise Http404
    sections = sections_user_can_adapt_into(request.user)
    if not sections:
        raise PermissionDenied
    if request.method == "POST":
        allowed_ids = {section.pk for section in sections}
        requested = request.POST.get("section", "")
        if requested.isdigit() and int(requested) not in allowed_ids:
            # A real section the user may not add to: refuse outright, create nothing.
            raise PermissionDenied
        form = AdaptProjectForm(request.POST, sections=sections)
        if form.is_valid():
            section = form.sections[form.cleaned_data["section"]]
            adaptation = adapt_project(project, section, request.user)
            messages.success(
                request,
                _(
                    "'%(title)s' was copied as a draft to %(section)s. Make it your own, then "
                    "submit it for review."
                )
                % {"title": project.title, "section": section.title},
            )
            return redirect("wagtailadmin_pages:edit", adaptation.pk)
    else:
        form = AdaptProjectForm(sections=sections)
    return TemplateResponse(
        request,
        "knowledge/admin/adapt_project.html",
        {
            "page": project,
            "form": form,
            "page_title": _("Adapt this project"),
            "header_title": _("Adapt '%(title)s'") % {"title": project.title},
            "cancel_url": reverse("wagtailadmin_explore", args=[project.get_parent().pk]),
        },
    )
