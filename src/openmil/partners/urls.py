from django.urls import path

from openmil.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partners_home, name="home"),
    path("directory/", views.directory, name="directory"),
    path(
        "organisations/<int:organisation_id>/",
        views.organisation_detail,
        name="organisation",
    ),
    path(
        "organisations/<int:organisation_id>/services/new/",
        views.service_create,
        name="service_create",
    ),
    path("services/<int:service_id>/edit/", views.service_edit, name="service_edit"),
    path(
        "organisations/<int:organisation_id>/opportunities/new/",
        views.opportunity_create,
        name="opportunity_create",
    ),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        views.opportunity_edit,
        name="opportunity_edit",
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    path("refer/<int:participant_id>/", views.referral_create, name="referral_create"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:referral_id>/<slug:action>/",
        views.referral_action,
        name="referral_action",
    ),
    path("portal/", views.portal, name="portal"),
    path(
        "portal/referrals/<int:referral_id>/",
        views.portal_referral,
        name="portal_referral",
    ),
    path("labs/<int:lab_id>/settings/", views.referral_settings, name="settings"),
    path("labs/<int:lab_id>/steering/", views.steering, name="steering"),
]
