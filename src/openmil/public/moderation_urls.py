from django.urls import path

from openmil.public import staff_views

app_name = "moderation"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("projects/<int:project_id>/", staff_views.project_moderate, name="project"),
    path(
        "projects/<int:project_id>/block/",
        staff_views.project_block_owner,
        name="block_owner",
    ),
    path("reports/<int:report_id>/", staff_views.report_handle, name="report"),
]
