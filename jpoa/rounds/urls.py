from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_round, name="open"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("submissions/<int:pk>/", views.review, name="review"),
    path("submissions/<int:pk>/accept/", views.accept, name="accept"),
    path("submissions/<int:pk>/return/", views.return_submission, name="return"),
    path("mine/", views.mine, name="mine"),
    path("mine/submit/", views.submit, name="submit"),
    path("mine/new/", views.new_activity, name="new"),
    path("mine/new/<int:pk>/", views.edit_new, name="edit_new"),
    path("mine/new/<int:pk>/discard/", views.discard_new, name="discard_new"),
    path("mine/activities/<int:activity_id>/", views.edit_activity, name="edit"),
    path(
        "mine/activities/<int:activity_id>/<str:action>/",
        views.mark_activity,
        name="mark",
    ),
]
