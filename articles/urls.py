from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/viewed/", views.viewed, name="viewed"),
    path("articles/<slug:slug>/edit/", views.edit_article, name="edit"),
    path("search/", views.search, name="search"),
    path("corrections/", views.corrections, name="corrections"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("cards/<int:pk>/<slug:digest>.png", views.social_card, name="social-card"),
]
