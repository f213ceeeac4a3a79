import pytest

from omnipoint.parcels.tests.world import build_parcels


class _W:
    def __init__(self, net):  # type: ignore[no-untyped-def]
        self.net, self.objects = net, {}

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        if name in {"a", "b", "w", "c"}:
            return getattr(self.net, name)
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def pw(network):
    """The persona network with the parcels of world.build_parcels."""
    return build_parcels(_W(network))
