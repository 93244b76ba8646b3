"""Public URLs: /site/facts/ and /site/campaigns/ (see config/urls.py)."""

from django.urls import path

from openmil.campaigns import public_views

facts = (
    [
        path("", public_views.fact_list, name="list"),
        path("<slug:slug>/", public_views.fact_detail, name="detail"),
    ],
    "facts_public",
)
campaigns = (
    [path("<slug:slug>/", public_views.campaign_page, name="campaign")],
    "campaigns_public",
)
