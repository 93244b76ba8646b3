from django.urls import path

from openmil.ventures import views

app_name = "ventures"
urlpatterns = [
    path("", views.venture_list, name="list"),
    path("new/", views.venture_create, name="create"),
    path("<int:venture_id>/", views.venture_detail, name="detail"),
    path("<int:venture_id>/edit/", views.venture_edit, name="edit"),
    path("<int:venture_id>/stage/", views.venture_transition, name="transition"),
    path("<int:venture_id>/supports/", views.venture_support_add, name="support_add"),
    path("<int:venture_id>/jobs/", views.venture_jobs_record, name="jobs_record"),
    path("needs/", views.territorial_need_list, name="needs"),
    path("needs/<int:need_id>/", views.territorial_need_edit, name="need_edit"),
]
