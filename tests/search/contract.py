"""The search contract: the same queries and assertions for every backend.

Each backend's test class loads the demo content, builds its index and runs these tests, so a
backend passes only if it behaves like the others on real content in Swedish and English.
"""

from __future__ import annotations

import io

from django.core.management import call_command
from django.http import QueryDict
from django.utils import translation
from wagtail.models import Locale, Page

from cms.interchange.translations import synchronise_locales
from cms.knowledge.facets import Filters, compute_facets
from cms.knowledge.models import KnowledgePage
from search.backends.base import SearchBackend
from search.query import MAX_QUERY_LENGTH, SearchQuery


def ask(backend: SearchBackend, params: str, language: str = "sv"):
    return backend.search(SearchQuery.from_params(QueryDict(params), language=language))


def slugs(results) -> list[str]:
    return [hit.page.slug for hit in results.hits]


# Queries with at most 50 matches in the demo, and filters of one, two and three dimensions.
FACET_CASES = (
    ("vårdövergång", ""),
    ("hemgång", "theme=aldres-vard"),
    ("esther", "type=project&decision=adopt"),
    ("trygg hemgång", "theme=aldres-vard&theme=vardovergangar&year=2023&status=completed"),
)


# A demo page whose English translation the contract removes: it stands for Swedish work nobody
# has translated yet, which English visitors reach through its alias in the English tree.
SWEDISH_ONLY = "overrapportering-vid-vardovergang"


def make_swedish_only(slug: str) -> None:
    source = Page.objects.get(slug=slug, locale=Locale.get_default())
    source.get_translation(Locale.objects.get(language_code="en")).delete()
    synchronise_locales()


class SearchContract:
    """Mixin for a django TestCase; subclasses provide ``make_backend`` and index the demo."""

    @classmethod
    def make_backend(cls) -> SearchBackend:
        raise NotImplementedError

    @property
    def backend(self) -> SearchBackend:
        # Made per test: Django deep-copies class-level test data, and a client holds sockets.
        return self.make_backend()

    @classmethod
    def build_index(cls) -> None:
        call_command("rebuild_search_index", stdout=io.StringIO())

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        make_swedish_only(SWEDISH_ONLY)
        cls.build_index()

    # Swedish analysis --------------------------------------------------------------------------

    def test_inflected_forms_find_the_same_work(self):
        base = ask(self.backend, "q=vårdövergång&page_size=50")
        inflected = ask(self.backend, "q=vårdövergångarna&page_size=50")
        self.assertGreater(base.total, 5)
        self.assertEqual(set(slugs(base)), set(slugs(inflected)))
        self.assertIn("overrapportering-vid-vardovergang", slugs(base))

    def test_a_part_of_a_compound_finds_the_compound(self):
        results = ask(self.backend, "q=dialys&page_size=50")
        self.assertIn("egenvardsdialys-dialysenheterna", slugs(results))
        self.assertIn("egenvardsdialys-hemma-i-habo", slugs(results))

    def test_a_misspelling_is_corrected_and_answered(self):
        results = ask(self.backend, "q=egenvårdsdialis")
        self.assertEqual(results.suggestion, "egenvårdsdialys")
        self.assertIn(
            "egenvardsdialys-dialysenheterna",
            slugs(ask(self.backend, "q=egenvårdsdialis&page_size=50")),
        )

    def test_swedish_letters_are_not_folded(self):
        # "hemgang" is not "hemgång": it only matches through the suggestion, never directly.
        results = ask(self.backend, "q=hemgang")
        self.assertTrue(results.total == 0 or results.suggestion == "hemgång")

    def test_highlight_marks_the_matching_words(self):
        results = ask(self.backend, "q=patientkontrakt")
        self.assertGreater(results.total, 0)
        self.assertIn("<mark>", results.hits[0].highlight)
        self.assertNotIn("<script", "".join(hit.highlight for hit in results.hits))

    # English -----------------------------------------------------------------------------------

    def test_english_query_finds_swedish_work_through_the_glossary(self):
        results = ask(self.backend, "q=care transitions&page_size=50", language="en")
        # This Swedish-only page's English summary never says "transition": only the glossary
        # connects the English words to its Swedish text ("vårdövergång").
        hit = next(hit.page for hit in results.hits if hit.page.slug == SWEDISH_ONLY)
        self.assertEqual(hit.locale.language_code, "en")
        self.assertIsNotNone(hit.alias_of_id)  # listed in English, shown in Swedish

    def test_english_query_finds_swedish_work_through_its_english_summary(self):
        results = ask(self.backend, "q=role play&page_size=50", language="en")
        self.assertIn(SWEDISH_ONLY, slugs(results))

    def test_english_query_runs_on_english_pages_with_english_analysis(self):
        # "readmissions" meets "readmitted"/"readmission" in the English translation's text.
        results = ask(self.backend, "q=readmissions&page_size=50", language="en")
        self.assertIn("safe-discharge-frail-older-people", slugs(results))
        self.assertNotIn("trygg-hemgang-skora-aldre", slugs(results))
        self.assertEqual({hit.page.locale.language_code for hit in results.hits}, {"en"})

    def test_english_results_are_highlighted_in_english_and_swedish_pages(self):
        translated = ask(self.backend, "q=readmissions&page_size=50", language="en")
        page = next(
            hit for hit in translated.hits if hit.page.slug == "safe-discharge-frail-older-people"
        )
        self.assertIn("<mark>", page.highlight)  # "readmitted", from its English text
        untranslated = ask(self.backend, "q=role play&page_size=50", language="en")
        alias = next(hit for hit in untranslated.hits if hit.page.slug == SWEDISH_ONLY)
        self.assertIn("<mark>", alias.highlight)  # from its English summary

    def test_each_language_lists_its_own_pages_once(self):
        swedish = ask(self.backend, "q=dialys&page_size=50")
        english = ask(self.backend, "q=dialysis&page_size=50", language="en")
        self.assertEqual({hit.page.locale.language_code for hit in swedish.hits}, {"sv"})
        self.assertIn("self-dialysis-county-dialysis-units", slugs(english))
        self.assertEqual(len(slugs(english)), len(set(slugs(english))))

    # Filters, facets, paging, sorting ----------------------------------------------------------

    def test_theme_filter_combined_with_text(self):
        everything = ask(self.backend, "q=trygg hemgång")
        filtered = ask(self.backend, "q=trygg hemgång&theme=aldres-vard&page_size=50")
        self.assertLess(filtered.total, everything.total)
        self.assertGreater(filtered.total, 0)
        for hit in filtered.hits:
            self.assertIn("aldres-vard", [theme.slug for theme in hit.page.themes.all()])
        themes = {facet.name: facet for facet in filtered.facets}["theme"]
        counts = {value.value: value.count for value in themes.values}
        # The theme facet ignores the theme filter itself: its count for the chosen theme is
        # the filtered total, and other themes still show what choosing them would give.
        self.assertEqual(counts["aldres-vard"], filtered.total)
        self.assertEqual(
            counts["vardovergangar"],
            ask(self.backend, "q=trygg hemgång&theme=vardovergangar").total,
        )

    def test_facets_count_what_the_page_tables_count(self):
        # Both backends count facets from keys stored in their index (search.facet_keys); the
        # listings count through the page tables. The two must agree, filtered or not.
        for text, filters in FACET_CASES:
            with self.subTest(q=text, filters=filters):
                unfiltered = ask(self.backend, f"q={text}&page_size=50")
                self.assertLessEqual(unfiltered.total, 50, "the case must fit on one page")
                results = ask(self.backend, f"q={text}&page_size=50&{filters}")
                matches = KnowledgePage.objects.filter(
                    pk__in=[hit.page.pk for hit in unfiltered.hits]
                )
                with translation.override("sv"):
                    expected = compute_facets(matches, Filters.from_params(QueryDict(filters)))
                self.assertEqual(
                    [(facet.name, facet.values) for facet in results.facets],
                    [(facet.name, facet.values) for facet in expected],
                )

    def test_type_facet_counts_add_up_to_the_total(self):
        results = ask(self.backend, "q=esther")
        types = {facet.name: facet for facet in results.facets}["type"]
        self.assertEqual(sum(value.count for value in types.values), results.total)

    def test_filters_without_text(self):
        results = ask(self.backend, "type=story&page_size=50")
        self.assertEqual(results.total, 11)
        self.assertEqual({hit.page.kind for hit in results.hits}, {"story"})

    def test_status_and_year_filters(self):
        results = ask(self.backend, "status=completed&year=2022&page_size=50")
        self.assertGreater(results.total, 0)
        for hit in results.hits:
            self.assertEqual(hit.page.specific.status, "completed")
            self.assertEqual(hit.page.date.year, 2022)

    def test_decision_filter_finds_what_did_not_work(self):
        results = ask(self.backend, "type=project&decision=abandon&page_size=50")
        self.assertGreater(results.total, 0)
        for hit in results.hits:
            self.assertEqual(hit.page.kind, "project")
            self.assertIn("abandon", hit.page.specific.decisions)
        decisions = {facet.name: facet for facet in results.facets}["decision"]
        self.assertEqual([value.value for value in decisions.values], ["adopt", "adapt", "abandon"])
        counts = {value.value: value.count for value in decisions.values}
        self.assertEqual(counts["abandon"], results.total)
        self.assertTrue({value.value: value.selected for value in decisions.values}["abandon"])
        # The other decisions count what choosing them instead would give.
        adopted = ask(self.backend, "type=project&decision=adopt&page_size=50")
        self.assertEqual(counts["adopt"], adopted.total)
        # Combined with text: a subset of the text matches, still only abandoned changes.
        text = ask(self.backend, "q=vårdövergång&page_size=50")
        combined = ask(self.backend, "q=vårdövergång&decision=abandon&page_size=50")
        self.assertGreater(combined.total, 0)
        self.assertLessEqual(combined.total, text.total)
        self.assertTrue(set(slugs(combined)) <= set(slugs(text)))
        for hit in combined.hits:
            self.assertIn("abandon", hit.page.specific.decisions)

    def test_paging_is_done_in_the_engine(self):
        first = ask(self.backend, "q=vårdövergång&page_size=5")
        second = ask(self.backend, "q=vårdövergång&page_size=5&page=2")
        self.assertEqual(len(first.hits), 5)
        self.assertEqual(first.total, second.total)
        self.assertFalse(set(slugs(first)) & set(slugs(second)))
        beyond = ask(self.backend, "q=vårdövergång&page=99999")
        self.assertEqual(beyond.hits, [])
        self.assertEqual(beyond.total, first.total)

    def test_newest_first(self):
        results = ask(self.backend, "q=vårdövergång&sort=newest&page_size=50")
        dates = [hit.page.date for hit in results.hits]
        self.assertEqual(dates, sorted(dates, reverse=True))

    # Hostile input -----------------------------------------------------------------------------

    def test_hostile_input_gets_an_answer(self):
        for text in (
            "x" * 5000,
            "<script>alert(1)</script>",
            "' OR 1=1; DROP TABLE wagtailcore_page; --",
            "vård\u0000\u202e\u200bövergång",
            "🙂🙂 ÅÄÖ åäö ﬁ",
            "((((([[[[{{{{",
            'title:"x" AND body:y~2 OR /regex.*/',
            "*",
        ):
            with self.subTest(text=text[:30]):
                results = ask(
                    self.backend, "q=" + text.replace("&", "%26")[: MAX_QUERY_LENGTH * 30]
                )
                self.assertGreaterEqual(results.total, 0)

    def test_unknown_facet_values_are_ignored_not_fatal(self):
        results = ask(self.backend, "q=dialys&theme=finns-inte&type=bogus&year=abc")
        self.assertGreater(results.total, 0)
