from django.urls import path

from xiaotu.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("circulation/", views.circulation, name="circulation"),
    path("never-borrowed/", views.never_borrowed, name="never_borrowed"),
    path("stars/", views.stars, name="stars"),
    path("stars/public/", views.stars_public, name="stars_public"),
    path("collection/", views.collection, name="collection"),
    path("registers/", views.registers, name="registers"),
    path("registers/<slug:key>.<str:ext>", views.register_file, name="register_file"),
    path("inspection/", views.inspection, name="inspection"),
    path("class/", views.class_report, name="class"),
    path("settings/", views.settings_page, name="settings"),
]
