from django.urls import path

from openmil.events import public_views as views

app_name = "site_events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/requested/", views.requested, name="requested"),
    path("<int:event_id>/event.ics", views.event_ics, name="ics"),
    path("labs/<slug:lab_slug>.ics", views.lab_feed, name="lab_feed"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("cancel/<str:token>/", views.cancel, name="cancel"),
]
