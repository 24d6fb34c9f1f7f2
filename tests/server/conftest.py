import pytest

# pytest-jupyter's fixtures (jp_fetch, jp_serverapp, ...) for this folder only: as a global plugin its
# event-loop hooks would take over every async test of the suite.
from pytest_jupyter.jupyter_server import *  # noqa: F403


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_exo_models": True}}}
