from django.urls import path

from xiaotu.circulation import views

app_name = "circulation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("my-class/", views.my_class, name="my_class"),
]

# The loan rule matrix is a setting: xiaotu/urls.py mounts it at /settings/loan-rules/ as `loan_rules:edit`.
rules_urlpatterns = ([path("", views.loan_rules, name="edit")], "loan_rules")
