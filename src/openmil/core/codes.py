"""ISO 3166 countries, ISO 639 languages and CEFR levels.

Codes come from pycountry; names come from babel's CLDR data for the active
language, falling back to pycountry's English name. `CefrLevel` is the one
scale of language levels: assessments, readiness criteria and opportunity
requirements all store it as a number 0–6.
"""

from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class CefrLevel(models.IntegerChoices):
    """CEFR levels, ordered so that a higher number is a higher level.

    Stored as 0 (Pre-A1) … 6 (C2); `code` is the text form used on the wire
    ("pre_a1", "a1", … "c2").
    """

    PRE_A1 = 0, _("Pre-A1")
    A1 = 1, "A1"
    A2 = 2, "A2"
    B1 = 3, "B1"
    B2 = 4, "B2"
    C1 = 5, "C1"
    C2 = 6, "C2"

    @property
    def code(self) -> str:
        return CEFR_CODES[self.value]

    @classmethod
    def from_code(cls, code: str) -> "CefrLevel":
        """The level for a text code ("b1"); ValueError if unknown."""
        try:
            return cls(CEFR_CODES.index(code.strip().lower()))
        except ValueError:
            raise ValueError(f"unknown CEFR level {code!r}") from None


#: Text codes of the CEFR levels, indexed by level.
CEFR_CODES = ("pre_a1", "a1", "a2", "b1", "b2", "c1", "c2")

# ISO 639-3 languages without a two-letter code that labs meet often.
EXTRA_LANGUAGES = ("prs", "ckb", "kmr", "sdh", "hbs", "rom", "fil", "tzm", "kab", "mnk")


@lru_cache(maxsize=1)
def _country_codes() -> tuple[str, ...]:
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


@lru_cache(maxsize=1)
def _language_codes() -> tuple[str, ...]:
    codes = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    return tuple(sorted(codes | set(EXTRA_LANGUAGES)))


@lru_cache(maxsize=16)
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _active() -> str:
    return translation.get_language() or "en"


def country_name(code: str, lang: str | None = None) -> str:
    if not code:
        return ""
    locale = _locale(lang or _active())
    if locale and code in locale.territories:
        return str(locale.territories[code])
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def language_name(code: str, lang: str | None = None) -> str:
    if not code:
        return ""
    locale = _locale(lang or _active())
    if locale and code in locale.languages:
        return str(locale.languages[code])
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    return found.name if found else code


def is_country(code: str) -> bool:
    return code in _country_codes()


def is_language(code: str) -> bool:
    return code in _language_codes()


@lru_cache(maxsize=16)
def _country_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(
        ((code, country_name(code, lang)) for code in _country_codes()),
        key=lambda item: item[1],
    )


@lru_cache(maxsize=16)
def _language_choices(lang: str) -> list[tuple[str, str]]:
    return sorted(
        ((code, language_name(code, lang)) for code in _language_codes()),
        key=lambda item: item[1],
    )


def country_choices() -> list[tuple[str, str]]:
    return _country_choices(_active())


def language_choices() -> list[tuple[str, str]]:
    return _language_choices(_active())
