from django.urls import path

from xiaotu.circulation import (
    compensation_views,
    corner_views,
    hold_views,
    notice_views,
    session_views,
    views,
    visit_views,
)

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
    path("overdue/", notice_views.overdue, name="overdue"),
    path("overdue/slips.pdf", notice_views.overdue_slips, name="overdue_slips"),
    path("overdue/send/", notice_views.overdue_send, name="overdue_send"),
    path("overdue/settings/", notice_views.notice_settings, name="notice_settings"),
    path("term-end/", notice_views.term_end, name="term_end"),
    path("term-end/slips.pdf", notice_views.term_end_slips, name="term_end_slips"),
    path("compensation/", compensation_views.compensation_list, name="compensation"),
    path("compensation/new/", compensation_views.compensation_new, name="compensation_new"),
    path("compensation/<int:pk>/settle/", compensation_views.compensation_settle_view, name="compensation_settle"),
    path("settings/", compensation_views.circulation_settings, name="settings"),
    path("classes/", session_views.class_list, name="classes"),
    path("classes/<int:pk>/start/", session_views.session_start, name="session_start"),
    path("classes/<int:pk>/", session_views.session, name="session"),
    path("classes/<int:pk>/scan/", session_views.session_scan_view, name="session_scan"),
    path("corners/", corner_views.corner_list, name="corners"),
    path("corners/new/", corner_views.corner_new, name="corner_new"),
    path("corners/<int:pk>/", corner_views.corner_detail, name="corner"),
    path("corners/<int:pk>/lend/", corner_views.corner_batch, {"action": "lend"}, name="corner_lend"),
    path("corners/<int:pk>/return/", corner_views.corner_batch, {"action": "return"}, name="corner_return"),
    path("corners/<int:pk>/pass/", corner_views.corner_pass, name="corner_pass"),
    path("kiosk/", visit_views.kiosk, name="kiosk"),
    path("room-visits/", visit_views.room_visits, name="room_visits"),
    path("timetable/", session_views.timetable, name="timetable"),
    path("timetable/<int:pk>/delete/", session_views.timetable_delete, name="timetable_delete"),
]

# The loan rule matrix is a setting: xiaotu/urls.py mounts it at /settings/loan-rules/ as `loan_rules:edit`.
rules_urlpatterns = (
    [
        path("", views.loan_rules, name="edit"),
        path("grades/", views.grade_limits, name="grades"),
        path("grades/<int:pk>/delete/", views.grade_limit_remove, name="grade_delete"),
    ],
    "loan_rules",
)
