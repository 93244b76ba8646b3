from django.urls import path

from openmil.participants import views

app_name = "participants"
urlpatterns = [
    path("", views.participant_list, name="list"),
    path("new/", views.participant_create, name="create"),
    path("occupations/", views.occupation_lookup, name="occupation_lookup"),
    path("<int:participant_id>/", views.participant_detail, name="detail"),
    path("<int:participant_id>/edit/", views.participant_edit, name="edit"),
    path("<int:participant_id>/needs/", views.need_add, name="need_add"),
    path("<int:participant_id>/consents/", views.consent_give, name="consent_give"),
    path("<int:participant_id>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path(
        "<int:participant_id>/pathway/start/", views.pathway_start, name="pathway_start"
    ),
    path("<int:participant_id>/protection/", views.protection, name="protection"),
    path("needs/<int:need_id>/", views.need_edit, name="need_edit"),
    path(
        "consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "follow-ups/<int:follow_up_id>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
]
