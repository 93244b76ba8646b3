"""Notifications: written with the change, e-mailed only after the commit."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from openmil.core.models import UserProfile
from openmil.notifications import services, tasks
from openmil.notifications.models import Notification
from openmil.notifications.selectors import unread_count
from tests.factories import UserFactory


def _title() -> str:
    from django.utils.translation import gettext

    return gettext("Referral %(number)s to %(organisation)s: %(status)s") % {
        "number": 7,
        "organisation": "Casa",
        "status": "accepted",
    }


def test_email_is_sent_after_the_commit_only(django_capture_on_commit_callbacks, db):
    user = UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify(users=[user], kind="referral_new", title=_title, url="/x/")
    # Written now, e-mailed only when the transaction commits.
    assert Notification.objects.filter(user=user).exists()
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert "Referral 7" in mail.outbox[0].subject
    assert Notification.objects.get().emailed_at is not None


def test_a_rolled_back_transaction_sends_nothing_and_keeps_nothing(
    django_capture_on_commit_callbacks, db
):
    user = UserFactory(email="ana@example.org")

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.notify(users=[user], kind="referral_new", title=_title)
        raise Boom
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_each_user_is_notified_once_in_their_own_language(db):
    user = UserFactory()
    UserProfile.objects.create(user=user, language="fr")
    created = services.notify(
        users=[user, user, None], kind="referral_new", title=_title
    )
    assert len(created) == 1
    with translation.override("fr"):
        in_french = _title()
    assert created[0].title == in_french
    assert in_french != _title()


def test_digest_users_get_no_immediate_email_but_one_daily_digest(
    django_capture_on_commit_callbacks, db
):
    user = UserFactory(email="ana@example.org")
    services.preference_set(user=user, email="digest")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[user], kind="referral_new", title=_title)
        services.notify(users=[user], kind="referral_overdue", title=_title)
    assert mail.outbox == []
    assert tasks.send_daily_digests.call() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("Referral 7") == 2
    # Sent once: the next run has nothing new.
    assert tasks.send_daily_digests.call() == 0


def test_users_who_want_no_email_get_none(django_capture_on_commit_callbacks, db):
    user = UserFactory(email="ana@example.org")
    services.preference_set(user=user, email="none")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[user], kind="referral_new", title=_title)
    assert mail.outbox == []
    assert tasks.send_daily_digests.call() == 0
    assert unread_count(user=user) == 1


def test_marking_read_touches_only_ones_own_notifications(db):
    ana, bruno = UserFactory(), UserFactory()
    mine = services.notify(users=[ana], kind="referral_new", title=_title)[0]
    theirs = services.notify(users=[bruno], kind="referral_new", title=_title)[0]
    assert services.notification_mark_read(user=ana, notification_id=theirs.pk) == 0
    assert services.notification_mark_read(user=ana, notification_id=mine.pk) == 1
    assert unread_count(user=ana) == 0
    assert unread_count(user=bruno) == 1
    services.notifications_mark_all_read(user=bruno)
    assert unread_count(user=bruno) == 0


def test_the_daily_command_flags_overdue_referrals_and_sends_digests(db):
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from openmil.partners.models import Referral
    from tests.factories import LabFactory, ParticipantFactory, member
    from tests.partners.factories import ServiceFactory, partner_of, referral

    lab = LabFactory()
    facilitator = member(lab, user__email="fa@example.org")
    services.preference_set(user=facilitator, email="digest")
    service = ServiceFactory(organisation__lab=lab)
    partner_of(service.organisation)
    r = referral(
        participant=ParticipantFactory(lab=lab, caseworker=facilitator),
        service=service,
        actor=facilitator,
        status="sent",
    )
    Referral.objects.filter(pk=r.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    mail.outbox.clear()
    call_command("notifications_daily", stdout=StringIO())
    assert Notification.objects.filter(kind="referral_overdue").count() == 2
    digests = [m for m in mail.outbox if m.to == ["fa@example.org"]]
    assert len(digests) == 1
    assert "overdue" in digests[0].body
