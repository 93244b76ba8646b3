from django.urls import path

from openmil.privacy import views

app_name = "privacy"
urlpatterns = [
    path("labs/<int:lab_id>/", views.dashboard, name="dashboard"),
    path("labs/<int:lab_id>/retention/", views.retention, name="retention"),
    path(
        "participants/<int:participant_id>/erasure/",
        views.erasure_request,
        name="erasure_request",
    ),
    path(
        "erasures/<int:request_id>/approve/",
        views.erasure_approve,
        name="erasure_approve",
    ),
    path(
        "erasures/<int:request_id>/reject/",
        views.erasure_reject,
        name="erasure_reject",
    ),
]
