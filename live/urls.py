from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("articles/<slug:slug>/live/", views.changes, name="changes"),
]
