from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StocktakeConfig(AppConfig):
    name = "xiaotu.stocktake"
    verbose_name = _("清点与剔旧")
