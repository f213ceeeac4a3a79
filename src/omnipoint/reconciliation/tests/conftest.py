import pytest

from omnipoint.payments.tests.conftest import SECRET


@pytest.fixture(autouse=True)
def sandbox_on(settings):
    settings.SANDBOX_GATEWAY = True
    settings.SANDBOX_PAY_SECRET = SECRET
    settings.SITE_URL = "http://testserver"
