"""Factories for good practices."""

from typing import Any

from django.utils import timezone

from openmil.core.models import Lab
from openmil.network import search
from openmil.network.models import Practice, PracticeVersion


def practice_make(
    *,
    lab: Lab,
    title: str,
    summary: str = "A summary.",
    language: str = "en",
    published: bool = True,
    pillar: str = "economic",
    **fields: Any,
) -> Practice:
    """A practice with one language version, indexed for search."""
    practice = Practice.objects.create(
        lab=lab,
        pillar=pillar,
        status=Practice.Status.PUBLISHED if published else Practice.Status.DRAFT,
        published_at=timezone.now() if published else None,
        sdgs=fields.pop("sdgs", [8]),
        countries=fields.pop("countries", [lab.country]),
        evidence_indicators=fields.pop("evidence_indicators", []),
    )
    version_add(practice, language=language, title=title, summary=summary, **fields)
    return practice


def version_add(practice: Practice, **fields: Any) -> PracticeVersion:
    version = PracticeVersion.objects.create(practice=practice, **fields)
    search.index_version(version)
    return version
