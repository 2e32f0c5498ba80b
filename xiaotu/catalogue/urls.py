from django.urls import path

from xiaotu.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("isbn/", views.isbn_page, name="isbn"),
    path("isbn/review/", views.record_review, name="record_review"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/copies/", views.copies_add, name="copies_add"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/edit/", views.items_edit, name="items_edit"),
    path("clc/", views.clc_search, name="clc_search"),
]

# 联合目录 servers are a setting: xiaotu/urls.py mounts them at /settings/remote-catalogues/ as `remote_catalogues:*`.
remote_urlpatterns = (
    [
        path("", views.remote_list, name="list"),
        path("<int:pk>/", views.remote_edit, name="edit"),
        path("<int:pk>/action/", views.remote_action, name="action"),
        path("<int:pk>/test/", views.remote_test, name="test"),
    ],
    "remote_catalogues",
)
