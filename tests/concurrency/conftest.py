import pytest


@pytest.fixture
def network(transactional_db):
    """The persona network, in a database that real threads can see (no wrapping transaction).

    A transactional test ends with a flush, which also empties the region tree that a data
    migration loaded; put it back first when an earlier test took it.
    """
    from omnipoint.core.testing import build_network
    from omnipoint.outlets.models import Region
    from omnipoint.outlets.services import regions_load

    if not Region.objects.exists():
        regions_load()
    return build_network()
