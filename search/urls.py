from django.urls import path
from django.utils.translation import gettext_lazy as _

from search import views

app_name = "search"

urlpatterns = [
    path(_("search/"), views.search_page, name="page"),
]

api_urlpatterns = [
    path("search/", views.search_api, name="api"),
    path("autocomplete/", views.autocomplete_api, name="autocomplete"),
]
