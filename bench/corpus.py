"""A deterministic synthetic corpus in the project's content format (docs/content-format.md).

Why built this way: the benchmark must measure what real content costs, so the pages are made
of the demo content's own sentences, titles, change ideas, PDSA cycles, measures and tags
(Swedish, with the English summaries the demo gives partners, and for every fifth page an
English translation made from the demo's English pages), recombined with a seeded random
generator and placed under the demo's municipality sections with the demo's themes. The same
seed and size always give byte-identical files, so runs on different machines compare. The
output is a folder that ``manage.py import_content`` reads like ``fixtures/demo``: the demo's
taxonomy, glossary and structure files, then the generated pages and translations.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.utils.text import slugify

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
COPIED_DEMO_FILES = ("00-taxonomy.json", "01-glossary.json")
STRUCTURE_FILE = "10-structure.json"
PAGES_PER_FILE = 2_000
PAGE_FILE_PREFIX = "50-bench-"
TYPE_WEIGHTS = (("project", 6), ("training", 2), ("story", 2))
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TAG = re.compile(r"<[^>]+>")


# Every TRANSLATE_EVERY-th generated page also gets an English translation (imported through
# wagtail-localize like the demo's); the others are English aliases of the Swedish page, as
# untranslated pages are on the site.
TRANSLATE_EVERY = 5


@dataclass
class Vocabulary:
    """Everything the demo content says, cut into reusable parts.

    Structured parts (change ideas, PDSA cycles, measures, goals, contacts, Esther's voice) are
    kept as (Swedish, English) pairs from the demo page and its English translation, so a
    generated page and its generated translation have the same structure, as wagtail-localize
    requires; free text is drawn from either language's sentences.
    """

    sv_sentences: list[str] = field(default_factory=list)
    en_sentences: list[str] = field(default_factory=list)
    titles: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    change_ideas: list[tuple[dict, dict]] = field(default_factory=list)
    pdsa_cycles: list[tuple[dict, dict]] = field(default_factory=list)
    measures: list[tuple[dict, dict]] = field(default_factory=list)
    learning_goals: list[tuple[str, str]] = field(default_factory=list)
    esther_voices: list[tuple[str, str]] = field(default_factory=list)
    contacts: list[tuple[dict, dict]] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    # (page key, Swedish organisation name, English organisation name)
    sections: list[tuple[str, str, str]] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    plain = TAG.sub(" ", text or "").replace("  ", " ").strip()
    return [part.strip() for part in SENTENCE_END.split(plain) if len(part.strip()) > 25]


def load_vocabulary(demo: Path = DEMO) -> Vocabulary:
    vocabulary = Vocabulary()
    taxonomy = json.loads((demo / "00-taxonomy.json").read_text(encoding="utf-8"))
    vocabulary.themes = [theme["slug"] for theme in taxonomy["themes"]]
    organisations = {org["slug"]: org for org in taxonomy["organisations"]}
    structure = json.loads((demo / "10-structure.json").read_text(encoding="utf-8"))
    vocabulary.sections = [
        (
            page["key"],
            organisations[page["organisation"]]["name"],
            organisations[page["organisation"]].get("name_en")
            or organisations[page["organisation"]]["name"],
        )
        for page in structure["pages"]
        if page["type"] == "section"
    ]
    glossary = json.loads((demo / "01-glossary.json").read_text(encoding="utf-8"))
    vocabulary.glossary = [(term["sv"], term["en"]) for term in glossary["glossary"]]
    english = {
        item["key"]: item
        for path in sorted(demo.glob("*.en.json"))
        for item in json.loads(path.read_text(encoding="utf-8")).get("translations", [])
    }
    tags: set[str] = set()
    for name in ("20-projects.json", "30-training.json", "40-stories.json"):
        for page in json.loads((demo / name).read_text(encoding="utf-8"))["pages"]:
            _harvest(vocabulary, page, english.get(page["key"]), tags)
    vocabulary.tags = sorted(tags)
    return vocabulary


def _harvest(
    vocabulary: Vocabulary, page: dict[str, Any], english: dict[str, Any] | None, tags: set[str]
) -> None:
    tags.update(page.get("tags", []))
    vocabulary.en_sentences.extend(_sentences(page.get("summary_en", "")))
    for name in (
        "summary",
        "aim",
        "background",
        "results",
        "lessons_learned",
        "what_matters_to_esther",
        "what_changed",
        "outcome",
    ):
        vocabulary.sv_sentences.extend(_sentences(page.get(name, "")))
        if english:
            vocabulary.en_sentences.extend(_sentences(english.get(name, "")))
    for block in page.get("story", []) + page.get("body", []):
        if block["type"] == "paragraph":
            vocabulary.sv_sentences.extend(_sentences(block["html"]))
    if english is None:  # only paired material below: a page without translation adds none
        return
    vocabulary.titles.append((page["title"], english["title"]))
    for name in ("change_ideas", "pdsa_cycles", "measures", "learning_goals", "contacts"):
        vocabulary_list = getattr(vocabulary, name)
        vocabulary_list.extend(zip(page.get(name, []), english.get(name, []), strict=True))
    for sv_blocks, en_blocks in ((page.get("story", []), english.get("story", [])),
                                 (page.get("body", []), english.get("body", []))):  # fmt: skip
        for sv_block, en_block in zip(sv_blocks, en_blocks, strict=True):
            if sv_block["type"] == "esther_voice":
                vocabulary.esther_voices.append((sv_block["text"], en_block["text"]))
            elif sv_block["type"] == "paragraph":
                vocabulary.en_sentences.extend(_sentences(en_block["html"]))


class Pair(NamedTuple):
    """A value that differs between a generated page and its English translation."""

    sv: Any
    en: Any

    def cut(self, limit: int) -> Pair:
        return Pair(self.sv[:limit], self.en[:limit])


def split(template: Any) -> tuple[Any, Any]:
    """The Swedish and the English version of ``template``: each ``Pair`` in it gives its own
    side, everything else is the same in both (so the two line up, as wagtail-localize needs)."""
    return _side(template, 0), _side(template, 1)


def _side(value: Any, side: int) -> Any:
    if isinstance(value, Pair):
        return value[side]
    if isinstance(value, dict):
        return {key: _side(item, side) for key, item in value.items()}
    if isinstance(value, list):
        return [_side(item, side) for item in value]
    return value


def _pick(rng: random.Random, pairs: list[tuple], count: int) -> Pair:
    """``count`` pairs drawn without replacement, split into the Swedish and English lists."""
    chosen = rng.sample(pairs, count)
    return Pair([sv for sv, _ in chosen], [en for _, en in chosen])


class CorpusBuilder:
    """Builds page dicts one by one from a seeded generator: page i depends only on (seed, i).

    ``build(i)`` gives the Swedish page and, for every ``TRANSLATE_EVERY``-th page, its English
    translation, made from the same draws so the two line up.
    """

    def __init__(self, vocabulary: Vocabulary, seed: int = 7) -> None:
        self.vocabulary = vocabulary
        self.seed = seed
        self.types = [kind for kind, weight in TYPE_WEIGHTS for _ in range(weight)]

    def page(self, index: int) -> dict[str, Any]:
        return self.build(index)[0]

    def build(self, index: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Page ``index`` and its English translation, or None if it has none."""
        page, english = self._draw(index)
        return page, (english if index % TRANSLATE_EVERY == 0 else None)

    def _draw(self, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = random.Random(f"{self.seed}:{index}")
        v = self.vocabulary
        kind = self.types[index % len(self.types)]
        section_key, place, place_en = v.sections[rng.randrange(len(v.sections))]
        title, title_en = (part.split(" – ")[0].split(":")[0] for part in rng.choice(v.titles))
        focus = rng.choice(v.tags)
        date = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3900))
        term_sv, term_en = rng.choice(v.glossary)
        contacts, contacts_en = _pick(rng, v.contacts, rng.randint(0, 2))
        page: dict[str, Any] = {
            "key": f"bench-{index}",
            "type": kind,
            "parent": section_key,
            "slug": slugify(f"{focus}-{index}")[:200] or f"sida-{index}",
            "title": f"{title} – {focus} ({place}, {index})",
            "summary": self._text(rng, v.sv_sentences, 2, 380, lead=f"{place}: {term_sv}."),
            "summary_en": self._text(rng, v.en_sentences, 2, 380, lead=f"{place_en}: {term_en}."),
            "date": date.isoformat(),
            "themes": rng.sample(v.themes, rng.randint(1, 3)),
            "tags": sorted(set(rng.sample(v.tags, rng.randint(2, 5)))),
            "contacts": contacts,
        }
        english: dict[str, Any] = {
            "key": page["key"],
            "locale": "en",
            "slug": slugify(f"{term_en}-{index}")[:200],
            "title": f"{title_en} – {term_en} ({place_en}, {index})",
            "summary": self._text(rng, v.en_sentences, 2, 380, lead=f"{place_en}: {term_en}."),
            "contacts": contacts_en,
            # Synchronised from the Swedish page, but the format wants them in a translation too.
            **{name: page[name] for name in ("summary_en", "date", "themes", "tags")},
        }
        build = {"project": self._project, "training": self._training, "story": self._story}
        sv_fields, en_fields = build[kind](rng, date)
        page.update(sv_fields)
        english.update(en_fields)
        return page, english

    @staticmethod
    def _text(rng: random.Random, pool: list[str], count: int, limit: int, lead: str = "") -> str:
        text = lead
        for sentence in rng.sample(pool, count):
            candidate = f"{text} {sentence}".strip()
            if len(candidate) > limit:
                break
            text = candidate
        return text[:limit] or pool[0][:limit]

    def _html(self, rng: random.Random, paragraphs: int) -> Pair:
        """Swedish and English rich text with the same number of paragraphs."""
        return Pair(
            *(
                "".join(f"<p>{self._text(rng, pool, 3, 900)}</p>" for _ in range(paragraphs))
                for pool in (self.vocabulary.sv_sentences, self.vocabulary.en_sentences)
            )
        )

    def _plain(self, rng: random.Random, limit: int) -> Pair:
        return Pair(
            *(
                self._text(rng, pool, 2, limit)
                for pool in (self.vocabulary.sv_sentences, self.vocabulary.en_sentences)
            )
        )

    # Each type's fields: the draws first, in a fixed order (the corpus is reproducible from
    # its seed), then one template that ``split`` turns into the page and its translation.

    def _project(self, rng: random.Random, date: datetime.date) -> tuple[dict, dict]:
        v = self.vocabulary
        measures = Pair([], [])
        for template, template_en in rng.sample(
            v.measures, min(len(v.measures), rng.randint(1, 2))
        ):
            start = rng.uniform(5, 60)
            points = [
                {
                    "date": (date + datetime.timedelta(days=30 * month)).isoformat(),
                    "value": round(max(0.0, start + rng.gauss(0, 4) - month * 0.6), 1),
                }
                for month in range(rng.randint(6, 14))
            ]
            measures.sv.append({**template, "data_points": points})
            measures.en.append({**template_en, "data_points": points})
        voice = Pair(*rng.choice(v.esther_voices))
        aim = self._plain(rng, 600)
        background = self._html(rng, 2)
        results = self._html(rng, 1)
        lessons = self._html(rng, 1)
        ideas = _pick(rng, v.change_ideas, rng.randint(1, 3))
        cycles = _pick(rng, v.pdsa_cycles, rng.randint(1, 3))
        return split(
            {
                "status": rng.choice(("planned", "ongoing", "completed", "paused")),
                "start_date": date.isoformat(),
                "co_produced": rng.choice(("none", "patients", "relatives", "both")),
                "aim": aim,
                "background": background,
                "what_matters_to_esther": voice.cut(500),
                "change_ideas": ideas,
                "pdsa_cycles": cycles,
                "measures": measures,
                "results": results,
                "lessons_learned": lessons,
            }
        )

    def _training(self, rng: random.Random, date: datetime.date) -> tuple[dict, dict]:
        v = self.vocabulary
        module = rng.randint(1, 12)
        goals = _pick(rng, v.learning_goals, rng.randint(2, 4))
        heading = Pair(*(term.capitalize() for term in rng.choice(v.glossary)))
        body = self._html(rng, 2)
        return split(
            {
                "audience": rng.choice(("coaches", "staff", "managers", "patients", "everyone")),
                "format": rng.choice(("workshop", "lecture", "elearning", "guide", "exercise")),
                "duration_minutes": rng.choice((45, 90, 120, 240, 480)),
                "module": Pair(f"Modul {module}", f"Module {module}"),
                "learning_goals": goals,
                "body": [
                    {"type": "heading", "text": heading},
                    {"type": "paragraph", "html": body},
                ],
            }
        )

    def _story(self, rng: random.Random, date: datetime.date) -> tuple[dict, dict]:
        v = self.vocabulary
        age = rng.randint(70, 95)
        voice = Pair(*rng.choice(v.esther_voices))
        story = self._html(rng, 2)
        changed = self._html(rng, 1)
        outcome = self._html(rng, 1)
        quote = Pair(*rng.choice(v.esther_voices))
        matters = Pair(*rng.choice(v.esther_voices))
        return split(
            {
                "story": [
                    {"type": "esther_voice", "text": voice.cut(600)},
                    {"type": "paragraph", "html": story},
                ],
                "what_changed": changed,
                "outcome": outcome,
                "quote": quote.cut(300),
                "quote_attribution": Pair(f"Esther, {age} år", f"Esther, {age} years"),
                "what_matters_to_esther": matters.cut(500),
                "co_produced": rng.choice(("none", "patients", "relatives", "both")),
            }
        )


def write_corpus(size: int, target: Path, seed: int = 7) -> Path:
    """Write (or reuse, when the same size and seed were written before) the corpus folder."""
    stamp = target / ".corpus"
    expected = f"size={size} seed={seed} per_file={PAGES_PER_FILE} v3"
    if stamp.exists() and stamp.read_text() == expected:
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in COPIED_DEMO_FILES:
        shutil.copy(DEMO / name, target / name)
    # The demo's structure without its images: no generated page has images either, so the
    # corpus needs no media files (rendering images is not what this benchmark measures).
    structure = json.loads((DEMO / STRUCTURE_FILE).read_text(encoding="utf-8"))
    for page in structure["pages"]:
        page.pop("lead_image", None)
    (target / STRUCTURE_FILE).write_text(json.dumps(structure, ensure_ascii=False), "utf-8")
    builder = CorpusBuilder(load_vocabulary(), seed=seed)
    for start in range(0, size, PAGES_PER_FILE):
        built = [builder.build(index) for index in range(start, min(size, start + PAGES_PER_FILE))]
        document = {
            "format": "esther-content",
            "version": 1,
            "pages": [page for page, _ in built],
            "translations": [english for _, english in built if english is not None],
        }
        path = target / f"{PAGE_FILE_PREFIX}{start // PAGES_PER_FILE:04d}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    stamp.write_text(expected)
    return target


def page_files(folder: Path) -> list[Path]:
    """The corpus's files of generated pages, in import order."""
    return sorted(folder.glob(f"{PAGE_FILE_PREFIX}*.json"))
