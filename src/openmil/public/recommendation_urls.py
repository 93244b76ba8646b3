from django.urls import path

from openmil.public import staff_views

app_name = "recommendations"
urlpatterns = [
    path("", staff_views.recommendation_list, name="list"),
    path("new/", staff_views.recommendation_create, name="create"),
    path("<int:recommendation_id>/", staff_views.recommendation_detail, name="detail"),
    path(
        "<int:recommendation_id>/status/",
        staff_views.recommendation_status,
        name="status",
    ),
    path(
        "<int:recommendation_id>/evidence/",
        staff_views.evidence_add,
        name="evidence_add",
    ),
    path(
        "evidence/<int:evidence_id>/remove/",
        staff_views.evidence_remove,
        name="evidence_remove",
    ),
]
