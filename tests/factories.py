"""factory_boy / wagtail-factories factories for every page type, snippet and block."""

from __future__ import annotations

import datetime

import factory
import wagtail_factories
from wagtail.models import Locale

from cms.browse.models import KnowledgeListingPage, SectionPage, ThemeIndexPage
from cms.home.models import HomePage
from cms.knowledge import blocks
from cms.knowledge.models import CaseStoryPage, ImprovementProjectPage, TrainingMaterialPage
from cms.media.models import EstherDocument, EstherImage
from cms.taxonomy.models import Organisation, Theme


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tema {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"tema-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Kommun {n}")
    slug = factory.Sequence(lambda n: f"kommun-{n}")
    kind = Organisation.Kind.MUNICIPALITY
    area = Organisation.Area.HOGLANDET


class ImageFactory(wagtail_factories.ImageFactory):
    class Meta:
        model = EstherImage

    alt_text = "Två sjuksköterskor planerar en utskrivning vid en whiteboard"


class DocumentFactory(wagtail_factories.DocumentFactory):
    class Meta:
        model = EstherDocument


# Blocks ------------------------------------------------------------------------------------


class PDSACycleBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.PDSACycleBlock

    title = "Uppringning dagen efter hemkomst"
    start_date = datetime.date(2024, 2, 1)
    end_date = datetime.date(2024, 2, 28)
    plan = "Vi ringer alla patienter över 75 dagen efter utskrivning."
    do = "Två sjuksköterskor ringde 31 patienter."
    study = "Nästan alla hade frågor om läkemedel."
    act = "Vi lägger till en läkemedelsgenomgång."
    decision = "adapt"


class DataPointBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.DataPointBlock

    date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(weeks=n))
    value = factory.Sequence(lambda n: 4.0 - (n % 12) * 0.1)
    note = ""


class MeasureBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.MeasureBlock

    name = "Utskrivningsklara dagar per vårdtillfälle"
    kind = "outcome"
    unit = "dagar"
    definition = "Medelvärde av utskrivningsklara dagar per vecka."
    goal = "Under 2 dagar"
    higher_is_better = False
    data_points = wagtail_factories.ListBlockFactory(DataPointBlockFactory)


class ChangeIdeaBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.ChangeIdeaBlock

    title = "Samordnad planering före utskrivning"
    description = "Kommunens sjuksköterska deltar via video."


class ContactBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.ContactBlock

    name = "Karin Exempel"
    role = "Esthercoach, hemsjukvården"
    organisation = "Exempla kommun"
    email = "karin.exempel@example.se"
    is_coach = True


class DocumentBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.DocumentBlock

    document = factory.SubFactory(wagtail_factories.DocumentChooserBlockFactory)
    title = "PDSA-mall"
    description = ""


class QuoteBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.QuoteBlock

    text = "Nu vet jag vem jag ska ringa."
    attribution = "Esther, 86 år"


class HeadingBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.HeadingBlock

    text = "Hemma igen"


class ImageBlockFactory(wagtail_factories.StructBlockFactory):
    class Meta:
        model = blocks.ImageBlock

    image = factory.SubFactory(wagtail_factories.ImageChooserBlockFactory)
    caption = "Illustration"


class StoryBodyFactory(wagtail_factories.StreamBlockFactory):
    class Meta:
        model = blocks.StoryBodyBlock

    heading = factory.SubFactory(HeadingBlockFactory)
    paragraph = factory.SubFactory(wagtail_factories.CharBlockFactory)
    esther_voice = factory.SubFactory(QuoteBlockFactory)
    quote = factory.SubFactory(QuoteBlockFactory)
    image = factory.SubFactory(ImageBlockFactory)


# Pages -------------------------------------------------------------------------------------


class LocalizedPageFactory(wagtail_factories.PageFactory):
    class Meta:
        abstract = True

    locale = factory.LazyFunction(Locale.get_default)


class HomePageFactory(LocalizedPageFactory):
    class Meta:
        model = HomePage

    title = "Bäst för Esther"
    slug = "hem"
    intro = "Här delar Esthercoacher sina förbättringsarbeten."


class SectionPageFactory(LocalizedPageFactory):
    class Meta:
        model = SectionPage

    title = factory.LazyAttribute(lambda page: page.organisation.name)
    slug = factory.LazyAttribute(lambda page: page.organisation.slug)
    organisation = factory.SubFactory(OrganisationFactory)


class ThemeIndexPageFactory(LocalizedPageFactory):
    class Meta:
        model = ThemeIndexPage

    title = "Teman"
    slug = "teman"


class KnowledgeListingPageFactory(LocalizedPageFactory):
    class Meta:
        model = KnowledgeListingPage

    title = "Allt arbete"
    slug = factory.Sequence(lambda n: f"lista-{n}")
    kind = ""


class KnowledgePageFactory(LocalizedPageFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    summary = "En kort sammanfattning av arbetet."
    date = datetime.date(2024, 3, 1)
    municipality = factory.LazyAttribute(lambda page: page.parent.specific.organisation)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if extracted:
            self.themes.set(extracted)
            self.save()

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.set(extracted)
            self.save()


class ImprovementProjectPageFactory(KnowledgePageFactory):
    class Meta:
        model = ImprovementProjectPage

    title = factory.Sequence(lambda n: f"Trygg hemgång {n}")
    aim = "Minska antalet utskrivningsklara dagar till under två."
    status = "ongoing"
    change_ideas = wagtail_factories.StreamFieldFactory(
        {"change_idea": factory.SubFactory(ChangeIdeaBlockFactory)}
    )
    pdsa_cycles = wagtail_factories.StreamFieldFactory(
        {"pdsa_cycle": factory.SubFactory(PDSACycleBlockFactory)}
    )
    measures = wagtail_factories.StreamFieldFactory(
        {"measure": factory.SubFactory(MeasureBlockFactory)}
    )
    attachments = wagtail_factories.StreamFieldFactory(
        {"document": factory.SubFactory(DocumentBlockFactory)}
    )
    contacts = wagtail_factories.StreamFieldFactory(
        {"contact": factory.SubFactory(ContactBlockFactory)}
    )


class TrainingMaterialPageFactory(KnowledgePageFactory):
    class Meta:
        model = TrainingMaterialPage

    title = factory.Sequence(lambda n: f"Esthercoach del {n}")
    module = "Esthercoach – del 1"
    audience = "coaches"
    format = "workshop"
    duration_minutes = 180
    learning_goals = wagtail_factories.StreamFieldFactory(
        {"goal": factory.SubFactory(wagtail_factories.CharBlockFactory)}
    )
    body = wagtail_factories.StreamFieldFactory(StoryBodyFactory)
    downloads = wagtail_factories.StreamFieldFactory(
        {"document": factory.SubFactory(DocumentBlockFactory)}
    )


class CaseStoryPageFactory(KnowledgePageFactory):
    class Meta:
        model = CaseStoryPage

    title = factory.Sequence(lambda n: f"Esther kommer hem {n}")
    story = wagtail_factories.StreamFieldFactory(StoryBodyFactory)
    quote = "Jag fick vara med och bestämma."
    quote_attribution = "Esther, 86 år"
