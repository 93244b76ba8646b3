from django.urls import path

from openmil.indicators import views

app_name = "indicators"
urlpatterns = [
    path("lab/<int:lab_id>/", views.dashboard, name="dashboard"),
    path("lab/<int:lab_id>/refresh/", views.refresh, name="refresh"),
    path("lab/<int:lab_id>/download/<str:fmt>/", views.download, name="download"),
    path("lab/<int:lab_id>/reports/", views.report_create, name="report_create"),
    path(
        "lab/<int:lab_id>/reports/<int:report_id>/",
        views.report_status,
        name="report",
    ),
    path(
        "lab/<int:lab_id>/reports/<int:report_id>/pdf/",
        views.report_download,
        name="report_download",
    ),
    path("network/<int:network_id>/", views.network, name="network"),
    path("lab/<int:lab_id>/references/", views.references, name="references"),
    path(
        "lab/<int:lab_id>/references/new/",
        views.reference_create,
        name="reference_create",
    ),
    path(
        "lab/<int:lab_id>/references/import/",
        views.reference_import,
        name="reference_import",
    ),
    path(
        "references/<int:reference_id>/delete/",
        views.reference_delete,
        name="reference_delete",
    ),
]
