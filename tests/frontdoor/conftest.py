import pytest

from tests.frontdoor.builders import build_network


@pytest.fixture
def net(db):
    return build_network()
