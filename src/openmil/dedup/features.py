"""What the linkage model compares: names brought to one script, dates of
birth split by precision, phones as digits.

Names are transliterated to ASCII with `anyascii` (Arabic, Persian,
Cyrillic, Greek, … all land in Latin letters), or taken from the record's
Latin-script name when staff wrote it. A consonant *skeleton* then absorbs
the differences between transliterations: Arabic script carries no short
vowels (محمد → "mhmd"), and "Mohammad", "Muhammad", "Мухаммад" and محمد all
give "mhmd".
"""

import re
import unicodedata
from typing import Any

from anyascii import anyascii

_NOT_LETTER = re.compile(r"[^a-z ]+")
#: Digraphs that transliteration systems write differently.
_DIGRAPHS = (
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "j"),
    ("dj", "j"),
    ("dzh", "j"),
    ("ts", "s"),
    ("q", "k"),
    ("c", "k"),
    ("p", "b"),
    ("z", "s"),
    ("v", "w"),
    ("x", "ks"),
)
_VOWELS = re.compile(r"[aeiouyw]")
_REPEATS = re.compile(r"(.)\1+")
#: The Arabic article, glued or hyphenated: Al-Halabi, El Sayed, الحلبي.
_ARTICLE = re.compile(r"^(al|el|ul)(?=[a-z]{3})")

FEATURE_COLUMNS = (
    "given",
    "family",
    "given_sk",
    "family_sk",
    "dob_full",
    "dob_swap",
    "dob_ym",
    "dob_y",
    "country",
    "phone",
)


def latin(text: str) -> str:
    """Lower-case ASCII letters and single spaces, from any script."""
    text = unicodedata.normalize("NFKC", text or "").replace("\u0640", "")
    ascii_text = anyascii(text).lower().replace("-", " ").replace("'", "")
    return " ".join(_NOT_LETTER.sub(" ", ascii_text).split())


def skeleton(text: str) -> str:
    """The consonants of a Latin-letter name, spelling variants folded."""
    words = []
    for word in text.split():
        word = _ARTICLE.sub("", word)
        for old, new in _DIGRAPHS:
            word = word.replace(old, new)
        first = word[:1]
        rest = _VOWELS.sub("", word[1:])
        # A leading vowel is dropped too (Omar / Umar / عمر → "mr").
        core = rest if first in "aeiouyw" else first + rest
        core = _REPEATS.sub(r"\1", core)
        if len(core) > 2 and core.endswith("h"):
            core = core[:-1]  # ta marbuta: فاطمة → ftmh, Fatima → ftm
        if core:
            words.append(core)
    return "".join(words)


def phone_digits(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return None
    return digits[-9:]


def _has_non_latin(text: str) -> bool:
    return any(ord(ch) > 0x24F and ch.isalpha() for ch in text)


def split_names(given_name: str, family_name: str, name_latin: str) -> tuple[str, str]:
    """Given and family name in Latin letters.

    The Latin-script name staff wrote is preferred for a name in another
    script (its first word is the given name, the rest the family name).
    """
    native = f"{given_name} {family_name}"
    if name_latin and _has_non_latin(native):
        words = latin(name_latin).split()
        if words:
            return words[0], " ".join(words[1:])
    return latin(given_name), latin(family_name)


def features(record: dict[str, Any]) -> dict[str, Any]:
    """The comparison columns of one participant (a dict of model fields)."""
    given, family = split_names(
        record.get("given_name") or "",
        record.get("family_name") or "",
        record.get("name_latin") or "",
    )
    birth = record.get("birth_date")
    precision = record.get("birth_date_precision") or "day"
    dob_full = dob_swap = dob_ym = dob_y = None
    if birth is not None:
        dob_y = f"{birth.year:04d}"
        if precision in ("day", "month"):
            dob_ym = f"{birth.year:04d}-{birth.month:02d}"
        if precision == "day":
            dob_full = birth.isoformat()
            if birth.day <= 12 and birth.day != birth.month:
                dob_swap = f"{birth.year:04d}-{birth.day:02d}-{birth.month:02d}"
    return {
        "given": given or None,
        "family": family or None,
        "given_sk": skeleton(given) or None,
        "family_sk": skeleton(family) or None,
        "dob_full": dob_full,
        "dob_swap": dob_swap,
        "dob_ym": dob_ym,
        "dob_y": dob_y,
        "country": record.get("country_of_origin") or None,
        "phone": phone_digits(record.get("phone") or ""),
    }
