from django.urls import path

from openmil.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.<str:fmt>", views.import_template, name="template"),
    path("export/", views.export, name="export"),
    path("<uuid:job_id>/", views.import_detail, name="detail"),
    path("<uuid:job_id>/progress/", views.import_progress, name="progress"),
    path("<uuid:job_id>/confirm/", views.import_confirm, name="confirm"),
    path("<uuid:job_id>/cancel/", views.import_cancel, name="cancel"),
]
