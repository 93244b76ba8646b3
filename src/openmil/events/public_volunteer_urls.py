from django.urls import path

from openmil.events import public_views as views

app_name = "site_volunteer"
urlpatterns = [
    path("", views.volunteer_signup, name="signup"),
    path("thanks/", views.volunteer_thanks, name="thanks"),
]
