"""The channels an order or a price can come from. One list, used everywhere."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    APP = "app", _("App")
    WECHAT = "wechat", _("WeChat H5")
    HOTLINE = "hotline", _("Hotline")
    POS = "pos", _("Counter (POS)")
    PDA = "pda", _("Handheld (PDA)")
    SHOWROOM = "showroom", _("Salesperson showroom")
    PARTNER = "partner", _("Partner API")
