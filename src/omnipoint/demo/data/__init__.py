"""The demo catalogue and place names. Plain data: network.py turns it into rows."""

from omnipoint.demo.data.catalogue import CATEGORIES, SUPPLIERS, ProductSpec
from omnipoint.demo.data.durables import accessories, appliances
from omnipoint.demo.data.food import agri, imported
from omnipoint.demo.data.paper import services_and_virtual, stationery
from omnipoint.demo.data.places import (
    OPENING_HOURS,
    PLACES,
    SHANGHAI_CENTRAL,
    SHANGHAI_OUTER,
    STREETS,
    VILLAGES,
    WAREHOUSES,
)

__all__ = [
    "CATEGORIES",
    "OPENING_HOURS",
    "PLACES",
    "SHANGHAI_CENTRAL",
    "SHANGHAI_OUTER",
    "STREETS",
    "SUPPLIERS",
    "VILLAGES",
    "WAREHOUSES",
    "ProductSpec",
    "products",
]


def products() -> list[ProductSpec]:
    return appliances() + accessories() + agri() + imported() + stationery() + services_and_virtual()
