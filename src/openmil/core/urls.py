from django.contrib.auth import views as auth_views
from django.urls import path

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
    path("overview/", views.overview, name="overview"),
    path("audit/", views.audit_log, name="audit_log"),
]
