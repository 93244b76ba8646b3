from django.urls import path

from openmil.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path(
        "projects/<int:project_id>/take-part/",
        views.project_take_part,
        name="project_take_part",
    ),
    path("projects/<int:project_id>/posts/", views.project_post, name="project_post"),
    path(
        "projects/<int:project_id>/report/", views.project_report, name="project_report"
    ),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/<int:recommendation_id>/",
        views.recommendation_detail,
        name="recommendation_detail",
    ),
    path("account/", views.account, name="account"),
    path("account/sign-up/", views.sign_up, name="sign_up"),
    path("account/sign-in/", views.sign_in, name="sign_in"),
    path("account/sign-out/", views.sign_out, name="sign_out"),
]
