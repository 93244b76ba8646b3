"""The live check at registration: who may already be registered."""

import datetime as dt
import time

from openmil.dedup import selectors
from tests.dedup.factories import load_generated
from tests.factories import ParticipantFactory


def new(**values):
    data = {
        "given_name": "",
        "family_name": "",
        "name_latin": "",
        "birth_date": None,
        "birth_date_precision": "day",
        "country_of_origin": "",
        "phone": "",
    }
    data.update(values)
    return data


def test_a_latin_record_is_found_when_the_name_is_typed_in_arabic(facilitator, lab_a):
    known = ParticipantFactory(
        lab=lab_a,
        given_name="Youssef",
        family_name="Haddad",
        birth_date=dt.date(1990, 4, 7),
        country_of_origin="SY",
    )
    matches = selectors.live_candidates(
        user=facilitator,
        lab=lab_a,
        data=new(
            given_name="يوسف",
            family_name="حداد",
            birth_date=dt.date(1990, 4, 7),
            country_of_origin="SY",
        ),
    )
    assert [m.participant for m in matches] == [known]
    assert matches[0].probability >= 0.5


def test_swapped_day_and_month_and_a_reformatted_phone_are_found(facilitator, lab_a):
    known = ParticipantFactory(
        lab=lab_a,
        given_name="Olena",
        family_name="Kovalenko",
        birth_date=dt.date(1985, 3, 11),
        phone="+380 67 123 4567",
        country_of_origin="UA",
    )
    matches = selectors.live_candidates(
        user=facilitator,
        lab=lab_a,
        data=new(
            given_name="Олена",
            family_name="Коваленко",
            birth_date=dt.date(1985, 11, 3),
            phone="0038067-1234567",
            country_of_origin="UA",
        ),
    )
    assert [m.participant for m in matches] == [known]


def test_a_different_person_is_not_flagged(facilitator, lab_a):
    ParticipantFactory(
        lab=lab_a,
        given_name="Omar",
        family_name="Khoury",
        birth_date=dt.date(1970, 1, 2),
    )
    matches = selectors.live_candidates(
        user=facilitator,
        lab=lab_a,
        data=new(
            given_name="Amina", family_name="Khoury", birth_date=dt.date(2001, 8, 30)
        ),
    )
    assert matches == []


def test_records_the_user_may_not_see_are_never_candidates(facilitator, lab_a, lab_b):
    same = {
        "given_name": "Rana",
        "family_name": "Haddad",
        "birth_date": dt.date(1991, 3, 14),
    }
    ParticipantFactory(lab=lab_b, **same)
    ParticipantFactory(lab=lab_a, processing_restricted=True, **same)
    matches = selectors.live_candidates(user=facilitator, lab=lab_a, data=new(**same))
    assert matches == []


def test_the_live_check_answers_within_300_ms_on_thousands_of_records(
    facilitator, lab_a
):
    data, _ids = load_generated(lab_a, 5000, seed=5)
    probe = data.records[10]
    started = time.perf_counter()
    matches = selectors.live_candidates(
        user=facilitator,
        lab=lab_a,
        data=new(
            given_name=probe["given_name"],
            family_name=probe["family_name"],
            birth_date=probe["birth_date"],
            phone=probe["phone"],
            country_of_origin=probe["country_of_origin"],
        ),
    )
    elapsed = time.perf_counter() - started
    assert matches and matches[0].participant.reference == "GEN-000011"
    assert elapsed < 0.3, elapsed
