from django.contrib import admin
from django.urls import include, path

from openmil.config.api import api

urlpatterns = [
    path("", include("openmil.core.urls")),
    path("participants/", include("openmil.participants.urls")),
    path("ventures/", include("openmil.ventures.urls")),
    path("training/", include("openmil.training.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
