"""Headless Chromium through Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
from it; the browser tests allow that while (and only while) the browser is up.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_REGIONS: list[dict[str, object]] = []


@pytest.fixture
def live_network(transactional_db, live_server):
    """The persona network in a database the live server's thread can see.

    A transactional test ends with a flush, which also empties the region tree a data
    migration loaded. Put it back when an earlier test took it: from a copy taken the first
    time (one bulk insert), else from the division codes (slow: thousands of inserts).
    """
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Region
    from omnipoint.outlets.services import regions_load
    from omnipoint.testing import build_network

    if not Region.objects.exists():
        if _REGIONS:
            Region.objects.bulk_create([Region(**row) for row in _REGIONS], batch_size=1000)
        else:
            regions_load(actor=SYSTEM)
    if not _REGIONS:
        _REGIONS.extend(Region.objects.order_by("path").values())
    return build_network()


def _new_page(browser, viewport):  # type: ignore[no-untyped-def]
    # A handheld set to Chinese, as the staff in the network would have it.
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    page = _new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def desktop(browser):  # type: ignore[no-untyped-def]
    page = _new_page(browser, DESKTOP)
    yield page
    page.context.close()


def customer_context(browser, *, width: int = 390, height: int = 844, scale: int = 1, at=None):  # type: ignore[no-untyped-def]
    """A customer's phone (touch, set to Chinese) at ``width`` x ``height`` CSS px and ``scale``
    device pixels to one; ``at``: the place (an outlet) its browser says it stands at."""
    where = {}
    if at is not None:
        where = {"geolocation": {"latitude": at.lat, "longitude": at.lng}, "permissions": ["geolocation"]}
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        **where,
    )
    context.set_default_timeout(15_000)
    return context


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, base_url: str, username: str, password: str = "omnipoint") -> None:  # type: ignore[no-untyped-def]
    """Through the login page, as a clerk would."""
    page.goto(f"{base_url}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base_url}/console/")
