from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpacConfig(AppConfig):
    name = "xiaotu.opac"
    verbose_name = _("公共检索")
