from django.urls import path

from openmil.indicators import views

app_name = "indicators"
urlpatterns = [
    path("lab/<int:lab_id>/", views.dashboard, name="dashboard"),
    path("lab/<int:lab_id>/refresh/", views.refresh, name="refresh"),
    path("lab/<int:lab_id>/download/<str:fmt>/", views.download, name="download"),
]
