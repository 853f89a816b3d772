from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_round, name="open"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/emails/", views.round_messages, name="messages"),
    path("emails/", views.preferences, name="preferences"),
    path("submissions/<int:pk>/", views.review, name="review"),
    path("submissions/<int:pk>/accept/", views.accept, name="accept"),
    path("submissions/<int:pk>/return/", views.return_submission, name="return"),
    path("submissions/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("mine/", views.mine, name="mine"),
    path("mine/submit/", views.submit, name="submit"),
    path("mine/workbook/", views.download_workbook, name="workbook"),
    path("mine/upload/", views.upload_workbook, name="upload_workbook"),
    path("mine/uploads/<int:pk>/", views.upload_preview, name="upload"),
    path("mine/uploads/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
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
