from django.urls import path

from openmil.dedup import views

app_name = "dedup"
urlpatterns = [
    path("", views.duplicate_list, name="list"),
    path("check/", views.duplicate_check, name="check"),
    path("<int:candidate_id>/merge/", views.merge, name="merge"),
    path("<int:candidate_id>/dismiss/", views.dismiss, name="dismiss"),
    path("merges/<int:merge_id>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
]
