from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.thread, name="thread"),
    path("articles/<slug:slug>/comments/more/", views.more, name="more"),
    path("articles/<slug:slug>/comments/new/", views.comment_form, name="form"),
    path("articles/<slug:slug>/comments/live/", views.live_changes, name="live"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply_form, name="reply"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("articles/<slug:slug>/comments/follow/", views.follow, name="follow"),
    path("comments/<int:pk>/recommend/", views.recommend, name="recommend"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/mine/", views.reader_state, name="reader_state"),
    path("comments/verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
