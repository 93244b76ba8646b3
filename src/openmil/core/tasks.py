"""Background tasks of the core app (django-tasks; database worker)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task


@task()
def send_invitation(*, user_id: int, language: str = "") -> bool:
    """E-mail a new team member the link to choose a password.

    Written in `language`: the language of the person who sent the invitation.
    """
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "domain": settings.OPENMIL_SITE_DOMAIN,
        "protocol": "https" if settings.HTTPS else "http",
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("core/email/invitation_subject.txt", context)
        body = render_to_string("core/email/invitation.txt", context)
    send_mail(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    return True
