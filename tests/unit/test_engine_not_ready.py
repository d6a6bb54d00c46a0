# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device that cannot be read yet (``NotReadyYet``): the engine's ``read_or_assume`` and ``Resource.ready_view``.

First the engine on its own, with an in-memory resource whose ``read`` raises ``NotReadyYet``: a real run fails with
the error and writes nothing; check mode warns once, predicts from ``ready_view`` (create when it is None, an update
of only the differing keys otherwise) and writes nothing; nothing else is taken for "not ready".

Then ``edge_session`` against the Edge Filer simulator with one factory-fresh filer (no administrator yet) and one
set up: which login failures become ``NotReadyYet`` (only a refused login on a filer whose ``nosession/logininfo``
says ``isfirstlogin``), what a real run and check mode get, and edge_settings and edge_domain predicted on the fresh
filer with the simulator's state read back unchanged.
"""

import json

import pytest

from module_double import ModuleDouble

from ansible_collections.filefleet.office.plugins.module_utils import _engine as engine
from ansible_collections.filefleet.office.plugins.module_utils._common import SessionScope
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, AuthenticationError
from ansible_collections.filefleet.office.plugins.modules import edge_domain, edge_settings

from simulators.harness import Simulators

ERROR = "the device has no administrator yet"
WARNING = "check mode: predicted as on a device set up by earlier tasks"


class Gadget(engine.Resource):
    """``{name, colour, size}`` on a device that is not ready: ``read`` raises ``NotReadyYet`` (or ``failure``)."""

    key = "gadget"

    def __init__(self, module, given, ready=None, failure=None):
        super(Gadget, self).__init__(module, params={})
        self.given, self.ready, self.failure = given, ready, failure
        self.reads, self.writes = 0, []

    def read(self):
        self.reads += 1
        raise self.failure or engine.NotReadyYet(ERROR, WARNING)

    def ready_view(self):
        return None if self.ready is None else dict(self.ready)

    def desired(self, current):
        return dict(self.given)

    def create(self, desired, predicted):
        self.writes.append(("create", desired))

    def update(self, current, changes, predicted):
        self.writes.append(("update", changes))

    def delete(self, current):
        self.writes.append(("delete", current))


def test_not_ready_yet_is_a_value_error_with_its_own_warning():
    exc = engine.NotReadyYet(ERROR, WARNING)
    # run() in _common turns a ValueError into fail_json(msg=str(exc)): the real run's message is the error.
    assert isinstance(exc, ValueError)
    assert str(exc) == ERROR and exc.warning == WARNING


def test_real_run_fails_with_the_error_and_writes_nothing():
    module = ModuleDouble(check_mode=False)
    gadget = Gadget(module, {"colour": "red"}, ready={"name": "g", "colour": "blue"})
    with pytest.raises(engine.NotReadyYet) as caught:
        engine.ensure(gadget)
    assert str(caught.value) == ERROR
    assert gadget.writes == [] and module.warnings == [] and gadget.assumed is False


def test_read_or_assume_outside_check_mode_reraises():
    gadget = Gadget(ModuleDouble(check_mode=False), {})
    with pytest.raises(engine.NotReadyYet):
        gadget.read_or_assume()
    assert gadget.reads == 1


def test_check_mode_predicts_an_update_from_the_ready_view():
    module = ModuleDouble(check_mode=True, diff=True)
    gadget = Gadget(module, {"colour": "red", "size": 3}, ready={"name": "g", "colour": "blue", "size": 3})
    result = engine.ensure(gadget)
    assert result == {"changed": True, "gadget": {"name": "g", "colour": "red", "size": 3},
                      "diff": {"before": {"colour": "blue"}, "after": {"colour": "red"}}}
    assert module.warnings == [WARNING] and gadget.assumed is True
    assert gadget.writes == [] and gadget.reads == 1


def test_check_mode_predicts_no_change_when_the_ready_view_already_matches():
    module = ModuleDouble(check_mode=True)
    gadget = Gadget(module, {"colour": "BLUE"}, ready={"name": "g", "colour": "BLUE"})
    assert engine.ensure(gadget) == {"changed": False, "gadget": {"name": "g", "colour": "BLUE"}}
    assert module.warnings == [WARNING] and gadget.writes == []


def test_check_mode_predicts_a_create_when_the_object_is_absent_there():
    module = ModuleDouble(check_mode=True)
    gadget = Gadget(module, {"name": "g", "colour": "red"})  # the default ready_view: None, absent
    assert engine.Resource.ready_view(gadget) is None
    result = engine.ensure(gadget)
    assert result == {"changed": True, "gadget": {"name": "g", "colour": "red"},
                      "diff": {"before": {}, "after": {"name": "g", "colour": "red"}}}
    assert module.warnings == [WARNING] and gadget.writes == []


def test_check_mode_absent_is_no_change_on_a_device_where_it_does_not_exist_yet():
    module = ModuleDouble(check_mode=True)
    gadget = Gadget(module, {})
    assert engine.ensure(gadget, state="absent") == {"changed": False, "gadget": None}
    assert module.warnings == [WARNING] and gadget.writes == []


@pytest.mark.parametrize("failure", [ValueError("name is not allowed"), ApiError("refused", "GET", "https://x/g", 500),
                                     AuthenticationError("wrong password", "POST", "https://x/login", 403)])
def test_check_mode_takes_no_other_failure_for_not_ready(failure):
    module = ModuleDouble(check_mode=True)
    gadget = Gadget(module, {"colour": "red"}, ready={"name": "g"}, failure=failure)
    with pytest.raises(type(failure)) as caught:
        engine.ensure(gadget)
    assert caught.value is failure
    assert module.warnings == [] and gadget.assumed is False and gadget.writes == []


def test_many_entries_each_predicted_in_check_mode_and_each_named_in_a_real_run():
    def handle(module):
        def one(entry, _session):
            return engine.ensure(Gadget(module, {"name": entry, "colour": "red"}))
        return one

    checking = ModuleDouble(check_mode=True)
    out = engine.ensure_many(["a", "b"], handle(checking), object(), 4, True, "gadget", "gadgets", str)
    assert out["changed"] is True and out["changed_gadgets"] == ["a", "b"]
    assert out["gadgets"] == [{"name": "a", "colour": "red"}, {"name": "b", "colour": "red"}]
    assert checking.warnings == [WARNING, WARNING]
    with pytest.raises(ValueError) as caught:
        engine.ensure_many(["a", "b"], handle(ModuleDouble()), object(), 1, False, "gadget", "gadgets", str)
    assert str(caught.value) == "gadgets[0] 'a': %s (2 of 2 gadgets failed, the others were processed)" % ERROR


# -- edge_session against the simulator: one factory-fresh filer, one set up ---------------------------------------
@pytest.fixture(scope="module")
def filers(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("not-ready")), edges=2, edge_factory=1) as running:
        fresh, ready = running.info["edges"]
        assert fresh["factory"] is True and not ready.get("factory")
        yield running


def _params(edge, password=None, **options):
    params = {"edge_url": edge["url"], "edge_username": edge["username"], "edge_password": password or edge["password"],
              "validate_certs": True, "ca_path": edge["ca_path"], "timeout": 10}
    params.update(options)
    return params


def _state(sims, edge):
    return json.dumps(sims.state(edge), sort_keys=True)


def test_factory_fresh_is_what_logininfo_says(filers):
    fresh, ready = filers.info["edges"]
    assert EdgeSession(fresh["url"], "nobody", "x", ca_path=fresh["ca_path"]).factory_fresh() is True
    assert EdgeSession(ready["url"], "nobody", "x", ca_path=ready["ca_path"]).factory_fresh() is False


def test_real_run_on_a_factory_fresh_filer_fails_naming_edge_setup(filers):
    fresh = filers.info["edges"][0]
    with SessionScope(ModuleDouble(check_mode=False)) as scope:
        with pytest.raises(engine.NotReadyYet) as caught:
            edge_session(scope, _params(fresh))
    message = str(caught.value)
    assert "has no administrator yet (factory-fresh)" in message and fresh["url"] in message
    assert "filefleet.office.edge_setup creates the first administrator" in message
    assert repr(fresh["username"]) in message and fresh["password"] not in message


def test_check_mode_on_a_factory_fresh_filer_gets_a_session_that_cannot_read(filers):
    fresh = filers.info["edges"][0]
    module = ModuleDouble(check_mode=True)
    with SessionScope(module) as scope:
        session = edge_session(scope, _params(fresh))
        assert session.not_ready is not None and session.not_ready.warning.startswith("check mode: ")
        with pytest.raises(engine.NotReadyYet) as caught:
            session.get(session.path("config/device"), what="read the device")
    assert caught.value is session.not_ready
    assert "edge_setup" in caught.value.warning and "edge_portal_connection" in caught.value.warning


def test_a_refused_login_on_a_set_up_filer_stays_an_authentication_error(filers):
    ready = filers.info["edges"][1]
    for check_mode in (False, True):
        with SessionScope(ModuleDouble(check_mode=check_mode)) as scope:
            with pytest.raises(AuthenticationError) as caught:
                edge_session(scope, _params(ready, password=ready["password"] + "-wrong"))
        assert not isinstance(caught.value, engine.NotReadyYet)


def test_a_wrong_password_on_a_factory_fresh_filer_is_still_not_ready(filers):
    # Before its setup a filer has no user at all: any user name and password are refused alike.
    fresh = filers.info["edges"][0]
    with SessionScope(ModuleDouble(check_mode=False)) as scope:
        with pytest.raises(engine.NotReadyYet):
            edge_session(scope, _params(fresh, password="anything-else"))


def test_check_mode_modules_predict_from_their_ready_views_and_write_nothing(filers):
    fresh = filers.info["edges"][0]
    before = _state(filers, fresh)
    module = ModuleDouble(spec=edge_settings.argument_spec(), check_mode=True, diff=True, **dict(
        _params(fresh), hostname="upp-filer-1", location="Uppsala", timezone=None, ntp_servers=None))
    with SessionScope(module) as scope:
        result = edge_settings.ensure_settings(module, scope)
    assert result["changed"] is True
    assert result["settings"] == {"hostname": "upp-filer-1", "location": "Uppsala", "timezone": None,
                                  "ntp_servers": None}
    assert result["diff"] == {"before": {"hostname": None, "location": None},
                              "after": {"hostname": "upp-filer-1", "location": "Uppsala"}}
    assert len(module.warnings) == 1 and "has no administrator yet (factory-fresh)" in module.warnings[0]

    module = ModuleDouble(spec=edge_domain.argument_spec(), check_mode=True, **dict(_params(fresh), state="left"))
    with SessionScope(module) as scope:
        result = edge_domain.ensure_domain(module, scope)
    # A factory-fresh filer is in no domain: leaving is no change.
    assert result["changed"] is False and result["domain"]["state"] == "left"
    assert _state(filers, fresh) == before
