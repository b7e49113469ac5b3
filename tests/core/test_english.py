"""The demo in English: every page type in both languages, the switcher, the honest fallback,
and the translation workflow an editor and a translator use in the admin."""

from __future__ import annotations

import io
import re

import polib
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail_localize.models import Translation, TranslationSource

from cms.browse.models import KnowledgeListingPage, SectionPage, ThemeIndexPage
from cms.home.models import HomePage
from cms.knowledge.models import CaseStoryPage, ImprovementProjectPage, TrainingMaterialPage
from tests.search.contract import make_swedish_only

# A demo project whose English translation these tests remove: Swedish work not yet translated.
UNTRANSLATED = "esthercafeer-jonkoping"
TRANSLATION_NOTICE = "has not been translated yet"


def alternates(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<link rel="alternate" hreflang="(\w+)" href="http://testserver([^"]+)"', html)
    )


class EnglishDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        make_swedish_only(UNTRANSLATED)
        call_command("rebuild_search_index", stdout=io.StringIO())
        cls.swedish = Locale.objects.get(language_code="sv")
        cls.english = Locale.objects.get(language_code="en")

    def pair(self, model) -> tuple[Page, Page]:
        source = model.objects.filter(locale=self.swedish).exclude(slug=UNTRANSLATED).first()
        return source, source.get_translation(self.english)

    def get(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()

    def test_every_page_type_renders_in_both_languages_with_alternates(self):
        for model in (
            HomePage,
            SectionPage,
            ThemeIndexPage,
            KnowledgeListingPage,
            ImprovementProjectPage,
            TrainingMaterialPage,
            CaseStoryPage,
        ):
            with self.subTest(model=model.__name__):
                source, translation = self.pair(model)
                self.assertIsNone(translation.alias_of_id, "the demo translates every page")
                self.assertNotEqual(source.title, translation.title)
                for page, code in ((source, "sv"), (translation, "en")):
                    html = self.get(page.url)
                    self.assertIn(f'<html lang="{code}">', html)
                    self.assertIn("<h1", html)
                    self.assertIn(page.title.replace("'", "&#x27;"), html)
                    self.assertNotIn(TRANSLATION_NOTICE, html)
                    self.assertEqual(
                        alternates(html), {"sv": source.url, "en": translation.url}, page.url
                    )

    def test_the_sitemap_lists_both_languages_but_not_aliases(self):
        sitemap = self.get("/sitemap.xml")
        source, translation = self.pair(ImprovementProjectPage)
        self.assertIn(f"{source.url}</loc>", sitemap)
        self.assertIn(f"{translation.url}</loc>", sitemap)
        alias = ImprovementProjectPage.objects.get(slug=UNTRANSLATED, locale=self.english)
        self.assertNotIn(f"{alias.url}</loc>", sitemap)

    def test_a_theme_page_is_translated_with_its_theme(self):
        html = self.get("/en/themes/vardovergangar/")
        self.assertIn('<html lang="en">', html)
        self.assertIn("Care transitions", html)
        self.assertIn("/sv/teman/vardovergangar/", alternates(html)["sv"])

    def test_the_switcher_leads_to_the_translated_page(self):
        source, translation = self.pair(ImprovementProjectPage)
        swedish_html = self.get(source.url)
        self.assertRegex(
            swedish_html, rf'<a href="{re.escape(translation.url)}" lang="en" hreflang="en"'
        )
        english_html = self.get(translation.url)
        self.assertRegex(
            english_html, rf'<a href="{re.escape(source.url)}" lang="sv" hreflang="sv"'
        )
        # The interface is English on the English page and Swedish on the Swedish one.
        self.assertIn("About this work", english_html)
        self.assertNotIn("About this work", swedish_html)

    def test_a_swedish_only_page_is_reachable_and_marked_from_english(self):
        source = ImprovementProjectPage.objects.get(slug=UNTRANSLATED, locale=self.swedish)
        alias = source.get_translation(self.english)
        self.assertEqual(alias.alias_of_id, source.pk)
        self.assertTrue(alias.url.startswith("/en/"))
        html = self.get(alias.url)
        self.assertIn('<html lang="en">', html)
        self.assertIn(TRANSLATION_NOTICE, html)
        self.assertIn(f'<h1 class="page-title" lang="sv">{source.title}</h1>', html)
        self.assertIn(f'<p lang="en">{source.summary_en}</p>', html)
        self.assertEqual(alternates(html), {"sv": source.url, "en": alias.url})
        self.assertIn(f'<link rel="canonical" href="http://testserver{source.url}">', html)

    def test_english_listings_and_search_include_swedish_only_work_marked(self):
        source = ImprovementProjectPage.objects.get(slug=UNTRANSLATED, locale=self.swedish)
        alias = source.get_translation(self.english)
        listing = self.get("/en/improvement-projects/?municipality=jonkoping")
        card = listing[listing.index(f'href="{alias.url}"') :][:1500]
        self.assertIn(
            'lang="sv"', listing[listing.index(alias.url) - 200 : listing.index(alias.url)]
        )
        self.assertIn("In Swedish", card)
        self.assertIn(source.summary_en[:60], card)

        results = self.get("/en/search/?q=patient+co-host+evening")
        self.assertIn(f'href="{alias.url}"', results)
        hit = results[results.index(f'href="{alias.url}"') :][:2500]
        self.assertIn("In Swedish", hit)
        # Every English hit is an English-listed page: no Swedish address leaks in.
        self.assertNotIn('href="/sv/jonkoping/', results)


class TranslationWorkflowTests(TestCase):
    """wagtail-localize in the admin, on the demo's imported translations."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.admin = get_user_model().objects.create_superuser("translator", "t@example.se", "x")
        cls.english = Locale.objects.get(language_code="en")
        cls.source = ImprovementProjectPage.objects.get(
            slug="trygg-hemgang-skora-aldre", locale=Locale.get_default()
        )

    def setUp(self):
        self.client.force_login(self.admin)
        self.translation = Translation.objects.get(
            source=TranslationSource.objects.get_for_instance(self.source),
            target_locale=self.english,
        )

    def english_page(self) -> ImprovementProjectPage:
        return self.source.get_translation(self.english).specific

    def test_the_translation_editor_opens_on_an_imported_translation(self):
        page = self.english_page()
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(
            "w-localize", html.lower().replace("_", "-").replace("wagtail-localize", "w-localize")
        )
        self.assertIn(page.aim[:40], html)

    def test_syncing_a_changed_source_keeps_the_translators_work(self):
        english_aim = self.english_page().aim
        source = self.source.specific
        source.lessons_learned = "<p>En helt ny lärdom.</p>"
        source.save_revision().publish()
        translation_source = self.translation.source
        url = reverse("wagtail_localize:update_translations", args=[translation_source.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"publish_translations": "on"})
        self.assertEqual(response.status_code, 302)
        page = self.english_page()
        self.assertEqual(page.aim, english_aim)  # translated before: kept
        self.assertIn("En helt ny lärdom.", str(page.lessons_learned))  # new: source text for now

    def test_a_translator_round_trips_a_po_file(self):
        url = reverse("wagtail_localize:download_pofile", args=[self.translation.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        po = polib.pofile(response.content.decode())
        entry = next(entry for entry in po if entry.msgid == self.source.title)
        self.assertEqual(entry.msgstr, self.english_page().title)
        entry.msgstr = "Safe return home for frail older people (revised)"
        upload = SimpleUploadedFile(
            "translation.po", str(po).encode(), "text/x-gettext-translation"
        )
        response = self.client.post(
            reverse("wagtail_localize:upload_pofile", args=[self.translation.pk]),
            {"file": upload, "next": "/admin/"},
        )
        self.assertEqual(response.status_code, 302)
        with self.captureOnCommitCallbacks(execute=True):
            self.translation.save_target(user=self.admin, publish=True)
        self.assertEqual(
            self.english_page().title, "Safe return home for frail older people (revised)"
        )
