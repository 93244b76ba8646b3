from django.urls import path

from openmil.placements import views

app_name = "placements"
urlpatterns = [
    path("labs/<int:lab_id>/", views.round_list, name="round_list"),
    path("labs/<int:lab_id>/new/", views.round_create, name="round_create"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path(
        "proposals/<int:proposal_id>/<slug:action>/",
        views.proposal_decide,
        name="proposal_decide",
    ),
    path(
        "people/<int:participant_id>/preferences/",
        views.preference_edit,
        name="preferences",
    ),
]
