import asyncio

import pytest

# pytest-jupyter's fixtures (jp_fetch, jp_serverapp, ...) for this folder only: as a global plugin its
# event-loop hooks would take over every async test of the suite. Each fixture and hook that
# `from pytest_jupyter.jupyter_server import *` would bring, by name (jp_server_config is defined below).
from pytest_jupyter.jupyter_core import (  # noqa: F401  fixtures and hooks, found by pytest by name
    echo_kernel_spec,
    jp_asyncio_loop,
    jp_config_dir,
    jp_data_dir,
    jp_env_config_path,
    jp_env_jupyter_path,
    jp_environ,
    jp_home_dir,
    jp_kernel_dir,
    jp_runtime_dir,
    jp_system_config_path,
    jp_system_jupyter_path,
    pytest_pycollect_makeitem,
    pytest_pyfunc_call,
)
from pytest_jupyter.jupyter_server import (  # noqa: F401  fixtures, found by pytest by name
    jp_argv,
    jp_auth_header,
    jp_base_url,
    jp_configurable_serverapp,
    jp_create_notebook,
    jp_extension_environ,
    jp_fetch,
    jp_http_port,
    jp_logging_stream,
    jp_nbconvert_templates,
    jp_root_dir,
    jp_server_auth_core_resources,
    jp_server_auth_resources,
    jp_server_authorizer,
    jp_server_cleanup,
    jp_serverapp,
    jp_template_dir,
    jp_web_app,
    jp_ws_fetch,
    send_request,
)
from pytest_jupyter.pytest_tornasync import (  # noqa: F401  fixtures, found by pytest by name
    http_server,
    http_server_client,
    http_server_port,
    io_loop,
)
from rest import SECRETS, call

from jupyter_exo_models.core import deployments, imports
from jupyter_exo_models.server import handlers


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_exo_models": True}}}


@pytest.fixture(autouse=True)
def watches_end_before_the_loop_closes(jp_asyncio_loop):  # noqa: F811  the imported fixture, requested
    """Imports the server started are watched on its loop: stop them while that loop can still run."""
    yield
    imports.forget_jobs()
    deployments.forget_deployment_jobs()
    handlers._endpoints.clear()  # they name the sandbox of this test
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0.1))


@pytest.fixture
def secrets():
    """The secrets no answer may carry; a test adds its own (a deployment's key) and they go with it."""
    extra = len(SECRETS)
    yield SECRETS
    del SECRETS[extra:]


@pytest.fixture
def pause(jp_asyncio_loop):  # noqa: F811  the imported fixture, requested
    """Let the server's loop run (its import watches too) for a while."""
    return lambda seconds=0.1: jp_asyncio_loop.run_until_complete(asyncio.sleep(seconds))


@pytest.fixture
def api(jp_fetch, jp_asyncio_loop, secrets):  # noqa: F811  the imported fixtures, requested
    """A blocking caller: these tests run on pytest-jupyter's loop, not pytest-asyncio's."""
    return lambda path, method="GET", body=None, **params: jp_asyncio_loop.run_until_complete(
        call(jp_fetch, path, method, body, **params)
    )
