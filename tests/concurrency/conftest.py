import pytest


@pytest.fixture
def regions(transactional_db):
    """The region tree, in a database that real threads can see (no wrapping transaction).

    A transactional test ends with a flush, which also empties the tree that a data migration
    loaded; put it back when an earlier test took it.
    """
    from omnipoint.outlets.domain import SYSTEM
    from omnipoint.outlets.models import Region
    from omnipoint.outlets.services import regions_load

    if not Region.objects.exists():
        regions_load(actor=SYSTEM)


@pytest.fixture
def network(regions):
    from omnipoint.testing import build_network

    return build_network()
