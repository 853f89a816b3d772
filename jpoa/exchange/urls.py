"""Imports of spreadsheets and IATI XML, exports of the matrix."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.downloads, name="downloads"),
    path("matrix.xlsx", views.matrix_download, {"format": "xlsx"}, name="matrix_xlsx"),
    path("matrix.csv", views.matrix_download, {"format": "csv"}, name="matrix_csv"),
    path("matrix.json", views.matrix_download, {"format": "json"}, name="matrix_json"),
    path(
        "datapackage.zip",
        views.matrix_download,
        {"format": "datapackage"},
        name="matrix_datapackage",
    ),
    path("matrix.parquet", views.matrix_download, {"format": "parquet"}, name="matrix_parquet"),
    path("import/", views.upload, name="upload"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
