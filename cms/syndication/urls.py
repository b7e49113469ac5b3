from django.urls import path

from cms.syndication.feeds import AtomWorkFeed, WorkFeed

urlpatterns = [
    path("feeds/rss/", WorkFeed(), name="feed-rss"),
    path("feeds/atom/", AtomWorkFeed(), name="feed-atom"),
    path("feeds/themes/<slug:theme_slug>/rss/", WorkFeed(), name="theme-feed-rss"),
    path("feeds/themes/<slug:theme_slug>/atom/", AtomWorkFeed(), name="theme-feed-atom"),
]
