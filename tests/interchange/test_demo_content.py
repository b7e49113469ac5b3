"""The curated demo content: loads, covers what the foundation promises, and loads only once."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase, override_settings
from wagtail.models import Page

from cms.interchange.importer import Importer
from cms.knowledge.models import (
    CaseStoryPage,
    ImprovementProjectPage,
    KnowledgePage,
    TrainingMaterialPage,
)
from cms.media.models import EstherImage
from cms.settings.base import BASE_DIR
from cms.taxonomy.models import Organisation, Theme

DEMO = BASE_DIR / "fixtures" / "demo"


@override_settings(MEDIA_ROOT=BASE_DIR / "build" / "test-media")
class DemoContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())

    def test_covers_every_page_type_theme_and_municipality(self):
        self.assertGreaterEqual(KnowledgePage.objects.live().count(), 40)
        for model in (ImprovementProjectPage, TrainingMaterialPage, CaseStoryPage):
            self.assertTrue(model.objects.live().exists(), model.__name__)
        for theme in Theme.objects.all():
            self.assertTrue(theme.pages.live().exists(), f"no page under {theme.slug}")
        municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        self.assertEqual(municipalities.count(), 13)
        for municipality in municipalities:
            self.assertTrue(municipality.pages.live().exists(), f"no work from {municipality}")

    def test_measures_carry_series_long_enough_for_run_charts(self):
        measures = [
            block.value
            for project in ImprovementProjectPage.objects.all()
            for block in project.measures
        ]
        self.assertGreater(len(measures), 10)
        for measure in measures:
            self.assertGreaterEqual(len(measure["data_points"]), 12, measure["name"])

    def test_every_image_has_alt_text(self):
        self.assertTrue(EstherImage.objects.exists())
        self.assertFalse(EstherImage.objects.filter(alt_text="").exists())

    def test_loading_again_creates_nothing(self):
        pages, images = Page.objects.count(), EstherImage.objects.count()
        report = Importer().run([DEMO])
        self.assertEqual(sum(report.created.values()), 0, report.summary())
        self.assertEqual(Page.objects.count(), pages)
        self.assertEqual(EstherImage.objects.count(), images)

    def test_every_demo_page_renders(self):
        for page in Page.objects.live().filter(depth__gt=1).specific():
            with self.subTest(page=page.url_path):
                response = self.client.get(page.url)
                self.assertEqual(response.status_code, 200)
