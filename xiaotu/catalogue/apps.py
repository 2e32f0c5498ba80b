from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "xiaotu.catalogue"
    verbose_name = _("编目与馆藏")
