from django.urls import path

from xiaotu.circulation import hold_views, views

app_name = "circulation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("scan/", views.desk_scan, name="desk_scan"),
    path("transfer/", views.desk_transfer, name="desk_transfer"),
    path("reader/", views.desk_reader, name="desk_reader"),
    path("my-class/", views.my_class, name="my_class"),
    path("holds/", hold_views.holds, name="holds"),
    path("holds/new/", hold_views.hold_new, name="hold_new"),
    path("holds/<int:pk>/cancel/", hold_views.hold_cancel_view, name="hold_cancel"),
]

# The loan rule matrix is a setting: xiaotu/urls.py mounts it at /settings/loan-rules/ as `loan_rules:edit`.
rules_urlpatterns = ([path("", views.loan_rules, name="edit")], "loan_rules")
