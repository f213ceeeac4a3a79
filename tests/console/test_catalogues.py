"""Our catalogues never carry Django's own msgids: LOCALE_PATHS outranks Django's catalogues,
so an entry of ours for "Change" or "Add" (the counter's 找零 and 加入) would rename the admin's
修改 and 增加. Our words that are also Django's take a context ("console")."""

import gettext
from pathlib import Path

import django
import pytest

from omnipoint.testing import user_of

DJANGO = Path(django.__file__).parent


def _catalogue(mo: Path) -> dict[object, str]:
    with mo.open("rb") as f:
        return {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k}  # type: ignore[attr-defined]


def _ours() -> list[Path]:
    import omnipoint

    root = Path(omnipoint.__file__).parent
    return sorted(root.glob("**/locale/zh_Hans/LC_MESSAGES/*.mo"))


def test_our_catalogues_have_none_of_djangos_msgids():
    djangos: dict[object, tuple[str, Path]] = {}
    for mo in DJANGO.glob("**/locale/zh_Hans/LC_MESSAGES/*.mo"):
        for key, text in _catalogue(mo).items():
            djangos.setdefault(key, (text, mo.relative_to(DJANGO)))
    ours = _ours()
    assert len(ours) >= 2  # the console's and the storefront's
    clashes = [
        f"{mo.relative_to(mo.parents[3])}: {key!r} -> {text} (Django: {djangos[key][0]} in {djangos[key][1]})"
        for mo in ours
        for key, text in _catalogue(mo).items()
        if key in djangos
    ]
    assert clashes == []


@pytest.mark.django_db
def test_the_admin_speaks_djangos_words(client, network):
    client.force_login(user_of("hq_admin"))
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "修改" in page and "增加" in page
    assert "找零" not in page and "加入" not in page
