#!/usr/bin/env python3
"""Fill the catalogs of the nine languages besides English from
tools/translations/<lang>.json and tools/translations/<lang>/*.json.

French and Arabic are complete for every message (the staff pages are offered
in English, French and Arabic: settings.STAFF_LANGUAGES). The seven other
languages of the public site (settings.LANGUAGES) must be complete for the
public messages only: those with an occurrence in a path that has a `public`
directory component or in a file whose name starts with `public_` (see
`is_public`). Their other messages stay empty, so Django falls back to
English on staff pages, which do not offer these languages anyway.

Each app may keep its own entries in tools/translations/{fr,ar}/<app>.json;
those files are read together with the main one (a key in two files must
have the same value), so parallel work on separate apps never edits the
same JSON file.

Run after `django-admin makemessages` and before `django-admin
compilemessages` (see the refresh steps in the module's last lines or
`--help`). The JSON files are the source of truth: one entry per msgid,
a string for a singular message, a list with one string per plural form
for a plural message. A message with a context is keyed "context\\x04msgid"
(the gettext convention).

For every message of each catalog the script sets the translation from the
JSON file and clears `#, fuzzy`. Messages the JSON file does not know are
left as they are (empty, or fuzzy from msgmerge, so Django falls back to
English) and are listed; the exit status is then 1. Translations whose
placeholders differ from the msgid's are refused and listed too.

    .venv/bin/python tools/translate_fill.py           # fill and write
    .venv/bin/python tools/translate_fill.py --check   # write nothing; fail
                                                       # if anything is missing
    .venv/bin/python tools/translate_fill.py --missing-json
        # also print a JSON skeleton of the missing messages, ready to fill
    .venv/bin/python tools/translate_fill.py --prune
        # also drop JSON entries whose msgid left the catalogs
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "openmil" / "locale"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

LANGUAGES: dict[str, dict[str, Any]] = {
    "fr": {
        "team": "French",
        "plural_forms": "nplurals=2; plural=(n > 1);",
    },
    "ar": {
        "team": "Arabic",
        "plural_forms": (
            "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
            "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"
        ),
    },
    # The other languages of the public site; Plural-Forms as in Django's own
    # catalog of each language (django/conf/locale/<lang>/LC_MESSAGES).
    "es": {
        "team": "Spanish",
        "plural_forms": (
            "nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
        ),
        "public_only": True,
    },
    "it": {
        "team": "Italian",
        "plural_forms": "nplurals=2; plural=(n != 1);",
        "public_only": True,
    },
    "de": {
        "team": "German",
        "plural_forms": "nplurals=2; plural=(n != 1);",
        "public_only": True,
    },
    "pt": {
        "team": "Portuguese",
        "plural_forms": "nplurals=2; plural=(n != 1);",
        "public_only": True,
    },
    "uk": {
        "team": "Ukrainian",
        "plural_forms": (
            "nplurals=4; plural=(n % 1 == 0 && n % 10 == 1 && n % 100 != 11 ? 0 : "
            "n % 1 == 0 && n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || "
            "n % 100 > 14) ? 1 : n % 1 == 0 && (n % 10 ==0 || (n % 10 >=5 && "
            "n % 10 <=9) || (n % 100 >=11 && n % 100 <=14 )) ? 2: 3);"
        ),
        "public_only": True,
    },
    "fa": {
        "team": "Persian",
        "plural_forms": "nplurals=2; plural=(n > 1);",
        "public_only": True,
    },
    "tr": {
        "team": "Turkish",
        "plural_forms": "nplurals=2; plural=(n > 1);",
        "public_only": True,
    },
}


def is_public_path(path: str) -> bool:
    """A source path of the public site: a `public` directory component, or
    a file named public_*."""
    parts = Path(path.replace("\\", "/")).parts
    return "public" in parts[:-1] or parts[-1].startswith("public_")


def is_public(message: Message) -> bool:
    """A message with at least one occurrence on the public site."""
    return any(is_public_path(filename) for filename, _line in message.locations)


HEADER_COMMENT = (
    "# OpenMIL — {team} translation.\n"
    "# This file is distributed under the same license as OpenMIL"
    " (AGPL-3.0-or-later).\n"
    "# Filled from tools/translations/{lang}.json by tools/translate_fill.py;"
    " edit that file, not this one.\n"
    "#"
)

# %(name)s style and bare %s/%d placeholders; "%%" is a literal percent.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def key_of(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def check_entry(
    message: Message, value: object, nplurals: int
) -> tuple[tuple[str, ...] | str | None, str | None]:
    """The translation to set, or None and the reason it is refused."""
    plural = isinstance(message.id, tuple | list)
    if plural:
        if not isinstance(value, list) or len(value) != nplurals:
            return None, f"needs a list of {nplurals} plural forms"
        forms = tuple(str(v) for v in value)
        wanted = placeholders(message.id[0]) | placeholders(message.id[1])
        for form in forms:
            if not form.strip():
                return None, "has an empty plural form"
            if not placeholders(form) <= wanted:
                return None, f"unknown placeholder in {form!r}"
        # Every named placeholder must appear in at least the "other" forms.
        if placeholders(forms[-1]) != placeholders(message.id[1]):
            return None, f"placeholders differ from the msgid in {forms[-1]!r}"
        return forms, None
    if not isinstance(value, str) or not value.strip():
        return None, "needs a non-empty string"
    if placeholders(value) != placeholders(message.id):
        return None, f"placeholders differ from the msgid in {value!r}"
    return value, None


def fill(lang: str, *, write: bool) -> tuple[list[str], list[str], list[str], bool]:
    """Returns (missing msgids, refused entries, unused JSON keys, changed)."""
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
    translations = load_translations(lang)
    original = po_path.read_bytes()
    with po_path.open("rb") as f:
        catalog: Catalog = read_po(f, locale=lang)
    settings: dict[str, Any] = LANGUAGES[lang]
    catalog.mime_headers = [("Plural-Forms", settings["plural_forms"])]
    catalog.fuzzy = False
    catalog.locale = Locale.parse(lang)
    catalog.project = "OpenMIL"
    catalog.version = _project_version()
    catalog.revision_date = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    catalog.language_team = settings["team"]
    catalog.last_translator = "OpenMIL translators"
    catalog.header_comment = HEADER_COMMENT.format(team=settings["team"], lang=lang)
    catalog.obsolete.clear()

    missing: list[str] = []
    refused: list[str] = []
    used: set[str] = set()
    public_only = bool(settings.get("public_only"))
    for message in catalog:
        if not message.id:
            continue
        key = key_of(message)
        if key not in translations:
            if not public_only or is_public(message):
                missing.append(key)
            continue
        used.add(key)
        value, problem = check_entry(message, translations[key], catalog.num_plurals)
        if value is None:
            refused.append(f"{key!r}: {problem}")
            continue
        message.string = value
        message.flags.discard("fuzzy")
        message.previous_id = []
        message.previous_context = None

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=79, include_previous=False)
    new = buffer.getvalue()
    # Babel stamps the revision date on every write; keep the file stable when
    # nothing else changed so that a re-run is a no-op.
    changed = _strip_dates(new) != _strip_dates(original)
    if write and changed:
        po_path.write_bytes(new)
    unused = sorted(set(translations) - used)
    return missing, refused, unused, changed


def translation_files(lang: str) -> list[Path]:
    """The main JSON file of a language, then the per-app files beside it."""
    main = TRANSLATIONS_DIR / f"{lang}.json"
    return [
        *([main] if main.exists() else []),
        *sorted((TRANSLATIONS_DIR / lang).glob("*.json")),
    ]


def load_translations(lang: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for path in translation_files(lang):
        for key, value in json.loads(path.read_text("utf-8")).items():
            if key in merged and merged[key] != value:
                raise SystemExit(f"{path}: {key!r} differs from an earlier file")
            merged[key] = value
    return merged


def prune(lang: str, keys: list[str]) -> None:
    for json_path in translation_files(lang):
        translations = json.loads(json_path.read_text("utf-8"))
        for key in keys:
            translations.pop(key, None)
        json_path.write_text(
            json.dumps(translations, ensure_ascii=False, indent=2) + "\n", "utf-8"
        )


def _project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _strip_dates(data: bytes) -> bytes:
    return re.sub(rb'"(PO-Revision-Date|POT-Creation-Date): [^"]*"', b"", data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail on any gap"
    )
    parser.add_argument(
        "--missing-json",
        action="store_true",
        help="print a JSON skeleton of the missing messages",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove from the JSON file the entries no catalog message uses",
    )
    parser.add_argument("languages", nargs="*", default=list(LANGUAGES))
    args = parser.parse_args()

    status = 0
    for lang in args.languages:
        missing, refused, unused, changed = fill(lang, write=not args.check)
        po = LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"
        with po.open("rb") as f:
            total = sum(1 for m in read_po(f) if m.id)
        verb = "would change" if args.check else "updated"
        state = verb if changed else "unchanged"
        print(
            f"{lang}: {total} messages, {len(missing)} missing, "
            f"{len(refused)} refused, {len(unused)} unused in JSON; po {state}"
        )
        for key in missing:
            print(f"  MISSING {key!r}")
        for line in refused:
            print(f"  REFUSED {line}")
        for key in unused:
            print(f"  unused (no longer in the catalog) {key!r}")
        if args.prune and unused and not args.check:
            prune(lang, unused)
            print(f"  pruned {len(unused)} unused entries from {lang}.json")
        if args.missing_json and missing:
            print(json.dumps(dict.fromkeys(missing, ""), ensure_ascii=False, indent=2))
        if missing or refused or (args.check and changed):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
