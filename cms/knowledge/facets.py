"""Filtering and facet counts over knowledge pages.

One implementation serves the listing pages and the database search backend, so a count shown
next to a filter is always the number of results that clicking it gives. Each facet is counted
with every *other* active filter applied (within a dimension values are OR-ed, across
dimensions AND-ed), which is what users expect from faceted navigation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Expression, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cms.core.pagecache import per_generation
from cms.knowledge.blocks import PDSACycleBlock
from cms.knowledge.models.base import KnowledgePage
from cms.knowledge.models.project import ImprovementProjectPage, ProjectStatus
from cms.knowledge.models.story import CaseStoryPage
from cms.knowledge.models.training import TrainingMaterialPage
from cms.taxonomy.models import Organisation, Theme

KIND_MODELS: dict[str, type[KnowledgePage]] = {
    "project": ImprovementProjectPage,
    "training": TrainingMaterialPage,
    "story": CaseStoryPage,
}
DIMENSIONS = ("theme", "municipality", "type", "status", "decision", "year")
# The PDSA decisions a project can record, in the order the block offers them.
DECISIONS = tuple(value for value, _label in PDSACycleBlock.DECISIONS)
# Listed even at count 0: a short, fixed set, and "abandon" is what people look for.
ALWAYS_LISTED = ("theme", "type", "decision")
DIMENSION_LABELS = {
    "theme": _("Theme"),
    "municipality": _("Municipality"),
    "type": _("Type"),
    "status": _("Project status"),
    "decision": _("PDSA decision"),
    "year": _("Year"),
}
MAX_VALUES_PER_DIMENSION = 50
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class Filters:
    """The active filter values per dimension, already validated."""

    theme: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    decision: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params: Mapping[str, Iterable[str]] | object) -> Filters:
        """Parse a QueryDict (or dict of lists); values that cannot match are dropped.

        Unknown values are kept in ``ignored`` so the page can say what it did not understand
        instead of silently showing everything or failing.
        """
        getlist = getattr(params, "getlist", None) or (lambda key: list(params.get(key, [])))
        ignored: list[str] = []

        def strings(key: str, allowed: set[str] | None = None) -> tuple[str, ...]:
            values: list[str] = []
            for raw in getlist(key)[:MAX_VALUES_PER_DIMENSION]:
                # No control characters: they can never be part of a slug or year, and
                # PostgreSQL rejects NUL in text parameters (SQLite silently accepts it).
                value = "".join(char for char in str(raw) if char.isprintable() or char == " ")
                value = value.strip()[:100]
                if not value:
                    continue
                if allowed is not None and value not in allowed:
                    ignored.append(f"{key}={value}")
                    continue
                if value not in values:
                    values.append(value)
            return tuple(values)

        years: list[int] = []
        for raw in strings("year"):
            # isdecimal, not isdigit: "²" is a digit that int() rejects.
            if raw.isdecimal() and MIN_YEAR <= int(raw) <= MAX_YEAR:
                years.append(int(raw))
            else:
                ignored.append(f"year={raw}")

        return cls(
            theme=strings("theme"),
            municipality=strings("municipality"),
            type=strings("type", set(KIND_MODELS)),
            status=strings("status", set(ProjectStatus.values)),
            decision=strings("decision", set(DECISIONS)),
            year=tuple(years),
            ignored=tuple(ignored),
        )

    def known_only(self) -> Filters:
        """Drop theme and municipality slugs that do not exist, reporting them as ignored."""
        known_themes = {theme.slug for theme in _themes()}
        known_organisations = _organisations()
        unknown = [f"theme={slug}" for slug in self.theme if slug not in known_themes] + [
            f"municipality={slug}" for slug in self.municipality if slug not in known_organisations
        ]
        if not unknown:
            return self
        return replace(
            self,
            theme=tuple(slug for slug in self.theme if slug in known_themes),
            municipality=tuple(slug for slug in self.municipality if slug in known_organisations),
            ignored=(*self.ignored, *unknown),
        )

    def without(self, dimension: str) -> Filters:
        return replace(self, **{dimension: ()})

    def with_fixed(self, **fixed: tuple) -> Filters:
        return replace(self, **fixed)

    def without_all(self, dimensions: Iterable[str]) -> Filters:
        return replace(self, **dict.fromkeys(dimensions, ()))

    @property
    def is_active(self) -> bool:
        return any(getattr(self, dimension) for dimension in DIMENSIONS)

    def apply(self, queryset: QuerySet[KnowledgePage]) -> QuerySet[KnowledgePage]:
        if self.theme:
            links = KnowledgePage.themes.through.objects.filter(
                knowledgepage_id=OuterRef("pk"), theme__slug__in=self.theme
            )
            queryset = queryset.filter(Exists(links))
        if self.municipality:
            queryset = queryset.filter(municipality__slug__in=self.municipality)
        if self.type:
            queryset = queryset.filter(
                content_type__in=[kind_content_type(kind) for kind in self.type]
            )
        if self.status:
            queryset = queryset.filter(improvementprojectpage__status__in=self.status)
        if self.decision:
            queryset = queryset.filter(decision_condition(self.decision))
        if self.year:
            queryset = queryset.filter(date__year__in=self.year)
        return queryset

    def as_params(self) -> list[tuple[str, str]]:
        return [
            (dimension, str(value))
            for dimension in DIMENSIONS
            for value in getattr(self, dimension)
        ]

    def query_string(self, **extra: str) -> str:
        return urlencode([*self.as_params(), *extra.items()])


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    # The checkbox's HTML id, made here: the template filters that built it ("add" thrice,
    # "slugify" twice) were a tenth of a search page's rendering (docs/benchmarks.md).
    input_id: str = ""


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]

    @property
    def has_results(self) -> bool:
        return any(value.count for value in self.values)


def kind_content_type(kind: str) -> ContentType:
    return ContentType.objects.get_for_model(KIND_MODELS[kind])


def decision_condition(decisions: Iterable[str]) -> Q:
    """Projects with at least one PDSA cycle ending in any of ``decisions``.

    ``pdsa_decisions`` is comma-wrapped (",adopt,abandon,"), so the substring test is exact.
    """
    condition = Q()
    for decision in decisions:
        condition |= Q(improvementprojectpage__pdsa_decisions__contains=f",{decision},")
    return condition


def _counts(queryset: QuerySet, key: str | Expression, distinct: bool = False) -> dict:
    """Pages per value of ``key``. ``distinct`` only where the key's join can repeat a page
    (themes): COUNT(DISTINCT) sorts every matching row, a third of a database search's facet
    time at 10,000 pages (docs/benchmarks.md)."""
    expression = F(key) if isinstance(key, str) else key
    return {
        row["key"]: row["n"]
        for row in queryset.order_by()
        .values(key=expression)
        .annotate(n=Count("pk", distinct=distinct))
    }


def compute_facets(
    base: QuerySet[KnowledgePage], filters: Filters, dimensions: Iterable[str] = DIMENSIONS
) -> list[Facet]:
    """Count each dimension's values over ``base`` with the other active filters applied."""
    facets: list[Facet] = []
    for dimension in dimensions:
        scoped = filters.without(dimension).apply(base)
        selected = {str(value) for value in getattr(filters, dimension)}
        if dimension == "theme":
            counts = _counts(scoped, "themes__slug", distinct=True)
        elif dimension == "municipality":
            counts = _counts(scoped, "municipality__slug")
        elif dimension == "type":
            by_type = _counts(scoped, "content_type")
            counts = {kind: by_type.get(kind_content_type(kind).pk, 0) for kind in KIND_MODELS}
        elif dimension == "status":
            counts = _counts(
                scoped.filter(improvementprojectpage__isnull=False),
                "improvementprojectpage__status",
            )
        elif dimension == "decision":
            # One query for all decisions, not one count per decision.
            counts = scoped.aggregate(
                **{
                    decision: Count("pk", filter=decision_condition([decision]))
                    for decision in DECISIONS
                }
            )
        else:
            counts = {str(year): n for year, n in _counts(scoped, ExtractYear("date")).items()}
        facets.append(facet(dimension, counts, selected))
    return facets


@per_generation
def _themes() -> tuple[Theme, ...]:
    return tuple(Theme.objects.all())


@per_generation
def _organisations() -> dict[str, Organisation]:
    return {organisation.slug: organisation for organisation in Organisation.objects.all()}


def facet(dimension: str, counts: Mapping[str, int], selected: set[str]) -> Facet:
    """One dimension's facet from its counts (by value, as strings), whichever backend counted:
    the values with results, the selected ones, and every value of a short fixed dimension."""
    values = [
        FacetValue(
            value=str(value),
            label=str(label),
            count=counts.get(str(value), 0),
            selected=str(value) in selected,
            input_id=slugify(f"filter-{dimension}-{value}"),
        )
        for value, label in facet_options(dimension, counts, selected)
        if counts.get(str(value)) or str(value) in selected or dimension in ALWAYS_LISTED
    ]
    return Facet(name=dimension, label=str(DIMENSION_LABELS[dimension]), values=values)


def facet_options(dimension: str, counts: Mapping[str, int], selected: set[str]) -> list[tuple]:
    """The (value, label) options of a dimension, in display order, labels in the active
    language. Both search backends and the listings use it; the taxonomy comes from memory
    while no content changes (``per_generation``)."""
    if dimension == "theme":
        return [(theme.slug, theme.label) for theme in _themes()]
    if dimension == "municipality":
        organisations = _organisations()
        return sorted(
            (
                (slug, organisations[slug].label)
                for slug in {*counts, *selected}
                if slug in organisations
            ),
            key=lambda option: option[1],
        )
    if dimension == "type":
        return [
            (kind, model._meta.verbose_name_plural.capitalize())
            for kind, model in KIND_MODELS.items()
        ]
    if dimension == "status":
        return list(ProjectStatus.choices)
    if dimension == "decision":
        return list(PDSACycleBlock.DECISIONS)
    return [(year, year) for year in sorted({*counts, *selected}, reverse=True)]
