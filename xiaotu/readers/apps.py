from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadersConfig(AppConfig):
    name = "xiaotu.readers"
    verbose_name = _("读者")
