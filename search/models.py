"""Search's own tables: the database backend's index, the glossary and search analytics."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class SearchEntry(models.Model):
    """One indexed knowledge page in the database backend."""

    page = models.OneToOneField(
        "knowledge.KnowledgePage", on_delete=models.CASCADE, related_name="search_entry"
    )
    language = models.CharField(max_length=8, db_index=True)
    text = models.TextField(help_text="Summary and body text, for highlighted snippets.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "search index entry"
        verbose_name_plural = "search index entries"

    def __str__(self) -> str:
        return f"search entry for page {self.page_id}"


def entry_rows(related_name: str) -> models.ForeignKey:
    """The link from an entry's many rows (its terms, its facet keys) to the entry.

    No index of its own: the (entry, …) constraint's index serves lookups by entry, and every
    index is maintained for each of the ~230 terms a page adds (docs/benchmarks.md). No
    database constraint either: PostgreSQL checked it for every row when a batch committed, a
    fifth of a rebuild (1.6 of 8 s for 2,000 pages). Nothing but the index writes these rows,
    always before the entries on removal, and Django still cascades a deleted entry (or page)
    to them.
    """
    return models.ForeignKey(
        SearchEntry,
        on_delete=models.CASCADE,
        related_name=related_name,
        db_index=False,
        db_constraint=False,
    )


class SearchTerm(models.Model):
    """An analysed term of an entry with its weight (field boosts × damped frequency)."""

    entry = entry_rows("terms")
    term = models.CharField(max_length=100)
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "term"], name="unique_term_per_entry")
        ]
        indexes = [models.Index(fields=["term", "entry"], name="search_term_lookup")]

    def __str__(self) -> str:
        return self.term


class SearchFacet(models.Model):
    """A facet value of an entry's page as a key ("theme:egenvard", "year:2024").

    A search counts every facet from these in one ``GROUP BY`` over the matches, not one join
    of them with the page tables per dimension (``search.facet_keys``).
    """

    entry = entry_rows("facet_keys")
    key = models.CharField(max_length=200)  # "municipality:" and a 120-character slug fit

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "key"], name="unique_facet_key_per_entry")
        ]

    def __str__(self) -> str:
        return self.key


class SearchWord(models.Model):
    """Surface words seen in indexed text: the vocabulary for "did you mean"."""

    word = models.CharField(max_length=100, primary_key=True)

    def __str__(self) -> str:
        return self.word


class PendingIndexChange(models.Model):
    """A page whose engine index entry could not be updated (engine down): synced later.

    Only the page id is kept; at sync time the page is indexed if it is live, removed if not,
    so the newest state wins however many changes piled up.
    """

    page_id = models.PositiveBigIntegerField(unique=True)
    queued_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"pending index change for page {self.page_id}"


class GlossaryTerm(models.Model):
    """A Swedish term and its English equivalent: search synonyms in both directions."""

    swedish = models.CharField(_("Swedish"), max_length=100, unique=True)
    english = models.CharField(_("English"), max_length=100)
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [FieldPanel("swedish"), FieldPanel("english"), FieldPanel("note")]

    class Meta:
        ordering = ["swedish"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")

    def __str__(self) -> str:
        return f"{self.swedish} ↔ {self.english}"


class SearchLogEntry(models.Model):
    """How often a query was searched on a day, and how often it found nothing.

    Only the normalised query text is stored: no IP address, user or session.
    """

    day = models.DateField(db_index=True)
    language = models.CharField(max_length=8)
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "language", "query"], name="one_log_row_per_query_and_day"
            )
        ]
        verbose_name = _("search log entry")

    def __str__(self) -> str:
        return f"{self.day} {self.language} {self.query!r}"
