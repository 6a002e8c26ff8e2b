from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author-detail"),
    path("<slug:slug>/", views.section_detail, name="section-detail"),
]
