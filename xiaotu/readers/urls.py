from django.urls import URLPattern, URLResolver

from xiaotu.readers.views import people, roster, year

app_name = "readers"
urlpatterns: list[URLPattern | URLResolver] = [*people.urlpatterns, *roster.urlpatterns, *year.urlpatterns]
