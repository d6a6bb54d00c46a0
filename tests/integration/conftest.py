# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests; the helpers live in integration_support (a unique module name, so
``from integration_support import run_playbook`` works whichever conftest pytest imported first).

Execution modes: every integration test runs twice, with the collection's modules in-process (``in_process``,
FILEFLEET_OFFICE_IN_PROCESS=1: the action plugin runs them in the Ansible worker, the default) and as real
modules (``module``, FILEFLEET_OFFICE_IN_PROCESS=0: AnsiballZ in a new Python process). The test id names the
mode (``test_x[in_process]``, ``test_x[module]``). run_playbook gives ansible-playbook the mode of the test unless
the test passes its own FILEFLEET_OFFICE_IN_PROCESS in env.

The mode is a session-scoped parameter, so pytest runs every test of one mode, then every test of the other; the
simulators of the session (``sims``) and the module-scoped fixtures that take ``execution_mode`` are made anew for
each mode, and a test finds the same fresh world in both.

A test (or a test module, through ``pytestmark``) marked ``@pytest.mark.one_mode(reason)`` runs once, in-process
(``one_mode(reason, mode="module")``: as modules): for tests about one mode or about both at once (they set
FILEFLEET_OFFICE_IN_PROCESS themselves), and for slow tests that check no module's result the other tests do not
check in both modes.
"""

import pytest

import integration_support
from integration_support import sims  # noqa: F401  pylint: disable=unused-import

MODES = {"in_process": "1", "module": "0"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "one_mode(reason, mode='in_process'): run this integration test in one execution mode only "
                   "(tests/integration/conftest.py)")


def pytest_generate_tests(metafunc):
    if "execution_mode" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("one_mode")
    if marker is None:
        modes = list(MODES)
    else:
        mode = marker.kwargs.get("mode", "in_process")
        assert mode in MODES, "one_mode: unknown mode %r" % mode
        modes = [mode]
    metafunc.parametrize("execution_mode", modes, indirect=True, scope="session")


@pytest.fixture(scope="session", autouse=True)
def execution_mode(request):
    """The execution mode of the modules: "in_process" or "module" (FILEFLEET_OFFICE_IN_PROCESS=1 or 0)."""
    mode = request.param
    integration_support.EXECUTION_MODE_ENV.clear()
    integration_support.EXECUTION_MODE_ENV["FILEFLEET_OFFICE_IN_PROCESS"] = MODES[mode]
    yield mode
    integration_support.EXECUTION_MODE_ENV.clear()
