from django.urls import path

from openmil.events import volunteer_views as views

app_name = "volunteers"
urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("<int:volunteer_id>/", views.volunteer_detail, name="detail"),
    path(
        "<int:volunteer_id>/mentoring/",
        views.volunteer_mentoring,
        name="mentoring",
    ),
    path("pairs/", views.pair_list, name="pairs"),
    path("pairs/<int:pair_id>/", views.pair_detail, name="pair"),
    path("pairs/<int:pair_id>/meetings/", views.meeting_log, name="meeting_log"),
    path("pairs/<int:pair_id>/end/", views.pair_end, name="pair_end"),
]
