"""Invalid participant data that pages and the API both refuse.

Each case: (fields to change, the field the error names, the message).
Callables are evaluated at test time (dates relative to today).
"""

import datetime as dt

from django.utils import timezone


def future() -> str:
    return (timezone.localdate() + dt.timedelta(days=2)).isoformat()


INVALID_CODES_AND_DATES = [
    ({"birth_date": future}, "birth_date", "This date is in the future."),
    (
        {"birth_date": "2000-01-01", "arrival_date": "1999-12-31"},
        "arrival_date",
        "The arrival date is before the date of birth.",
    ),
    (
        {"country_of_origin": "XX"},
        "country_of_origin",
        "Select a valid choice. XX is not one of the available choices.",
    ),
    (
        {"mother_tongue": "zz"},
        "mother_tongue",
        "Select a valid choice. zz is not one of the available choices.",
    ),
    (
        {"other_languages": ["en", "zz"]},
        "other_languages",
        "Select a valid choice. zz is not one of the available choices.",
    ),
]
INVALID_CODES_AND_DATES_IDS = [
    "future-birth",
    "arrival-before-birth",
    "country",
    "mother-tongue",
    "other-languages",
]
