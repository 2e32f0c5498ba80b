from django.urls import path

from xiaotu.schools import views

app_name = "schools"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("weekdays/", views.weekdays_save, name="weekdays"),
    path("terms/", views.term_add, name="term_add"),
    path("terms/<int:pk>/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/delete/", views.term_remove, name="term_delete"),
    path("closed/", views.closed_add, name="closed_add"),
    path("closed/remove/", views.closed_remove, name="closed_remove"),
]
