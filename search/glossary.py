"""Glossary synonyms: a query phrase in one language also matches its equivalent in the other."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from search.analysis import words

CACHE_KEY = "search:glossary:v1"


@dataclass(frozen=True)
class Equivalent:
    swedish: tuple[str, ...]
    english: tuple[str, ...]


def equivalents() -> list[Equivalent]:
    """All glossary entries as word tuples, cached until the glossary changes."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        from search.models import GlossaryTerm

        cached = [
            Equivalent(tuple(words(term.swedish)), tuple(words(term.english)))
            for term in GlossaryTerm.objects.all()
        ]
        cache.set(CACHE_KEY, cached, 300)
    return cached


def forget() -> None:
    cache.delete(CACHE_KEY)
