from django.urls import path

from openmil.placements.views import own_preference_edit
from openmil.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-in/link/", views.link_request, name="link_request"),
    path("sign-in/link/<str:token>/", views.link_use, name="link_use"),
    path("password/", views.password_set, name="password_set"),
    path("preferences/", own_preference_edit, name="preferences"),
    path(
        "consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("my-data.json", views.my_data, {"fmt": "json"}, name="my_data_json"),
    path("my-data.pdf", views.my_data, {"fmt": "pdf"}, name="my_data_pdf"),
    path("invite/<int:participant_id>/", views.invite, name="invite"),
]
