"""Create the editor groups, their permissions and the Qulturum review workflow.

Safe to run again: existing groups, collections, permissions and the workflow are reused, and
only what is missing is added. For every organisation with a section page there is a group
"Coaches – <organisation>" whose members may add and change pages in that section (never
publish, bulk-delete or lock), and submit them to the "Qulturum review" workflow. The group
"Qulturum editors" may edit and publish the whole site and approves the workflow's one task.

Images and documents: each organisation gets its own collection. Coaches may add, change and
choose in their own collection, and choose (only) from every collection, so they can reuse
the region's shared pictures and templates but cannot change another municipality's files.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.browse.models import SectionPage
from cms.home.models import HomePage
from cms.taxonomy.models import Organisation, Theme
from search.models import GlossaryTerm, SearchLogEntry

COACH_GROUP = "Coaches – {name}"
EDITORS_GROUP = "Qulturum editors"
WORKFLOW = "Qulturum review"
TASK = "Qulturum approval"

COACH_PAGE_PERMISSIONS = ("add_page", "change_page")
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# Page permissions a coach group must never hold on its own section.
COACH_FORBIDDEN_PAGE_PERMISSIONS = ("publish_page", "bulk_delete_page", "lock_page", "unlock_page")

COACH_MEDIA_ACTIONS = ("add", "change", "choose")
COACH_SHARED_MEDIA_ACTIONS = ("choose",)
EDITOR_MEDIA_ACTIONS = ("add", "change", "delete", "choose")
EDITOR_SNIPPET_ACTIONS = ("add", "change", "delete", "view")


def _permission(model, codename: str) -> Permission:
    content_type = ContentType.objects.get_for_model(model)
    return Permission.objects.get(content_type=content_type, codename=codename)


def _media_permission(model, action: str) -> Permission:
    """The collection permission for an image or document action.

    Wagtail's image and document choosers ask for "choose_<model>", which Wagtail defines only
    for its own Image and Document models; the project's custom models (media.EstherImage,
    media.EstherDocument) do not declare it, so it is created here when missing.
    """
    codename = f"{action}_{model._meta.model_name}"
    if action != "choose":
        return _permission(model, codename)
    permission, _ = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(model),
        codename=codename,
        defaults={"name": f"Can choose {model._meta.verbose_name_raw}"},
    )
    return permission


def _admin_access() -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


class Command(BaseCommand):
    help = (
        "Create (or complete) the coach group of every municipality section, the Qulturum "
        "editors group and the Qulturum review workflow. Safe to run again."
    )

    def handle(self, *args, **options):
        self.changes: list[str] = []
        with transaction.atomic():
            editors = self._editors_group()
            for section in SectionPage.objects.filter(organisation__isnull=False).select_related(
                "organisation"
            ):
                self._coach_group(section.organisation, section)
            self._workflow(editors)
        for line in self.changes:
            self.stdout.write(line)
        if not self.changes:
            self.stdout.write("Editor groups and workflow are up to date; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(self.changes)} change(s) made."))

    # Helpers -----------------------------------------------------------------------------

    def _note(self, message: str) -> None:
        self.changes.append(message)

    def _group(self, name: str) -> Group:
        group, created = Group.objects.get_or_create(name=name)
        if created:
            self._note(f"Created group {name!r}")
        if not group.permissions.filter(pk=_admin_access().pk).exists():
            group.permissions.add(_admin_access())
            self._note(f"Gave {name!r} access to the Wagtail admin")
        return group

    def _page_permissions(self, group: Group, page: Page, codenames) -> None:
        for codename in codenames:
            _, created = GroupPagePermission.objects.get_or_create(
                group=group, page=page, permission=_permission(Page, codename)
            )
            if created:
                self._note(f"Gave {group.name!r} {codename} on page {page.title!r}")

    def _collection_permissions(self, group: Group, collection: Collection, actions) -> None:
        for model in (get_image_model(), get_document_model()):
            for action in actions:
                permission = _media_permission(model, action)
                _, created = GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )
                if created:
                    self._note(
                        f"Gave {group.name!r} {permission.codename} "
                        f"in collection {collection.name!r}"
                    )

    def _collection(self, name: str) -> Collection:
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=name).first()
        if collection is None:
            collection = root.add_child(name=name)
            self._note(f"Created collection {name!r}")
        return collection

    # Groups ------------------------------------------------------------------------------

    def _coach_group(self, organisation: Organisation, section: SectionPage) -> Group:
        group = self._group(COACH_GROUP.format(name=organisation.name))
        # A translated copy of the section (if the site ever gets one) belongs to the same coaches.
        for page in section.get_translations(inclusive=True):
            self._page_permissions(group, page, COACH_PAGE_PERMISSIONS)
            removed, _ = GroupPagePermission.objects.filter(
                group=group, page=page, permission__codename__in=COACH_FORBIDDEN_PAGE_PERMISSIONS
            ).delete()
            if removed:
                self._note(
                    f"Removed {removed} publish/delete/lock permission(s) of {group.name!r} "
                    f"on page {page.title!r}"
                )
        self._collection_permissions(
            group, self._collection(organisation.name), COACH_MEDIA_ACTIONS
        )
        self._collection_permissions(
            group, Collection.get_first_root_node(), COACH_SHARED_MEDIA_ACTIONS
        )
        return group

    def _editors_group(self) -> Group:
        group = self._group(EDITORS_GROUP)
        for home in HomePage.objects.all():
            self._page_permissions(group, home, EDITOR_PAGE_PERMISSIONS)
        self._collection_permissions(group, Collection.get_first_root_node(), EDITOR_MEDIA_ACTIONS)
        model_permissions = [
            _permission(model, f"{action}_{model._meta.model_name}")
            for model in (Theme, Organisation, GlossaryTerm)
            for action in EDITOR_SNIPPET_ACTIONS
        ]
        model_permissions.append(_permission(SearchLogEntry, "view_searchlogentry"))
        for permission in model_permissions:
            if not group.permissions.filter(pk=permission.pk).exists():
                group.permissions.add(permission)
                self._note(
                    f"Gave {group.name!r} {permission.content_type.app_label}.{permission.codename}"
                )
        return group

    # Workflow ----------------------------------------------------------------------------

    def _workflow(self, editors: Group) -> None:
        workflow, created = Workflow.objects.get_or_create(name=WORKFLOW)
        if created:
            self._note(f"Created workflow {WORKFLOW!r}")
        elif not workflow.active:
            workflow.active = True
            workflow.save(update_fields=["active"])
            self._note(f"Re-enabled workflow {WORKFLOW!r}")

        task = GroupApprovalTask.objects.filter(name=TASK).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=TASK)
            self._note(f"Created task {TASK!r}")
        elif not task.active:
            task.active = True
            task.save(update_fields=["active"])
            self._note(f"Re-enabled task {TASK!r}")
        if not task.groups.filter(pk=editors.pk).exists():
            task.groups.add(editors)
            self._note(f"Assigned task {TASK!r} to {editors.name!r}")

        if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
            position = WorkflowTask.objects.filter(workflow=workflow).count()
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=position)
            self._note(f"Added task {TASK!r} to workflow {WORKFLOW!r}")

        for home in HomePage.objects.all():
            link = WorkflowPage.objects.filter(page=home).first()
            if link is None:
                WorkflowPage.objects.create(page=home, workflow=workflow)
                self._note(f"Attached workflow {WORKFLOW!r} to page {home.title!r}")
            elif link.workflow_id != workflow.pk:
                link.workflow = workflow
                link.save(update_fields=["workflow"])
                self._note(f"Replaced the workflow on page {home.title!r} with {WORKFLOW!r}")
