"""Background tasks of pathways (django-tasks; database worker).

`send_due_surveys` runs once a day (`openmil send_due_surveys` enqueues it:
call that from cron or a systemd timer).
"""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from openmil.participants.models import Consent
from openmil.participants.selectors import consent_is_active
from openmil.pathways import selectors, services


def survey_language(participant: object) -> str:
    """The interface language closest to the participant's own."""
    available = {code for code, _name in settings.STAFF_LANGUAGES}
    for code in (
        getattr(participant, "mother_tongue", ""),
        *getattr(participant, "other_languages", []),
    ):
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def survey_url(raw_token: str) -> str:
    protocol = "https" if settings.HTTPS else "http"
    path = reverse("pathways:survey_public", kwargs={"token": raw_token})
    return f"{protocol}://{settings.OPENMIL_SITE_DOMAIN}{path}"


@task()
def send_due_surveys(*, today: str = "") -> int:
    """E-mail each participant a personal link to the surveys now due.

    Only to people with an e-mail address and an active follow-up consent;
    the others stay on their facilitator's list of surveys to do by hand.
    Returns how many were sent. `today` (ISO date) is for tests.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    for survey in selectors.surveys_to_send(today=day):
        participant = survey.pathway.participant
        if not participant.email or not consent_is_active(
            participant=participant, purpose=Consent.Purpose.FOLLOW_UP
        ):
            continue
        raw = services.survey_link_issue(actor=None, survey=survey)
        context = {"participant": participant, "survey": survey, "url": survey_url(raw)}
        with translation.override(survey_language(participant)):
            subject = render_to_string("pathways/email/survey_subject.txt", context)
            body = render_to_string("pathways/email/survey.txt", context)
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [participant.email],
        )
        services.survey_mark_sent(survey=survey)
        sent += 1
    return sent
