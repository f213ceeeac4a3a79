from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from omnipoint.aftersales.urls import console_patterns as tickets_console
from omnipoint.aftersales.urls import shop_patterns as tickets_shop
from omnipoint.appointments.urls import console_patterns as appointments_console
from omnipoint.appointments.urls import shop_patterns as appointments_shop
from omnipoint.config.api import api
from omnipoint.core.auth import ThrottledAdminAuthenticationForm
from omnipoint.identity.urls import console_patterns as identity_console
from omnipoint.identity.urls import shop_patterns as identity_shop
from omnipoint.members.views import sandbox_sms

admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", RedirectView.as_view(url="/console/", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/clearing/", include("omnipoint.clearing.urls")),
    path("console/reconciliation/", include("omnipoint.reconciliation.urls")),
    path("console/settlement/", include("omnipoint.settlement.urls")),
    path("console/dashboard/", include("omnipoint.dashboards.urls")),
    path("console/appointments/", include((appointments_console, "appointments_console"))),
    path("console/bills/", include("omnipoint.billpay.urls")),
    path("console/identity/", include((identity_console, "identity"))),
    path("console/tickets/", include((tickets_console, "aftersales_console"))),
    path("console/parcels/", include("omnipoint.parcels.urls")),
    path("console/flash/", include("omnipoint.flashsales.urls")),
    path("console/", include("omnipoint.web.urls")),
    path("shop/appointments/", include((appointments_shop, "appointments_shop"))),
    path("shop/bills/", include("omnipoint.billpay.shop_urls")),
    path("shop/identity/", include((identity_shop, "identity_shop"))),
    path("shop/tickets/", include((tickets_shop, "aftersales_shop"))),
    path("shop/parcels/", include("omnipoint.parcels.shop_urls")),
    path("shop/flash/", include("omnipoint.flashsales.shop_urls")),
    path("shop/", include("omnipoint.storefront.urls")),
]
# The demo's stand-ins for the outside world, mounted only when switched on (settings.py).
if settings.DEMO_MODE:
    urlpatterns.append(path("sandbox/sms/", sandbox_sms, name="sandbox_sms"))
if settings.SANDBOX_GATEWAY:
    urlpatterns.append(path("sandbox/", include("omnipoint.payments.urls")))

handler400 = "omnipoint.config.errors.bad_request"
handler403 = "omnipoint.config.errors.permission_denied"
handler404 = "omnipoint.config.errors.page_not_found"
handler500 = "omnipoint.config.errors.server_error"
