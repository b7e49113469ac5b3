"""Hostile input, generated: the public endpoints answer 200 to anything and never echo markup.

Property-based (hypothesis): query text (any unicode, control characters, huge strings, markup),
lists of random filter values, and page/page_size/sort as arbitrary strings go to the JSON search
API, the search page, autocomplete and a listing page. Every response must be a 200 (bad input
is clamped or dropped, never a 5xx), JSON must parse, and HTML may contain no <script> tag
other than the site's own external scripts, nor an injected event-handler attribute.

Example counts: 2,000 for the shared query parser without HTTP (the fast path), then over HTTP
250 for the JSON API, 500 for autocomplete, 100 each for the search page and a listing page
(the two full HTML renders are the slow ones): 2,950 inputs, about 30 s on SQLite. Plus one
fixed test for script injection through page content.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from cms.knowledge.blocks import RICH_FEATURES
from search.query import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SearchQuery
from tests import factories
from tests.admin_forms import draftail

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="x'
PAYLOADS = (
    SCRIPT,
    ATTRIBUTE,
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "' OR 1=1 --",
    "%00",
    "\x00",
    "\u202e\u0000odd",
    "${7*7}{{7*7}}",
    "../../etc/passwd",
    "²",
    "١٩٩٥",
    "Vårdövergångar",
)


def hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,  # no example database written into the work tree
    )


# Any text: full unicode including control characters (hypothesis leaves out lone surrogates,
# which cannot be URL-encoded anyway), known payloads, payloads embedded in text, huge strings.
any_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60),
    st.sampled_from(PAYLOADS),
    st.builds(
        lambda a, p, b: a + p + b,
        st.text(max_size=10),
        st.sampled_from(PAYLOADS),
        st.text(max_size=10),
    ),
    st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=8), st.integers(200, 3000)),
)
numberish = st.one_of(
    any_text,
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        ["0", "-1", "1", "2", "50", "51", "1000", "1001", "1e3", "0x10", " 3 ", "1_0", "NaN", "∞"]
    ),
)
# Filter values: mostly nonsense, sometimes a real value so the filtered code paths run too.
REAL_VALUES = {
    "theme": ["vardovergangar", "egenvard"],
    "municipality": ["eksjo", "nassjo"],
    "type": ["project", "training", "story"],
    "status": ["ongoing", "completed", "paused"],
    "decision": ["adopt", "adapt", "abandon"],
    "year": ["2024", "1990", "2100", "1989", "99999999999999999999"],
}
DIMENSIONS = tuple(REAL_VALUES)


def to_querydict(params: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def filter_values(dimension: str):
    return st.lists(st.one_of(any_text, st.sampled_from(REAL_VALUES[dimension])), max_size=6)


params_strategy = st.fixed_dictionaries(
    {},
    optional={
        "q": any_text,
        "page": numberish,
        "page_size": numberish,
        "sort": st.one_of(any_text, st.sampled_from(["relevance", "newest", "NEWEST", ""])),
        "language": st.one_of(any_text, st.sampled_from(["sv", "en", "de"])),
        **{dimension: filter_values(dimension) for dimension in DIMENSIONS},
    },
)


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_safe_html(response, what) -> None:
    """200, and the only scripts are the site's own external files; no on* attribute anywhere."""
    assert response.status_code == 200, (what, response.status_code)
    parser = _Tags()
    parser.feed(response.content.decode())
    for tag, attrs in parser.tags:
        names = {name for name, _value in attrs}
        assert not any(name.startswith("on") for name in names), (what, tag, attrs)
        if tag == "script":
            src = dict(attrs).get("src") or ""
            assert src.startswith("/static/") and src.endswith(".js"), (what, attrs)
        for name, value in attrs:
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), (what, attrs)


def assert_json(response, what) -> dict:
    assert response.status_code == 200, (what, response.status_code)
    assert response["Content-Type"].startswith("application/json"), what
    return json.loads(response.content)


@pytest.fixture
def content(site_tree):
    """A little published work so searches, facets and listings have something to count."""
    factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo, title="Trygg hemgång i Eksjö", themes=[site_tree.transitions]
    )
    factories.ImprovementProjectPageFactory(
        parent=site_tree.nassjo,
        title="Läkemedelsgenomgång",
        status="completed",
        pdsa_cycles__0__pdsa_cycle__decision="abandon",
        themes=[site_tree.self_care],
    )
    factories.TrainingMaterialPageFactory(parent=site_tree.eksjo, themes=[site_tree.self_care])
    factories.CaseStoryPageFactory(parent=site_tree.nassjo, themes=[site_tree.transitions])
    return site_tree


@hypothesis_settings(2000)
@given(params=params_strategy)
def test_query_parsing_never_raises(db, params):
    """The fast path: the one parser every endpoint shares, without HTTP."""
    query = SearchQuery.from_params(to_querydict(params), language=params.get("language", "sv"))
    assert 1 <= query.page <= MAX_PAGE
    assert 1 <= query.page_size <= MAX_PAGE_SIZE
    assert len(query.text) <= MAX_QUERY_LENGTH
    assert query.language in ("sv", "en")
    query.filters.query_string()


@hypothesis_settings(250)
@given(params=params_strategy)
def test_search_api_answers_anything(client, content, params):
    payload = assert_json(client.get("/sv/api/search/", params), params)
    assert isinstance(payload.get("hits"), list), params


@hypothesis_settings(100)
@given(params=params_strategy)
def test_search_page_answers_anything_without_echoing_markup(client, content, params):
    assert_safe_html(client.get("/sv/sok/", params), params)


@hypothesis_settings(500)
@given(prefix=any_text, extra=st.dictionaries(st.sampled_from(["language", "limit"]), any_text))
def test_autocomplete_answers_anything(client, content, prefix, extra):
    payload = assert_json(client.get("/sv/api/autocomplete/", {"q": prefix, **extra}), prefix)
    assert isinstance(payload["suggestions"], list)
    assert len(payload["q"]) <= 50


@hypothesis_settings(100)
@given(params=params_strategy)
def test_listing_page_answers_anything_without_echoing_markup(client, content, params):
    assert_safe_html(client.get(content.listing.url, params), params)


def test_script_injection_in_page_content_renders_escaped(client, site_tree):
    evil = f"Trygg {SCRIPT} hemgång {ATTRIBUTE}"
    project = factories.ImprovementProjectPageFactory(
        parent=site_tree.eksjo,
        title=evil,
        summary=evil,
        aim=evil,
        themes=[site_tree.transitions],
        pdsa_cycles__0__pdsa_cycle__title=evil,
        pdsa_cycles__0__pdsa_cycle__plan=evil,
        measures__0__measure__name=evil,
        measures__0__measure__unit=evil,
        change_ideas__0__change_idea__title=evil,
        contacts__0__contact__name=evil,
    )
    # Rich text the way the editor saves it: Draftail content state converted by Wagtail.
    rich = ContentstateConverter(RICH_FEATURES).to_database_format(draftail(evil))
    story = factories.CaseStoryPageFactory(
        parent=site_tree.nassjo,
        title=evil,
        summary=evil,
        quote=evil,
        quote_attribution=evil,
        story__0__esther_voice__text=evil,
        story__1__heading__text=evil,
        outcome=rich,
    )
    for page in (project, story):
        response = client.get(page.url)
        assert_safe_html(response, page.url)
        html = response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&quot; onmouseover=&quot;x" in html
    # The listings, search and feeds show the same titles and summaries.
    for url in (site_tree.listing.url, "/sv/sok/?q=hemg%C3%A5ng"):
        assert_safe_html(client.get(url), url)
