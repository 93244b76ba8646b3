from django.urls import path

from openmil.pathways import views

app_name = "pathways"
urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path(
        "templates/<int:template_id>/goals/",
        views.template_goal_add,
        name="template_goal_add",
    ),
    path(
        "templates/goals/<int:goal_id>/remove/",
        views.template_goal_remove,
        name="template_goal_remove",
    ),
    path(
        "templates/<int:template_id>/criteria/",
        views.criterion_add,
        name="criterion_add",
    ),
    path(
        "templates/criteria/<int:criterion_id>/remove/",
        views.criterion_remove,
        name="criterion_remove",
    ),
    path("labs/<int:lab_id>/civic-modules/", views.civic_modules, name="civic_modules"),
    path("participants/<int:participant_id>/", views.pathway_detail, name="detail"),
    path(
        "participants/<int:participant_id>/create/",
        views.pathway_create,
        name="create",
    ),
    path("participants/<int:participant_id>/goals/", views.goal_add, name="goal_add"),
    path(
        "participants/<int:participant_id>/assessments/<slug:kind>/",
        views.assessment_add,
        name="assessment_add",
    ),
    path("participants/<int:participant_id>/exit/", views.pathway_exit, name="exit"),
    path("goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/status/", views.goal_transition, name="goal_transition"),
    path("goals/<int:goal_id>/remove/", views.goal_remove, name="goal_remove"),
    path("goals/<int:goal_id>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "evidence/<int:evidence_id>/document/",
        views.evidence_document,
        name="evidence_document",
    ),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:survey_id>/", views.survey_answer, name="survey_answer"),
    path("surveys/<int:survey_id>/link/", views.survey_link, name="survey_link"),
    path("survey/<str:token>/", views.survey_public, name="survey_public"),
]
