from django.urls import path

from xiaotu.circulation import views

app_name = "circulation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("my-class/", views.my_class, name="my_class"),
]
