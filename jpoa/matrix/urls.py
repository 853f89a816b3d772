from django.urls import path

from . import views

app_name = "matrix"
urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("plan-items/", views.plan_items, name="plan_items"),
    path("activities/", views.activities, name="activities"),
    path("activities/<slug:key>/", views.activity, name="activity"),
    path("editions/", views.editions, name="editions"),
    path("editions/compare/", views.compare, name="compare"),
]
