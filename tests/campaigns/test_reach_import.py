"""Importing platform exports: every row checked, all or nothing, updates on
re-import, and clear errors (row, column, reason)."""

import io

import pytest
from django.utils import translation

from openmil.campaigns import services
from openmil.campaigns.models import ReachImport, ReachRecord
from openmil.campaigns.reach_csv import ReachFileError
from openmil.core.models import AuditEntry
from tests.campaigns.factories import csv_bytes

GOOD = "facebook,openmil.lab,en,p1,2026-03-01,1200,3000,150,20,80"


def run(coordinator, campaign, data: bytes) -> ReachImport:
    return services.reach_import(
        actor=coordinator, campaign=campaign, stream=io.BytesIO(data), file_name="x.csv"
    )


def refused(coordinator, campaign, data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(ReachFileError) as info:
        run(coordinator, campaign, data)
    assert not ReachRecord.objects.exists()
    assert not ReachImport.objects.exists()
    return [(e.row, e.column, e.reason) for e in info.value.errors]


def test_a_clean_file_is_imported_with_an_audit_entry(coordinator, campaign):
    job = run(
        coordinator,
        campaign,
        csv_bytes(GOOD, "instagram,openmil.lab,fr,p2,2026-03-02,800,900,40,3,10"),
    )
    assert (job.rows, job.created, job.updated) == (2, 2, 0)
    assert ReachRecord.objects.filter(campaign=campaign).count() == 2
    fb = ReachRecord.objects.get(platform="facebook")
    assert (fb.reach, fb.impressions, fb.link_clicks) == (1200, 3000, 80)
    assert AuditEntry.objects.filter(object_type="reach_import").count() == 1


def test_reimporting_the_same_post_and_day_updates_the_figures(coordinator, campaign):
    run(coordinator, campaign, csv_bytes(GOOD))
    job = run(
        coordinator,
        campaign,
        csv_bytes(
            "facebook,openmil.lab,en,p1,2026-03-01,1500,3600,170,25,90",
            "facebook,openmil.lab,en,p1,2026-03-02,10,20,1,0,0",
        ),
    )
    assert (job.created, job.updated) == (1, 1)
    assert ReachRecord.objects.count() == 2
    assert ReachRecord.objects.get(date="2026-03-01").reach == 1500


def test_headers_in_another_order_and_case_with_a_bom_are_read(coordinator, campaign):
    header = (
        "\ufeffDate,Platform,Account,Language,Post ID,Reach,Impressions,"
        "Engagements,Shares,Link clicks\n"
    )
    data = csv_bytes("2026-03-01,x,acc,ar,p9,5,6,1,0,1", header=header)
    job = run(coordinator, campaign, data)
    assert job.rows == 1
    assert ReachRecord.objects.get().platform == "x"


def test_one_bad_row_refuses_the_whole_file(coordinator, campaign):
    errors = refused(
        coordinator,
        campaign,
        csv_bytes(GOOD, "facebook,openmil.lab,en,p2,2026-02-30,1,1,1,1,1"),
    )
    assert errors == [(3, "date", "Not a date in the form YYYY-MM-DD.")]


def test_a_file_that_is_not_utf8_is_refused(coordinator, campaign):
    data = csv_bytes(GOOD) + "facebook,Régie,en,p3,2026-03-01,1,1,1,1,1\n".encode(
        "latin-1"
    )
    errors = refused(coordinator, campaign, data)
    assert errors[0][2] == "The file is not UTF-8 encoded text."


def test_a_missing_column_is_named(coordinator, campaign):
    header = "platform,account,language,post,date,reach,impressions,shares\n"
    errors = refused(
        coordinator,
        campaign,
        csv_bytes("facebook,a,en,p,2026-03-01,1,1,1", header=header),
    )
    assert errors == [
        (1, "engagements", "This column is missing."),
        (1, "link_clicks", "This column is missing."),
    ]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            "facebook,openmil.lab,en,p1,01/03/2026,1,1,1,1,1",
            "date",
            "Not a date in the form YYYY-MM-DD.",
        ),
        (
            "facebook,openmil.lab,en,p1,2026-03-01,-5,1,1,1,1",
            "reach",
            "A count cannot be negative.",
        ),
        (
            "facebook,openmil.lab,en,p1,2026-03-01,1,1,1,1,2.5",
            "link_clicks",
            "Not a whole number.",
        ),
        (
            'facebook,=HYPERLINK("http://evil"),en,p1,2026-03-01,1,1,1,1,1',
            "account",
            "A cell starting with =, +, -, @ or a control character is refused.",
        ),
        (
            "facebook,openmil.lab,en,@SUM(A1),2026-03-01,1,1,1,1,1",
            "post",
            "A cell starting with =, +, -, @ or a control character is refused.",
        ),
        (
            "facebook,openmil.lab,en,+cmd,2026-03-01,1,1,1,1,1",
            "post",
            "A cell starting with =, +, -, @ or a control character is refused.",
        ),
        (
            "myspace,openmil.lab,en,p1,2026-03-01,1,1,1,1,1",
            "platform",
            "Unknown platform; expected one of: facebook, instagram, x, linkedin, "
            "tiktok, youtube, bluesky, mastodon, whatsapp, telegram",
        ),
        (
            "facebook,openmil.lab,xx,p1,2026-03-01,1,1,1,1,1",
            "language",
            "Unknown language; expected one of: en, fr, ar, es, it, de, pt, uk, fa, tr",
        ),
        ("facebook,,en,p1,2026-03-01,1,1,1,1,1", "account", "This value is missing."),
    ],
)
def test_bad_cells_are_reported_by_row_column_and_reason(
    coordinator, campaign, row, column, reason
):
    errors = refused(coordinator, campaign, csv_bytes(GOOD, row))
    assert (3, column, reason) in errors


def test_a_row_with_too_few_cells_is_reported(coordinator, campaign):
    errors = refused(coordinator, campaign, csv_bytes("facebook,a,en,p1"))
    assert errors == [(2, "", "This row has 4 cells; the header has 10.")]


def test_an_empty_file_and_a_header_only_file_are_refused(coordinator, campaign):
    assert refused(coordinator, campaign, b"")[0][2] == "The file is empty."
    assert refused(coordinator, campaign, csv_bytes())[0][2] == (
        "The file has no data rows."
    )


def test_errors_are_translated(coordinator, campaign):
    """The reason is given in the language of the request (the catalogs are
    compiled at merge; with them, French here)."""
    with translation.override("fr"):
        errors = refused(
            coordinator, campaign, csv_bytes("facebook,a,en,p1,2026-03-01,-1,1,1,1,1")
        )
        expected = translation.gettext("A count cannot be negative.")
    assert errors[0][2] == expected
    if translation.trans_real.translation("fr")._catalog.get(  # type: ignore[attr-defined]
        "A count cannot be negative."
    ):
        assert expected == "Un nombre ne peut pas être négatif."


def test_the_number_of_errors_reported_is_bounded(coordinator, campaign):
    rows = [f"facebook,a,en,p{i},bad,1,1,1,1,1" for i in range(500)]
    errors = refused(coordinator, campaign, csv_bytes(*rows))
    assert len(errors) == 100


def test_a_large_file_is_written_in_batches(coordinator, campaign):
    rows = [
        f"facebook,a,en,p{i},2026-03-{1 + i % 28:02d},{i},{i},0,0,0"
        for i in range(2500)
    ]
    job = run(coordinator, campaign, csv_bytes(*rows))
    assert job.rows == 2500
    assert ReachRecord.objects.count() == 2500


def test_a_facilitator_may_not_import(facilitator, campaign):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(facilitator, campaign, csv_bytes(GOOD))
