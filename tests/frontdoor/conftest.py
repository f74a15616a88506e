import pytest

from tests.frontdoor.builders import build_network
from tests.frontdoor.mailkit import inbox, sink  # noqa: F401 - the e-mail tests' fixtures


@pytest.fixture
def net(db):
    return build_network()
