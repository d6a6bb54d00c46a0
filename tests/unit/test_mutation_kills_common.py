# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module plumbing that mutation testing (docs/mutation.md) found unchecked by the unit tests: sessions opened for
one run are closed (or shared by the items of an in-process loop and logged out at exit), API errors become
redacted failures, missing libraries fail before any I/O, secret fingerprints."""

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _common as common
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, Redactor


class Done(Exception):
    pass


class FakeModule:
    def __init__(self, in_process=False):
        self.filefleet_in_process = in_process
        self.failed = None
        self.exited = None

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise Done()

    def exit_json(self, **kwargs):
        self.exited = kwargs
        raise Done()


class Session:
    def __init__(self, name, fail_close=False):
        self.name, self.fail_close, self.closed = name, fail_close, 0

    def close(self):
        self.closed += 1
        if self.fail_close:
            raise RuntimeError("logout refused")


@pytest.fixture(autouse=True)
def no_shared_sessions():
    common._logout_shared_sessions()
    yield
    common._logout_shared_sessions()


def test_sessions_of_one_run_are_all_closed_even_when_a_logout_fails():
    sessions = [Session("a", fail_close=True), Session("b"), Session("c")]
    made = iter(sessions)
    with common.SessionScope(FakeModule()) as scope:
        got = [scope.get("portal", ("h", "u"), lambda: next(made)) for _attempt in range(3)]
    assert got == sessions  # not shared: every get logs in anew
    assert [s.closed for s in sessions] == [1, 1, 1]


def test_in_process_sessions_are_shared_per_kind_and_key_and_logged_out_at_exit():
    module = FakeModule(in_process=True)
    made = []

    def factory(name):
        def make():
            made.append(Session(name))
            return made[-1]
        return make

    with common.SessionScope(module) as scope:
        first = scope.get("portal", ("h", "u"), factory("p1"))
    with common.SessionScope(module) as scope:  # the next loop item
        again = scope.get("portal", ("h", "u"), factory("p2"))
        edge = scope.get("edge", ("h", "u"), factory("e1"))
        other_user = scope.get("portal", ("h", "v"), factory("p3"))
    assert again is first and first.closed == 0
    assert [s.name for s in made] == ["p1", "e1", "p3"] and edge is not first and other_user is not first
    common._logout_shared_sessions()
    assert [s.closed for s in made] == [1, 1, 1]


def test_run_exits_with_the_body_result():
    module = FakeModule()
    with pytest.raises(Done):
        common.run(module, lambda m, scope: {"changed": True, "thing": {"name": "a"}})
    assert module.exited == {"changed": True, "thing": {"name": "a"}} and module.failed is None


def test_run_turns_api_errors_into_redacted_failures_and_closes_sessions():
    redact = Redactor(["s3cr3t-pw"])
    session = Session("portal")

    def body(module, scope):
        scope.get("portal", ("h",), lambda: session)
        raise ApiError(redact("login as admin/s3cr3t-pw failed"), "POST", "https://h/login", 401,
                       redact("bad password s3cr3t-pw"))

    module = FakeModule()
    with pytest.raises(Done):
        common.run(module, body)
    assert module.failed == {"msg": "login as admin/******** failed (POST https://h/login -> HTTP 401) "
                                    "server said: bad password ********",
                             "status": 401, "method": "POST", "url": "https://h/login",
                             "server_message": "bad password ********"}
    assert "s3cr3t-pw" not in repr(module.failed) and session.closed == 1


def test_run_turns_value_errors_into_failures():
    module = FakeModule()

    def body(module, scope):
        raise ValueError("colour is required")

    with pytest.raises(Done):
        common.run(module, body)
    assert module.failed == {"msg": "colour is required"}


def test_missing_library_fails_before_the_body_runs():
    module = FakeModule()
    ran = []
    with pytest.raises(Done):
        common.run(module, lambda m, s: ran.append(1), extra_libraries=[("cterasdk", False, "Traceback: no cterasdk")])
    assert ran == [] and "cterasdk" in module.failed["msg"] and module.failed["exception"] == "Traceback: no cterasdk"
    present = FakeModule()
    with pytest.raises(Done):
        common.run(present, lambda m, s: {"changed": False}, extra_libraries=[("cterasdk", True, None)])
    assert present.exited == {"changed": False}


def test_secret_fingerprint_depends_on_every_value_and_their_boundaries():
    fp = common.secret_fingerprint
    assert fp("a", "b") == fp("a", "b")
    assert len({fp("a", "b"), fp("b", "a"), fp("ab"), fp("a", "b", None), fp()}) == 5
    assert len(fp("s3cret")) == 64 and "s3cret" not in fp("s3cret")
