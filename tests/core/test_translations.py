"""The catalogs are complete, compiled and up to date.

French and Arabic are complete for every message; the seven other languages
of the public site (Spanish, Italian, German, Portuguese, Ukrainian, Persian,
Turkish) for the public messages (tools/translate_fill.py, `is_public`).

When a test here fails after a change of wording, refresh the catalogs:

    cd src/openmil && PYTHONPATH=../../src OPENMIL_DATA_DIR=/tmp/i18n-data \\
      ../../.venv/bin/django-admin makemessages -l fr -l ar -l es -l it -l de \\
      -l pt -l uk -l fa -l tr \\
      --settings=openmil.config.settings --ignore='demo/*' -e html,py,txt
    cd ../.. && .venv/bin/python tools/translate_fill.py   # add missing
                        # entries to tools/translations/{fr,ar}.json first
    cd src/openmil && ../../.venv/bin/django-admin compilemessages \\
      --settings=openmil.config.settings
"""

import gettext as gettext_module
import importlib.util
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize

import openmil
from openmil.classifications.models import Occupation
from openmil.core.models import AuditEntry
from openmil.core.templatetags.openmil_audit import (
    audit_channel,
    audit_detail,
    audit_field,
    audit_object_type,
)
from tests.conftest import client_for

PACKAGE = Path(openmil.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
#: Complete for every message.
LANGUAGES = ["fr", "ar"]
#: Complete for the messages of the public site.
PUBLIC_LANGUAGES = ["es", "it", "de", "pt", "uk", "fa", "tr"]
ALL_LANGUAGES = LANGUAGES + PUBLIC_LANGUAGES


def _translate_fill():
    path = PACKAGE.parent.parent / "tools" / "translate_fill.py"
    spec = importlib.util.spec_from_file_location("translate_fill", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FILL = _translate_fill()
ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"
)
REFRESH = (
    "refresh the catalogs: makemessages, tools/translate_fill.py, "
    "compilemessages (see this module's docstring)"
)

# The keywords django-admin makemessages passes to xgettext.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _po(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "django.po").open("rb") as f:
        return read_po(f, locale=lang)


def _mo(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb") as f:
        return read_mo(f)


def _key(message_id: str | tuple[str, ...], context: str | None) -> tuple:
    singular = message_id[0] if isinstance(message_id, tuple | list) else message_id
    return (context or None, singular)


def _as_dict(catalog: Catalog) -> dict[tuple, tuple[str, ...]]:
    result = {}
    for message in catalog:
        # Untranslated entries (allowed for staff messages in the languages of
        # the public site only) are not compiled.
        if not message.id or message.fuzzy or not _translated(message):
            continue
        strings = message.string
        if not isinstance(strings, tuple | list):
            strings = (strings,)
        result[_key(message.id, message.context)] = tuple(strings)
    return result


def _sample_n(catalog: Catalog) -> dict[int, int]:
    """For each plural form index, a count that selects it."""
    plural = gettext_module.c2py(catalog.plural_expr)
    samples: dict[int, int] = {}
    # Spanish has a form for millions.
    for n in [*range(1000), 1_000_000]:
        samples.setdefault(plural(n), n)
    return samples


def _source_messages() -> dict[tuple, str]:
    """Every translatable message of the templates and Python modules.

    Templates go through Django's own `templatize`, as makemessages does, so
    {% translate %} and {% blocktranslate %} give the same msgids.
    """
    found: dict[tuple, str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in {"demo", "locale", "static"} or not path.is_file():
            continue
        if path.suffix in {".html", ".txt"}:
            source = templatize(path.read_text("utf-8"), origin=str(path))
        elif path.suffix == ".py":
            source = path.read_text("utf-8")
        else:
            continue
        for _line, message, _comments, context in extract(
            "python", io.BytesIO(source.encode()), keywords=KEYWORDS
        ):
            found.setdefault(_key(message, context), str(rel))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    catalog = _po(lang)
    assert not catalog.fuzzy, f"the {lang} header is marked fuzzy"
    gaps = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            gaps.append(f"fuzzy: {message.id!r}")
        strings = message.string
        if isinstance(message.id, tuple | list):
            if not isinstance(strings, tuple | list):
                gaps.append(f"not plural: {message.id!r}")
                continue
            if len(strings) != catalog.num_plurals:
                gaps.append(f"{len(strings)} plural forms: {message.id!r}")
        else:
            strings = (strings,)
        if not all(s and s.strip() for s in strings):
            gaps.append(f"untranslated: {message.id!r}")
    assert not gaps, f"{lang}: {len(gaps)} problems; {REFRESH}\n" + "\n".join(gaps)
    assert len(catalog) > 100


def test_arabic_has_six_plural_forms():
    catalog = _po("ar")
    assert catalog.num_plurals == 6
    assert catalog.plural_forms == ARABIC_PLURAL_FORMS


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_compiled_catalog_matches_po(lang):
    po = _as_dict(_po(lang))
    mo = _as_dict(_mo(lang))
    mo.pop(_key("", None), None)
    stale = {k for k in po.keys() | mo.keys() if po.get(k) != mo.get(k)}
    assert not stale, (
        f"{lang}: django.mo differs from django.po for "
        f"{sorted(map(str, stale))[:10]}; run compilemessages"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_cover_every_source_message(lang):
    known = _as_dict(_po(lang)).keys()
    missing = {
        f"{where}: {msgid!r}"
        for (context, msgid), where in _source_messages().items()
        if (context, msgid) not in known
    }
    assert not missing, f"{lang}: not in the catalog; {REFRESH}\n" + "\n".join(
        sorted(missing)
    )


def _translated(message) -> bool:
    strings = message.string
    if not isinstance(strings, tuple | list):
        strings = (strings,)
    return not message.fuzzy and all(s and s.strip() for s in strings)


def _public_source_messages() -> dict[tuple, str]:
    """The messages of the source with an occurrence on the public site."""
    found: dict[tuple, str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in {"demo", "locale", "static"} or not path.is_file():
            continue
        if not FILL.is_public_path(str(rel)):
            continue
        if path.suffix in {".html", ".txt"}:
            source = templatize(path.read_text("utf-8"), origin=str(path))
        elif path.suffix == ".py":
            source = path.read_text("utf-8")
        else:
            continue
        for _line, message, _comments, context in extract(
            "python", io.BytesIO(source.encode()), keywords=KEYWORDS
        ):
            found.setdefault(_key(message, context), str(rel))
    return found


@pytest.mark.parametrize("lang", PUBLIC_LANGUAGES)
def test_every_public_message_is_translated(lang):
    catalog = _po(lang)
    assert not catalog.fuzzy, f"the {lang} header is marked fuzzy"
    gaps = []
    public = 0
    for message in catalog:
        if not message.id or not FILL.is_public(message):
            continue
        public += 1
        if isinstance(message.id, tuple | list) and (
            not isinstance(message.string, tuple | list)
            or len(message.string) != catalog.num_plurals
        ):
            gaps.append(f"plural forms: {message.id!r}")
        elif not _translated(message):
            gaps.append(f"untranslated: {message.id!r}")
    assert not gaps, f"{lang}: {len(gaps)} problems; {REFRESH}\n" + "\n".join(gaps)
    assert public > 50


@pytest.mark.parametrize("lang", PUBLIC_LANGUAGES)
def test_catalogs_cover_every_public_source_message(lang):
    known = {k for k, v in _as_dict(_po(lang)).items() if all(s for s in v)}
    missing = {
        f"{where}: {msgid!r}"
        for (context, msgid), where in _public_source_messages().items()
        if (context, msgid) not in known
    }
    assert not missing, f"{lang}: not translated; {REFRESH}\n" + "\n".join(
        sorted(missing)
    )


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_plural_forms_are_those_of_djangos_own_catalog(lang):
    django_po = (
        Path(translation.__file__).resolve().parent.parent.parent
        / "conf"
        / "locale"
        / lang
        / "LC_MESSAGES"
        / "django.po"
    )
    with django_po.open("rb") as f:
        django_catalog = read_po(f, locale=lang)
    assert _po(lang).num_plurals == django_catalog.num_plurals
    assert FILL.LANGUAGES[lang]["plural_forms"].rstrip(";") == (
        _po(lang).plural_forms.rstrip(";")
    )


def test_the_public_rule_names_public_paths():
    assert FILL.is_public_path("templates/public/base.html")
    assert FILL.is_public_path("events/templates/events/public/x.html")
    assert FILL.is_public_path("public/views.py")
    assert FILL.is_public_path("campaigns/public_forms.py")
    assert not FILL.is_public_path("events/views.py")
    assert not FILL.is_public_path("templates/base.html")
    assert not FILL.is_public_path("core/publicity.py")


def test_ten_languages_on_the_public_site_three_on_staff_pages(settings):
    codes = [code for code, _name in settings.LANGUAGES]
    assert codes == ["en", *ALL_LANGUAGES[:2], *PUBLIC_LANGUAGES]
    assert [code for code, _name in settings.STAFF_LANGUAGES] == ["en", "fr", "ar"]
    assert set(FILL.LANGUAGES) == set(ALL_LANGUAGES)


def test_source_scan_finds_templates_and_python():
    found = _source_messages()
    assert (None, "Skip to content") in found  # base.html
    assert (None, "%(n)s participant") in found  # blocktranslate count
    assert (None, "This date is in the future.") in found  # models.py


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_django_serves_our_translations(lang):
    """Every entry reaches the running site, ahead of Django's own catalogs."""
    catalog = _po(lang)
    samples = _sample_n(catalog)
    wrong = []
    with translation.override(lang):
        for message in catalog:
            if not message.id or not _translated(message):
                continue
            if isinstance(message.id, tuple | list):
                for form, expected in enumerate(message.string):
                    if form not in samples:
                        continue  # a form for fractions only (Ukrainian)
                    n = samples[form]
                    if message.context:
                        got = translation.npgettext(
                            message.context, message.id[0], message.id[1], n
                        )
                    else:
                        got = translation.ngettext(message.id[0], message.id[1], n)
                    if got != expected:
                        wrong.append((message.id[0], n, got, expected))
            else:
                if message.context:
                    got = translation.pgettext(message.context, message.id)
                else:
                    got = translation.gettext(message.id)
                if got != message.string:
                    wrong.append((message.id, got, message.string))
    assert not wrong, wrong[:10]


def test_known_translations():
    with translation.override("fr"):
        assert translation.gettext("Sign in") == "Se connecter"
        assert translation.gettext("Caseworker") == "Référent"
        assert translation.gettext("Lab") == "Laboratoire"
        text = translation.ngettext("%(n)s participant", "%(n)s participants", 3)
        assert text % {"n": 3} == "3 participants"
    with translation.override("ar"):
        assert translation.gettext("Lab") == "المختبر"
        assert translation.gettext("Caseworker") == "الأخصائي المسؤول عن الحالة"
        plural = [
            translation.ngettext("%(n)s participant", "%(n)s participants", n)
            % {"n": n}
            for n in (1, 2, 3, 11, 100)
        ]
        assert plural == [
            "1 مشارك",
            "2 مشاركان",
            "3 مشاركين",
            "11 مشاركًا",
            "100 مشارك",
        ]


def test_audit_log_labels_are_translated():
    withdrawn = AuditEntry(
        object_type="consent", detail="withdrawn partner_sharing ngo"
    )
    listed = AuditEntry(object_type="participant_list", detail="3 in a list")
    token = AuditEntry(object_type="api_token", detail="my laptop")
    with translation.override("fr"):
        assert audit_object_type("follow_up") == "suivi"
        assert audit_channel("cli") == "ligne de commande"
        assert audit_field("given_name", "participant") == "prénom"
        assert audit_detail(withdrawn) == (
            "retiré\u00a0: Partage avec une catégorie de partenaires\u00a0: ONG"
        )
        assert audit_detail(listed) == "3 participants dans une liste"
        assert audit_detail(token) == "my laptop"  # a name, shown as typed
    with translation.override("en"):
        assert audit_object_type("follow_up") == "follow-up"
        assert audit_field("unknown_field", "participant") == "unknown_field"


def test_occupation_label_follows_language():
    occupation = Occupation(label="baker", isco_group_id="7512")
    with translation.override("en"):
        assert str(occupation) == "baker (ISCO 7512)"
    with translation.override("fr"):
        assert str(occupation) == "baker (CITP 7512)"


@pytest.mark.django_db
def test_pages_render_in_arabic(coordinator, participant):
    client = client_for(coordinator)
    detail = client.get(
        f"/participants/{participant.pk}/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert 'dir="rtl"' in detail
    assert "الحاجات الأساسية" in detail
    audit = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "سجل التدقيق" in audit
    assert "اطّلاع" in audit  # the view of the record, as an action
    assert "الويب" in audit  # the channel


@pytest.mark.django_db
def test_audit_log_renders_in_french(coordinator, participant):
    client = client_for(coordinator)
    client.get(f"/participants/{participant.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    audit = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Journal d&#x27;audit" in audit or "Journal d'audit" in audit
    assert "consulté" in audit
    assert "participant" in audit
