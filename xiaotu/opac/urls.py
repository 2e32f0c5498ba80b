from django.urls import URLPattern, path

from xiaotu.opac.views import account, holds, manage, public

app_name = "opac"
urlpatterns: list[URLPattern] = [
    path("", public.library_choice, name="choose_library"),
    # The librarian's pages come first: /opac/manage/ is never read as a library.
    path("manage/lists/", manage.list_index, name="manage_lists"),
    path("manage/lists/<int:pk>/", manage.list_edit, name="manage_list"),
    path("manage/lists/<int:pk>/add/", manage.list_add, name="manage_list_add"),
    path("manage/lists/<int:pk>/action/", manage.list_action, name="manage_list_action"),
    path("manage/lists/<int:pk>/entries/<int:entry_id>/", manage.entry_action, name="manage_entry"),
    path("manage/readers/<int:pk>/password/", manage.reader_password, name="reader_password"),
    path("manage/class-passwords/", manage.class_passwords, name="class_passwords"),
    path("<int:library_id>/", public.home, name="home"),
    path("<int:library_id>/search/", public.search_page, name="search"),
    path("<int:library_id>/records/<int:pk>/", public.record_page, name="record"),
    path("<int:library_id>/new/", public.new_arrivals, name="new_arrivals"),
    path("<int:library_id>/lists/", public.reading_lists, name="lists"),
    path("<int:library_id>/lists/<int:pk>/", public.reading_list, name="list"),
    path("<int:library_id>/popular/", public.popular, name="popular"),
    path("<int:library_id>/sign-in/", account.sign_in, name="sign_in"),
    path("<int:library_id>/sign-out/", account.sign_out, name="sign_out"),
    path("<int:library_id>/me/", account.account, name="account"),
    path("<int:library_id>/me/history/", account.history, name="history"),
    path("<int:library_id>/me/password/", account.change_password, name="change_password"),
    path("<int:library_id>/me/loans/<int:loan_id>/renew/", account.renew_loan, name="renew"),
    path("<int:library_id>/records/<int:pk>/hold/", holds.hold_place, name="hold_place"),
    path("<int:library_id>/me/holds/<int:hold_id>/cancel/", holds.hold_cancel, name="hold_cancel"),
]
