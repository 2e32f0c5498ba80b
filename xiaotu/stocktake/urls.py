from django.urls import path

from xiaotu.stocktake import views, weeding_views

app_name = "stocktake"
urlpatterns = [
    path("", views.stocktake_list, name="list"),
    path("<int:pk>/", views.stocktake_detail, name="detail"),
    path("<int:pk>/summary/", views.stocktake_summary, name="summary"),
    path("<int:pk>/runs/", views.run_new, name="run_new"),
    path("<int:pk>/runs/<int:run>/", views.scan_page, name="scan"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/items/<int:item>/return/", views.return_loan, name="return_loan"),
    path("<int:pk>/items/<int:item>/restore/", views.restore, name="restore"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("weeding/", weeding_views.candidates, name="weeding"),
    path("withdrawals/", weeding_views.batch_list, name="batches"),
    path("withdrawals/<int:pk>/", weeding_views.batch_detail, name="batch"),
    path("withdrawals/<int:pk>/decide/", weeding_views.batch_decide, name="batch_decide"),
    path("register/", weeding_views.register, name="register"),
    path("register.pdf", weeding_views.register_pdf, name="register_pdf"),
    path("register.xlsx", weeding_views.register_xlsx, name="register_xlsx"),
    path("repairs/", weeding_views.repairs, name="repairs"),
]
