from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("gaps/", views.gaps, name="gaps"),
    path("gaps.json", views.gaps_json, name="gaps_json"),
    path("trends/", views.trends, name="trends"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("overlaps/dismiss/", views.dismiss, name="dismiss"),
    path("activities/<int:pk>/suggestions/accept/", views.accept_suggestions, name="accept"),
]
