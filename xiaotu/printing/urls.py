from django.urls import path

from xiaotu.printing import views

app_name = "printing"
urlpatterns = [
    path("labels/", views.labels, name="labels"),
]

# Label sheets are a setting: xiaotu/urls.py mounts them at /settings/label-layouts/ as `label_layouts:*`.
layout_urlpatterns = (
    [
        path("", views.layout_list, name="list"),
        path("<int:pk>/", views.layout_edit, name="edit"),
        path("<int:pk>/test.pdf", views.layout_test, name="test"),
        path("<int:pk>/delete/", views.layout_delete, name="delete"),
    ],
    "label_layouts",
)
