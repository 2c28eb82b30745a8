from django.urls import path

from showcase import feeds, views

urlpatterns = [
    path("", views.home, name="showcase_home"),
    path("submissions/<int:pk>/", views.submission, name="showcase_submission"),
    path("honours/", views.honours, name="showcase_honours"),
    path("feed.rss", feeds.ShowcaseFeed(), name="showcase_feed_rss"),
    path("feed.atom", feeds.ShowcaseAtomFeed(), name="showcase_feed_atom"),
]
