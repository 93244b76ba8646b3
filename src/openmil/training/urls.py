from django.urls import path

from openmil.training import views

app_name = "training"
urlpatterns = [
    path("", views.my_training, name="mine"),
    path("labs/<int:lab_id>/", views.lab_training, name="lab"),
    path("labs/<int:lab_id>/trainings/", views.training_add, name="training_add"),
    path(
        "labs/<int:lab_id>/competencies/", views.competency_add, name="competency_add"
    ),
    path(
        "labs/<int:lab_id>/certifications/",
        views.certification_add,
        name="certification_add",
    ),
    path(
        "trainings/<int:training_id>/attendees/",
        views.attendee_add,
        name="attendee_add",
    ),
]
