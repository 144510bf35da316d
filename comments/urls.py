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
    path("comments/verify-email/<str:token>/", views.verify_email, name="verify_email"),
]
