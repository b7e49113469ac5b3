"""A deterministic synthetic corpus in the project's content format (docs/content-format.md).

Why built this way: the benchmark must measure what real content costs, so the pages are made
of the demo content's own sentences, titles, change ideas, PDSA cycles, measures and tags
(Swedish, with the English summaries the demo gives partners), recombined with a seeded random
generator and placed under the demo's municipality sections with the demo's themes. The same
seed and size always give byte-identical files, so runs on different machines compare. The
output is a folder that ``manage.py import_content`` reads like ``fixtures/demo``: the demo's
taxonomy, glossary and structure files, then the generated pages.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
COPIED_DEMO_FILES = ("00-taxonomy.json", "01-glossary.json")
STRUCTURE_FILE = "10-structure.json"
PAGES_PER_FILE = 2_000
TYPE_WEIGHTS = (("project", 6), ("training", 2), ("story", 2))
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TAG = re.compile(r"<[^>]+>")


@dataclass
class Vocabulary:
    """Everything the demo content says, cut into reusable parts."""

    sv_sentences: list[str] = field(default_factory=list)
    en_sentences: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    change_ideas: list[dict] = field(default_factory=list)
    pdsa_cycles: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    learning_goals: list[str] = field(default_factory=list)
    esther_voices: list[str] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (page key, org name)
    glossary: list[tuple[str, str]] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    plain = TAG.sub(" ", text or "").replace("  ", " ").strip()
    return [part.strip() for part in SENTENCE_END.split(plain) if len(part.strip()) > 25]


def load_vocabulary(demo: Path = DEMO) -> Vocabulary:
    vocabulary = Vocabulary()
    taxonomy = json.loads((demo / "00-taxonomy.json").read_text(encoding="utf-8"))
    vocabulary.themes = [theme["slug"] for theme in taxonomy["themes"]]
    organisations = {org["slug"]: org["name"] for org in taxonomy["organisations"]}
    structure = json.loads((demo / "10-structure.json").read_text(encoding="utf-8"))
    vocabulary.sections = [
        (page["key"], organisations[page["organisation"]])
        for page in structure["pages"]
        if page["type"] == "section"
    ]
    glossary = json.loads((demo / "01-glossary.json").read_text(encoding="utf-8"))
    vocabulary.glossary = [(term["sv"], term["en"]) for term in glossary["glossary"]]
    tags: set[str] = set()
    for name in ("20-projects.json", "30-training.json", "40-stories.json"):
        for page in json.loads((demo / name).read_text(encoding="utf-8"))["pages"]:
            _harvest(vocabulary, page, tags)
    vocabulary.tags = sorted(tags)
    return vocabulary


def _harvest(vocabulary: Vocabulary, page: dict[str, Any], tags: set[str]) -> None:
    vocabulary.titles.append(page["title"])
    tags.update(page.get("tags", []))
    vocabulary.contacts.extend(page.get("contacts", []))
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
    vocabulary.change_ideas.extend(page.get("change_ideas", []))
    vocabulary.pdsa_cycles.extend(page.get("pdsa_cycles", []))
    vocabulary.measures.extend(page.get("measures", []))
    vocabulary.learning_goals.extend(page.get("learning_goals", []))
    for block in [*page.get("story", []), *page.get("body", [])]:
        if block["type"] == "esther_voice":
            vocabulary.esther_voices.append(block["text"])
        elif block["type"] == "paragraph":
            vocabulary.sv_sentences.extend(_sentences(block["html"]))


class CorpusBuilder:
    """Builds page dicts one by one from a seeded generator: page i depends only on (seed, i)."""

    def __init__(self, vocabulary: Vocabulary, seed: int = 7) -> None:
        self.vocabulary = vocabulary
        self.seed = seed
        self.types = [kind for kind, weight in TYPE_WEIGHTS for _ in range(weight)]

    def page(self, index: int) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{index}")
        v = self.vocabulary
        kind = self.types[index % len(self.types)]
        section_key, place = v.sections[rng.randrange(len(v.sections))]
        base_title = rng.choice(v.titles).split(" – ")[0].split(":")[0]
        focus = rng.choice(v.tags)
        title = f"{base_title} – {focus} ({place}, {index})"
        date = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3900))
        term_sv, term_en = rng.choice(v.glossary)
        page: dict[str, Any] = {
            "key": f"bench-{index}",
            "type": kind,
            "parent": section_key,
            "slug": slugify(f"{focus}-{index}")[:200] or f"sida-{index}",
            "title": title,
            "summary": self._text(rng, v.sv_sentences, 2, 380, lead=f"{place}: {term_sv}."),
            "summary_en": self._text(rng, v.en_sentences, 2, 380, lead=f"{place}: {term_en}."),
            "date": date.isoformat(),
            "themes": rng.sample(v.themes, rng.randint(1, 3)),
            "tags": sorted(set(rng.sample(v.tags, rng.randint(2, 5)))),
            "contacts": rng.sample(v.contacts, rng.randint(0, 2)),
        }
        if kind == "project":
            page.update(self._project(rng, date))
        elif kind == "training":
            page.update(self._training(rng))
        else:
            page.update(self._story(rng))
        return page

    @staticmethod
    def _text(rng: random.Random, pool: list[str], count: int, limit: int, lead: str = "") -> str:
        text = lead
        for sentence in rng.sample(pool, count):
            candidate = f"{text} {sentence}".strip()
            if len(candidate) > limit:
                break
            text = candidate
        return text[:limit]

    def _html(self, rng: random.Random, paragraphs: int) -> str:
        return "".join(
            f"<p>{self._text(rng, self.vocabulary.sv_sentences, 3, 900)}</p>"
            for _ in range(paragraphs)
        )

    def _project(self, rng: random.Random, date: datetime.date) -> dict[str, Any]:
        v = self.vocabulary
        measures = []
        for template in rng.sample(v.measures, min(len(v.measures), rng.randint(1, 2))):
            start = rng.uniform(5, 60)
            points = [
                {
                    "date": (date + datetime.timedelta(days=30 * month)).isoformat(),
                    "value": round(max(0.0, start + rng.gauss(0, 4) - month * 0.6), 1),
                }
                for month in range(rng.randint(6, 14))
            ]
            measures.append({**template, "data_points": points})
        return {
            "aim": self._text(rng, v.sv_sentences, 2, 600),
            "background": self._html(rng, 2),
            "status": rng.choice(("planned", "ongoing", "completed", "paused")),
            "start_date": date.isoformat(),
            "what_matters_to_esther": rng.choice(v.esther_voices)[:500],
            "co_produced": rng.choice(("none", "patients", "relatives", "both")),
            "change_ideas": rng.sample(v.change_ideas, rng.randint(1, 3)),
            "pdsa_cycles": rng.sample(v.pdsa_cycles, rng.randint(1, 3)),
            "measures": measures,
            "results": self._html(rng, 1),
            "lessons_learned": self._html(rng, 1),
        }

    def _training(self, rng: random.Random) -> dict[str, Any]:
        v = self.vocabulary
        return {
            "module": f"Modul {rng.randint(1, 12)}",
            "audience": rng.choice(("coaches", "staff", "managers", "patients", "everyone")),
            "format": rng.choice(("workshop", "lecture", "elearning", "guide", "exercise")),
            "duration_minutes": rng.choice((45, 90, 120, 240, 480)),
            "learning_goals": rng.sample(v.learning_goals, rng.randint(2, 4)),
            "body": [
                {"type": "heading", "text": rng.choice(v.tags).capitalize()},
                {"type": "paragraph", "html": self._html(rng, 2)},
            ],
        }

    def _story(self, rng: random.Random) -> dict[str, Any]:
        v = self.vocabulary
        age = rng.randint(70, 95)
        return {
            "story": [
                {"type": "esther_voice", "text": rng.choice(v.esther_voices)[:600]},
                {"type": "paragraph", "html": self._html(rng, 2)},
            ],
            "what_changed": self._html(rng, 1),
            "outcome": self._html(rng, 1),
            "quote": rng.choice(v.esther_voices)[:300],
            "quote_attribution": f"Esther, {age} år",
            "what_matters_to_esther": rng.choice(v.esther_voices)[:500],
            "co_produced": rng.choice(("none", "patients", "relatives", "both")),
        }


def write_corpus(size: int, target: Path, seed: int = 7) -> Path:
    """Write (or reuse, when the same size and seed were written before) the corpus folder."""
    stamp = target / ".corpus"
    expected = f"size={size} seed={seed} per_file={PAGES_PER_FILE} v2"
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
        pages = [builder.page(index) for index in range(start, min(size, start + PAGES_PER_FILE))]
        document = {"format": "esther-content", "version": 1, "pages": pages}
        path = target / f"50-bench-{start // PAGES_PER_FILE:04d}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    stamp.write_text(expected)
    return target
