"""The search page, JSON API, autocomplete, analytics and editors' picks over real HTTP."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from cms.core.languages import content_language
from cms.knowledge.models import CaseStoryPage, KnowledgePage
from search.models import SearchLogEntry
from tests.search.contract import make_swedish_only


class SearchHttpTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        call_command("rebuild_search_index", stdout=io.StringIO())

    def test_search_page_shows_highlighted_results_and_facets(self):
        response = self.client.get("/sv/sok/", {"q": "dialys"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<mark>", html)
        self.assertIn("Egenvårdsdialys", html)
        self.assertIn('name="theme"', html)

    def test_search_page_without_a_query_is_a_friendly_empty_state(self):
        response = self.client.get("/sv/sok/")
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["results"])

    def test_every_page_has_a_search_box(self):
        html = self.client.get("/sv/").content.decode()
        self.assertIn('role="search"', html)
        self.assertIn('name="q"', html)

    def test_misspelling_offers_the_correction(self):
        response = self.client.get("/sv/sok/", {"q": "egenvårdsdialis"})
        self.assertEqual(response.context["results"].suggestion, "egenvårdsdialys")
        self.assertIn("egenvårdsdialys", response.content.decode())

    def test_json_api_answers_with_the_documented_shape(self):
        response = self.client.get(
            "/sv/api/search/", {"q": "dialys", "theme": "egenvard", "page_size": "2"}
        )
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(
            set(data),
            {
                "total",
                "page",
                "page_size",
                "pages",
                "hits",
                "facets",
                "suggestion",
                "elapsed_ms",
                "engine_took_ms",
                "backend",
                "fallback",
                "warnings",
                "query",
            },
        )
        self.assertLessEqual(len(data["hits"]), 2)
        self.assertEqual(
            set(data["facets"]), {"theme", "municipality", "type", "status", "decision", "year"}
        )
        hit = data["hits"][0]
        self.assertTrue(hit["url"].startswith("/sv/"))
        self.assertIn("<mark>", hit["highlight"])
        self.assertEqual(data["query"]["filters"]["theme"], ["egenvard"])

    def test_json_api_reports_what_it_ignored(self):
        response = self.client.get(
            "/sv/api/search/", {"q": "dialys", "page": "-1", "sort": "sideways", "year": "x"}
        )
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["page"], 1)
        self.assertIn("year=x", data["warnings"])
        self.assertIn("sort=sideways", data["warnings"])

    def test_hostile_parameters_never_give_a_server_error(self):
        for params in (
            {"q": "x" * 10000},
            {"q": "<script>alert(1)</script>"},
            {"q": "\x00\x01"},
            {"page": "99999999999999999999"},
            {"page_size": "-5"},
            {"theme": "'; DROP TABLE x; --"},
        ):
            for url in ("/sv/sok/", "/sv/api/search/", "/sv/api/autocomplete/"):
                with self.subTest(url=url, params=str(params)[:40]):
                    response = self.client.get(url, params)
                    self.assertEqual(response.status_code, 200)
                    if url == "/sv/sok/":  # the JSON endpoints return q as data, not HTML
                        self.assertNotIn("<script>alert(1)</script>", response.content.decode())

    def test_autocomplete_suggests_titles(self):
        response = self.client.get("/sv/api/autocomplete/", {"q": "Egenvårdsdia"})
        self.assertEqual(response.status_code, 200)
        titles = [item["title"] for item in response.json()["suggestions"]]
        self.assertTrue(titles)
        self.assertTrue(all("egenvårdsdialys" in title.lower() for title in titles))

    def test_searches_are_counted_without_identifying_anyone(self):
        self.client.get("/sv/sok/", {"q": "Dialys"})
        self.client.get("/sv/api/search/", {"q": "dialys"})
        self.client.get("/sv/sok/", {"q": "zzqqxx"})
        dialys = SearchLogEntry.objects.get(query="dialys")
        self.assertEqual((dialys.searches, dialys.zero_results), (2, 0))
        nothing = SearchLogEntry.objects.get(query="zzqqxx")
        self.assertEqual((nothing.searches, nothing.zero_results), (1, 1))
        field_names = {field.name for field in SearchLogEntry._meta.get_fields()}
        self.assertFalse(field_names & {"ip", "ip_address", "user", "session", "user_agent"})

    def test_a_log_that_cannot_be_written_costs_the_visitor_nothing(self):
        """The count is written after the response is sent; if it fails, the visitor has their
        results and the failure is logged, not lost silently."""
        with (
            mock.patch("search.service.record_search", side_effect=DatabaseError("disk full")),
            self.assertLogs("search.views", level="ERROR") as logged,
        ):
            response = self.client.get("/sv/api/search/", {"q": "dialys"})
        self.assertEqual(response.status_code, 200)
        self.assertGreater(response.json()["total"], 0)
        self.assertIn("dialys", logged.output[0])

    def test_editors_picks_come_first(self):
        story = CaseStoryPage.objects.get(slug="nar-esther-berattade-pa-esthercafet")
        query = Query.get("dialys")
        SearchPromotion.objects.create(query=query, page=story, sort_order=0, description="")
        data = self.client.get("/sv/api/search/", {"q": "dialys"}).json()
        self.assertEqual(data["hits"][0]["id"], story.pk)
        self.assertTrue(data["hits"][0]["promoted"])
        self.assertEqual([hit["id"] for hit in data["hits"]].count(story.pk), 1)


class SearchAnalyticsAdminTests(TestCase):
    def test_editors_see_frequent_and_fruitless_queries(self):
        from django.contrib.auth import get_user_model
        from django.urls import reverse

        admin = get_user_model().objects.create_superuser("redaktor", "r@example.se", "pw")
        self.client.force_login(admin)
        for text, total in (("dialys", 3), ("dialys", 3), ("hjärtsviktsskola", 0)):
            from search.query import SearchQuery
            from search.service import record_search

            record_search(SearchQuery(text=text), total)
        response = self.client.get(reverse("search_analytics"), {"days": "abc"})
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("dialys", html)
        self.assertIn("hjärtsviktsskola", html)
        self.assertEqual(response.context["days"], 30)  # a bad period falls back to the default
        self.assertEqual(response.context["searches"], 3)
        top = {row["query"]: row["total_searches"] for row in response.context["top_queries"]}
        self.assertEqual(top, {"dialys": 2, "hjärtsviktsskola": 1})
        fruitless = [row["query"] for row in response.context["zero_queries"]]
        self.assertEqual(fruitless, ["hjärtsviktsskola"])

    def test_visitors_cannot_see_search_analytics(self):
        from django.urls import reverse

        response = self.client.get(reverse("search_analytics"))
        self.assertEqual(response.status_code, 302)


MENU_PAGE = "berattelser"  # the case stories' listing, in the demo's main menu


class SearchQueryCount(TestCase):
    """A search's queries do not grow with its hits: no query per hit in the view or template."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        # Swedish-only work, reached in English through aliases (most of a real archive).
        for page in CaseStoryPage.objects.filter(locale__language_code="sv")[:6]:
            make_swedish_only(page.slug)
        # And a menu page: every English page view shows it, as an alias.
        make_swedish_only(MENU_PAGE)
        call_command("rebuild_search_index", stdout=io.StringIO())

    def queries(self, path: str, params: dict) -> int:
        self.client.get(path, params)  # per-process memos (themes, locales, menus) filled
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(path, params)
        self.assertEqual(response.status_code, 200)
        hits = response.json()["hits"] if "api" in path else response.context["results"].hits
        self.assertEqual(len(hits), int(params["page_size"]), "the case needs that many hits")
        return len(captured)

    def test_the_same_queries_for_two_hits_and_for_twenty(self):
        cases = [
            ("/sv/sok/", {"q": "vård"}),
            ("/en/search/", {"q": "care"}),
            ("/sv/api/search/", {"q": "vård"}),
            ("/en/api/search/", {"q": "care"}),
        ]
        english = self.client.get("/en/api/search/", {"q": "care", "page_size": "20"}).json()
        aliases = KnowledgePage.objects.filter(
            pk__in=[hit["id"] for hit in english["hits"]], alias_of__isnull=False
        )
        self.assertGreaterEqual(aliases.count(), 3)
        for path, params in cases:
            with self.subTest(path=path):
                few = self.queries(path, {**params, "page_size": "2"})
                many = self.queries(path, {**params, "page_size": "20"})
                self.assertEqual(many, few)

    def test_the_menus_aliases_know_their_language_without_a_query(self):
        """Every English page shows the menu, and a Swedish-only menu page is an alias there:
        its ``lang`` attribute must not cost a query per page view, as the hits' do not."""
        english_menu = self.client.get("/en/search/").context["menu_pages"]()
        with self.assertNumQueries(0):
            languages = {page.slug: content_language(page) for page in english_menu}
        self.assertEqual(languages[MENU_PAGE], "sv")
        self.assertEqual(set(languages.values()), {"sv", "en"})
