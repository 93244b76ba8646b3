from django.contrib import admin
from django.urls import include, path

from openmil.campaigns import public_urls as campaigns_public
from openmil.config.api import api

urlpatterns = [
    path("", include("openmil.core.urls")),
    path("participants/", include("openmil.participants.urls")),
    path("indicators/", include("openmil.indicators.urls")),
    path("privacy/", include("openmil.privacy.urls")),
    path("partners/", include("openmil.partners.urls")),
    path("notifications/", include("openmil.notifications.urls")),
    path("portal/", include("openmil.portal.urls")),
    path("records/", include("openmil.records.urls")),
    path("imports/", include("openmil.imports.urls")),
    path("duplicates/", include("openmil.dedup.urls")),
    path("pathways/", include("openmil.pathways.urls")),
    path("activities/", include("openmil.activities.urls")),
    path("ventures/", include("openmil.ventures.urls")),
    path("training/", include("openmil.training.urls")),
    path("network/", include("openmil.network.urls")),
    path("events/", include("openmil.events.urls")),
    path("volunteers/", include("openmil.events.volunteer_urls")),
    path("site/events/", include("openmil.events.public_urls")),
    path("site/volunteer/", include("openmil.events.public_volunteer_urls")),
    path("campaigns/", include("openmil.campaigns.urls")),
    path("site/facts/", include(campaigns_public.facts)),
    path("site/campaigns/", include(campaigns_public.campaigns)),
    # Matching rounds.
    path("matching/", include("openmil.placements.urls")),
    # Public site (issue 7): the generic site/ include stays after the other
    # site/... lines; staff pages of the public site under their own prefixes.
    path("site/", include("openmil.public.urls")),
    path("moderation/", include("openmil.public.moderation_urls")),
    path("recommendations/", include("openmil.public.recommendation_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
