from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from openmil.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa/", views.otp_verify, name="otp_verify"),
    path("account/2fa/setup/", views.otp_setup, name="otp_setup"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("language/", views.set_language, name="set_language"),
    path(
        "account/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset_form.html",
            email_template_name="core/email/password_reset.txt",
            subject_template_name="core/email/invitation_subject.txt",
            success_url=reverse_lazy("core:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="core/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "account/password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_set.html",
            success_url=reverse_lazy("core:login"),
        ),
        name="password_reset_confirm",
    ),
    path("labs/<int:lab_id>/settings/", views.lab_settings, name="lab_settings"),
    path("labs/<int:lab_id>/team/", views.lab_team, name="lab_team"),
    path("overview/", views.overview, name="overview"),
    path("audit/", views.audit_log, name="audit_log"),
]
