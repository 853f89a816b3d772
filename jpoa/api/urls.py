"""The JSON API at /api/v1/ (filled in by the API issue)."""

urlpatterns: list = []
