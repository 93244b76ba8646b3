from django.urls import path

from openmil.records import views

app_name = "records"
urlpatterns = [
    path(
        "participants/<int:participant_id>/",
        views.record_download,
        name="participant_record",
    ),
]
