import asyncio

import pytest

# pytest-jupyter's fixtures (jp_fetch, jp_serverapp, ...) for this folder only: as a global plugin its
# event-loop hooks would take over every async test of the suite.
from pytest_jupyter.jupyter_server import *

from jupyter_exo_models.core import imports


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_exo_models": True}}}


@pytest.fixture(autouse=True)
def watches_end_before_the_loop_closes(jp_asyncio_loop):
    """Imports the server started are watched on its loop: stop them while that loop can still run."""
    yield
    imports.forget_jobs()
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0.1))
