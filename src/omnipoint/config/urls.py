from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from omnipoint.config.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("omnipoint.web.urls")),
    path("shop/", include("omnipoint.storefront.urls")),
    path("sandbox/", include("omnipoint.payments.urls")),
]
