from django.urls import path

from xiaotu.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("marc/", views.marc_upload, name="marc_upload"),
    path("excel/", views.excel_upload, name="excel_upload"),
    path("imports/<int:pk>/", views.job_detail, name="job"),
    path("imports/<int:pk>/mapping/", views.excel_mapping, name="mapping"),
    path("imports/<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("export/", views.export, name="export"),
    path("numbering/", views.numbering, name="numbering"),
    path("numbering/ranges/", views.range_add, name="range_add"),
    path("numbering/ranges/<int:pk>/delete/", views.range_delete, name="range_delete"),
]
