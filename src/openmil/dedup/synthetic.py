"""A deterministic generator of people with planted duplicates, for tests and
benchmarks of duplicate detection.

Each duplicate is a second record of one person as another office might
write it: the name in Arabic or Cyrillic script, another Latin
transliteration, a typo, day and month swapped, only the year of birth, a
phone written differently or missing. Relatives sharing a family name, a
phone and a country are planted too, as look-alikes that are NOT
duplicates.
"""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

_ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "r",
    "s",
    "sh",
    "t",
    "y",
    "z",
    "w",
    "q",
    "p",
]
_VOWELS = ["a", "e", "i", "o", "u", "a", "i", "ou"]
_CODAS = ["", "", "n", "r", "d", "m", "l", "s", "h", "b", "t", "f", "k"]
COUNTRIES = ["SY", "AF", "UA", "ER", "IQ", "SD", "NG", "VE", "BD", "PK", "RU", "MA"]

_CYRILLIC = [
    ("kh", "х"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("ou", "у"),
    ("ya", "я"),
    ("yu", "ю"),
    ("a", "а"),
    ("b", "б"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "дж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "к"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "в"),
    ("y", "й"),
    ("z", "з"),
]
_ARABIC = [
    ("kh", "خ"),
    ("sh", "ش"),
    ("ch", "ش"),
    ("ou", "و"),
    ("c", "ك"),
    ("ee", "ي"),
    ("b", "ب"),
    ("d", "د"),
    ("f", "ف"),
    ("g", "غ"),
    ("h", "ه"),
    ("j", "ج"),
    ("k", "ك"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("p", "ب"),
    ("q", "ق"),
    ("r", "ر"),
    ("s", "س"),
    ("t", "ت"),
    ("w", "و"),
    ("y", "ي"),
    ("z", "ز"),
    ("u", "و"),
    ("a", ""),
    ("e", ""),
    ("i", ""),
    ("o", ""),
]
_VARIANTS = [
    ("ou", "u"),
    ("u", "ou"),
    ("kh", "h"),
    ("e", "a"),
    ("a", "e"),
    ("i", "ee"),
    ("y", "i"),
    ("q", "k"),
    ("sh", "ch"),
]


def _syllables(rng: random.Random, n: int) -> str:
    return "".join(
        rng.choice(_ONSETS)
        + rng.choice(_VOWELS)
        + (rng.choice(_CODAS) if i == n - 1 else "")
        for i in range(n)
    )


def _script(name: str, table: list[tuple[str, str]], keep_initial_vowel: bool) -> str:
    out, i = [], 0
    lower = name.lower()
    while i < len(lower):
        for latin, native in table:
            if lower.startswith(latin, i):
                if keep_initial_vowel and i == 0 and not native and latin in "aeio":
                    native = "ا"
                out.append(native)
                i += len(latin)
                break
        else:
            i += 1
    return "".join(out)


def to_cyrillic(name: str) -> str:
    return " ".join(_script(w, _CYRILLIC, False).capitalize() for w in name.split())


def to_arabic(name: str) -> str:
    return " ".join(_script(w, _ARABIC, True) for w in name.split())


def _variant(rng: random.Random, name: str) -> str:
    options = [(a, b) for a, b in _VARIANTS if a in name.lower()]
    if not options:
        return name + name[-1]
    a, b = rng.choice(options)
    return name.lower().replace(a, b, 1).capitalize()


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name + "a"
    i = rng.randrange(1, len(name) - 1)
    kind = rng.choice(["drop", "swap", "double"])
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i] + name[i:]


@dataclass
class Generated:
    records: list[dict[str, Any]]
    #: Pairs of record ids (smaller first) that are one person.
    true_pairs: set[tuple[int, int]]


def generate(
    n: int, *, duplicate_rate: float = 0.1, relative_rate: float = 0.1, seed: int = 7
) -> Generated:
    """`n` originals, about `duplicate_rate * n` duplicates and
    `relative_rate * n` relatives (distinct people who look alike)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    givens = sorted(
        {_syllables(rng, rng.choice([2, 2, 3])).capitalize() for _ in range(900)}
    )
    families = sorted(
        {_syllables(rng, rng.choice([2, 3, 3])).capitalize() for _ in range(4000)}
    )
    records: list[dict[str, Any]] = []
    true_pairs: set[tuple[int, int]] = set()

    def add(record: dict[str, Any]) -> int:
        record["id"] = len(records) + 1
        record.setdefault("name_latin", "")
        record.setdefault("birth_date_precision", "day")
        records.append(record)
        return record["id"]

    originals: list[tuple[int, dict[str, Any]]] = []
    for _ in range(n):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 58 * 365))
        phone = (
            f"+{rng.randint(30, 49)} {rng.randint(600, 999)} "
            f"{rng.randint(100, 999)} {rng.randint(100, 999)}"
        )
        person: dict[str, Any] = {
            "given_name": rng.choice(givens),
            "family_name": rng.choice(families),
            "birth_date": birth,
            "country_of_origin": rng.choice(COUNTRIES),
            "phone": phone if rng.random() < 0.7 else "",
        }
        originals.append((add(person), person))
    for _ in range(int(n * relative_rate)):
        _id, base = rng.choice(originals)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 58 * 365))
        add(
            {
                "given_name": rng.choice(givens),
                "family_name": base["family_name"],
                "birth_date": birth,
                "country_of_origin": base["country_of_origin"],
                "phone": base["phone"] if rng.random() < 0.5 else "",
            }
        )
    for original_id, base in rng.sample(originals, int(n * duplicate_rate)):
        dup: dict[str, Any] = dict(base)
        dup.pop("id", None)
        changes = rng.sample(
            ["script", "variant", "typo", "dob", "year_only", "phone"],
            rng.choice([1, 2, 2, 3]),
        )
        if "variant" in changes:
            dup["given_name"] = _variant(rng, dup["given_name"])
        if "typo" in changes:
            dup["family_name"] = _typo(rng, dup["family_name"])
        if "script" in changes:
            latin = f"{dup['given_name']} {dup['family_name']}"
            convert = to_arabic if rng.random() < 0.5 else to_cyrillic
            dup["given_name"] = convert(dup["given_name"])
            dup["family_name"] = convert(dup["family_name"])
            dup["name_latin"] = _variant(rng, latin) if rng.random() < 0.5 else ""
        if "dob" in changes:
            b = dup["birth_date"]
            if b.day <= 12 and b.day != b.month:
                dup["birth_date"] = dt.date(b.year, b.day, b.month)
            else:
                dup["birth_date"] = b + dt.timedelta(days=rng.choice([-1, 1]))
        if "year_only" in changes:
            dup["birth_date_precision"] = "year"
        if "phone" in changes:
            digits = "".join(c for c in dup["phone"] if c.isdigit())
            dup["phone"] = "00" + digits if digits and rng.random() < 0.5 else ""
        dup_id = add(dup)
        true_pairs.add((min(original_id, dup_id), max(original_id, dup_id)))
    return Generated(records=records, true_pairs=true_pairs)
