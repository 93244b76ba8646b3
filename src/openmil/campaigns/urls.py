from django.urls import path

from openmil.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/kpis/", views.kpi_add, name="kpi_add"),
    path("kpis/<int:kpi_id>/report/", views.kpi_report, name="kpi_report"),
    path("<int:campaign_id>/messages/", views.message_add, name="message_add"),
    path(
        "messages/<int:message_id>/<str:language>/",
        views.translation_edit,
        name="translation",
    ),
    path("<int:campaign_id>/reach/", views.reach, name="reach"),
    path("facts/new/", views.fact_card_create, name="fact_card_create"),
    path("facts/<int:card_id>/", views.fact_card, name="fact_card"),
    path("facts/<int:card_id>/sources/", views.fact_source_add, name="fact_source_add"),
    path(
        "facts/<int:card_id>/publish/",
        views.fact_card_publish,
        name="fact_card_publish",
    ),
]
