from django.urls import path, register_converter

from . import views
from .data import DataFormatConverter

register_converter(DataFormatConverter, "data")

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("plan.<data:format>", views.plan, name="plan_data"),
    path("plan/compare/", views.plan_compare, name="plan_compare"),
    path("pillars/", views.pillar_list, name="pillars"),
    path("pillars/<int:number>/", views.pillar_detail, name="pillar"),
    path("states/", views.state_list, name="states"),
    path("states/<str:iso2>/", views.state_detail, name="state"),
    path("phases/<slug:key>/", views.phase_detail, name="phase"),
    path("events/", views.event_list, name="events"),
    path("events.<data:format>", views.event_list, name="events_data"),
    path("events/upcoming.ics", views.upcoming_calendar, name="events_ics"),
    path("events/participants/", views.participants, name="participants"),
    path("events/participants.<data:format>", views.participants, name="participants_data"),
    path("events/<slug:key>/", views.event_detail, name="event"),
    path("findings/", views.finding_list, name="findings"),
    path("findings.<data:format>", views.finding_list, name="findings_data"),
    path("findings/<slug:key>/", views.finding_detail, name="finding"),
    path("library/", views.library, name="library"),
    path("library.<data:format>", views.library, name="library_data"),
    path("library/<slug:key>/", views.resource_detail, name="resource"),
    path("sources/", views.sources, name="sources"),
]
