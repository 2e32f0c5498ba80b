from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from xiaotu.accounts.views import home
from xiaotu.api import api
from xiaotu.catalogue.urls import remote_urlpatterns
from xiaotu.circulation.urls import rules_urlpatterns
from xiaotu.printing.urls import layout_urlpatterns

urlpatterns = [
    # First: the desk's scans arrive here hundreds of times an hour, and Django tries the patterns in order.
    path("api/v1/", api.urls),
    path("", home, name="home"),
    path("accounts/", include("xiaotu.accounts.urls")),
    path("desk/", include("xiaotu.circulation.urls")),
    path("intake/", include("xiaotu.intake.urls")),
    path("catalogue/", include("xiaotu.catalogue.urls")),
    path("readers/", include("xiaotu.readers.urls")),
    path("printing/", include("xiaotu.printing.urls")),
    path("stocktake/", include("xiaotu.stocktake.urls")),
    path("reports/", include("xiaotu.reports.urls")),
    path("opac/", include("xiaotu.opac.urls")),
    path("settings/loan-rules/", include(rules_urlpatterns)),
    path("settings/remote-catalogues/", include(remote_urlpatterns)),
    path("settings/label-layouts/", include(layout_urlpatterns)),
    path("settings/calendar/", include("xiaotu.schools.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
