"""The library's files: downloads for everyone, uploads for coordinators."""

from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("<slug:key>/files/", views.files, name="files"),
    path("<slug:key>/files/<slug:language>/", views.download, name="download"),
]
