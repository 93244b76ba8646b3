from django.urls import path

from openmil.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:activity_id>/", views.activity_detail, name="detail"),
    path("<int:activity_id>/cohorts/", views.cohort_create, name="cohort_create"),
    path("labs/<int:lab_id>/target/", views.lab_target, name="lab_target"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/search/", views.enrol_search, name="enrol_search"),
    path("cohorts/<int:cohort_id>/enrol/", views.enrol, name="enrol"),
    path(
        "cohorts/<int:cohort_id>/sessions/",
        views.session_create,
        name="session_create",
    ),
    path(
        "cohorts/<int:cohort_id>/attendance/",
        views.cohort_attendance,
        name="attendance",
    ),
    path(
        "enrolments/<int:enrolment_id>/withdraw/",
        views.enrolment_withdraw,
        name="withdraw",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path(
        "participants/<int:participant_id>/calendar/",
        views.participant_calendar,
        name="participant_calendar",
    ),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
]
