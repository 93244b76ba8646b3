from django.urls import path

from openmil.network import views

app_name = "network"
urlpatterns = [
    path("practices/", views.practice_list, name="practices"),
    path("practices/new/", views.practice_create, name="practice_create"),
    path("practices/<int:practice_id>/", views.practice_detail, name="practice_detail"),
    path(
        "practices/<int:practice_id>/edit/", views.practice_edit, name="practice_edit"
    ),
    path(
        "practices/<int:practice_id>/publish/",
        views.practice_publish,
        name="practice_publish",
    ),
    path(
        "practices/<int:practice_id>/questions/",
        views.question_ask,
        name="question_ask",
    ),
    path("questions/<int:question_id>/answer/", views.answer_give, name="answer_give"),
    path(
        "practices/<int:practice_id>/adoptions/",
        views.adoption_add,
        name="adoption_add",
    ),
    path("benchmark/", views.benchmark, name="benchmark"),
    path("mipex/", views.mipex, name="mipex"),
]
