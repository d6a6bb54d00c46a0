# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis): no module argument produces a traceback.

For every module, arguments are generated from its argument spec: each option may get a value of its own type or
of any other (lists for texts, dicts for numbers, booleans, unicode and control characters, huge, negative and
non-finite numbers, ``nan`` as text...). The module's ``main()`` runs in-process (as the action plugin runs it)
against a stand-in for every API session that answers nothing; the run must end with a clean JSON result, failed
with a message or not failed, and never with an exception.

The profile is fixed (derandomized, bounded examples, no deadline) so CI runs the same examples every time.
"""

import contextlib
import importlib
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.filefleet.office.plugins.module_utils import _common
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError

MODULES = ("ctera_user", "ctera_user_info", "ctera_group", "ctera_share", "ctera_share_info", "edge_sync", "edge_backup",
           "edge_config_export", "edge_info", "cloutility_consumer", "cloutility_consumer_info", "backup_node",
           "backup_node_info", "ctera_file", "ctera_tenant", "ctera_tenant_info", "ctera_plan", "ctera_folder_group",
           "ctera_cloud_folder", "ctera_cloud_folder_info", "ctera_zone", "ctera_zone_info", "ctera_activation_code",
           "edge_setup", "edge_settings", "edge_domain", "edge_user", "edge_group", "edge_portal_connection")
CONNECTION = {
    "portal_url": "https://portal.invalid", "portal_username": "admin", "portal_password": "pw-Portal-1",
    "edge_url": "https://edge.invalid", "edge_username": "admin", "edge_password": "pw-Edge-1",
    "cloutility_url": "https://cloutility.invalid", "cloutility_username": "api", "cloutility_password": "pw-Clou-1",
    "cloutility_client_id": "client", "cloutility_origin": "https://automation.invalid",
}
PROFILE = settings(derandomize=True, max_examples=60, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class NoServer(Exception):
    pass


class NoSessions(list):
    """``SessionScope.opened`` of the stand-in: a module that makes a session of its own (edge_setup) and hands it
    over to be closed is about to use it, which ends the run as an API error would."""

    def append(self, session):
        raise ApiError("stand-in: no server in this test")


class StandInScope:
    """A SessionScope whose sessions are stand-ins: any use of one ends the run as an API error would."""

    def __init__(self, module):
        self.module = module
        self.opened = NoSessions()

    def get(self, kind, key, factory):
        raise ApiError("stand-in: no %s server in this test" % kind)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


texts = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF), max_size=12),
    st.sampled_from(["", " ", " bob ", ".", "..", "a/b", "nan", "inf", "-inf", "1e300", "0644", "999.1.1.1",
                     "255.255.255.0", "2025-02-30", "2025-05-01", "yes", "\x00", "\ud800", "x" * 5000, "http://h",
                     "https://h:99999", "https://u:p@h"]),
)
numbers = st.one_of(st.integers(), st.integers(min_value=-(10 ** 400), max_value=10 ** 400),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1, 2 ** 31, 10 ** 300]))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
anything = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


def of_type(definition):
    """Values of the option's own type (mostly), sometimes of any other."""
    kind = definition.get("type", "str")
    own = {"str": texts, "path": texts, "int": numbers, "float": numbers, "bool": st.booleans(), "raw": scalars}.get(kind)
    if definition.get("choices"):
        own = st.one_of(st.sampled_from(list(definition["choices"])), texts)
    if kind == "list":
        element = of_type({"type": definition.get("elements", "str"), "options": definition.get("options"),
                           "choices": definition.get("choices")})
        own = st.lists(element, max_size=3)
    elif kind == "dict" or definition.get("options"):
        own = entries(definition["options"]) if definition.get("options") else st.dictionaries(st.text(max_size=5), scalars)
    return st.one_of(own, own, own, anything)


def entries(spec):
    """A dict of some of the options of ``spec`` (the required ones mostly present)."""
    return st.fixed_dictionaries({}, optional=dict((option, of_type(d)) for option, d in spec.items()))


def arguments(spec):
    options = dict((option, of_type(definition)) for option, definition in spec.items()
                   if option not in CONNECTION)
    return st.tuples(st.fixed_dictionaries({}, optional=options), st.booleans(), st.booleans())


def run_module(code, spec, args, check_mode, diff):
    """The module's result as the action plugin would parse it (a dict); an exception propagates."""
    module_args = dict((option, value) for option, value in CONNECTION.items() if option in spec)
    module_args.update(args)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    output = io.StringIO()
    with _common.invocation(module_args), contextlib.redirect_stdout(output):
        try:
            code.main()
        except SystemExit:
            pass
    lines = [line for line in output.getvalue().splitlines() if line.strip()]
    assert lines, "the module printed nothing"
    return json.loads(lines[-1])


@pytest.fixture(autouse=True)
def stand_in_sessions(monkeypatch, tmp_path):
    monkeypatch.setattr(_common, "SessionScope", StandInScope)
    monkeypatch.chdir(tmp_path)  # a generated dest (edge_config_export) lands here, never in the repository
    for key in list(os.environ):
        if key.startswith(("CTERA_", "CLOUTILITY_")):
            monkeypatch.delenv(key)


@pytest.mark.parametrize("name", MODULES)
def test_no_argument_produces_a_traceback(name):
    code = importlib.import_module("ansible_collections.filefleet.office.plugins.modules." + name)
    spec = code.argument_spec()

    @PROFILE
    @given(arguments(spec))
    def check(generated):
        args, check_mode, diff = generated
        result = run_module(code, spec, args, check_mode, diff)
        if result.get("failed"):
            assert result.get("msg"), result
            assert "Traceback" not in json.dumps(result) or "stand-in" in json.dumps(result), result
            assert "exception" not in result or "stand-in" in str(result.get("msg")), result
        for secret in ("pw-Portal-1", "pw-Edge-1", "pw-Clou-1"):
            assert secret not in json.dumps(result), result
    check()  # pylint: disable=no-value-for-parameter
