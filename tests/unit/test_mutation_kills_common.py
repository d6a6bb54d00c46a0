# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module plumbing that mutation testing (docs/mutation.md) found unchecked by the unit tests: sessions opened for
one run are closed (or shared by the items of an in-process loop and logged out at exit), API errors become
redacted failures, missing libraries fail before any I/O, secret fingerprints."""

import atexit
import base64
import datetime
import json
import multiprocessing.util
import threading

import pytest
from ansible.module_utils import _internal, basic

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


# -- FilefleetModule: parameters from the in-process action plugin or from stdin, results printed as JSON -----------

SPEC = {"name": {"type": "str", "required": True}, "password": {"type": "str", "no_log": True},
        "count": {"type": "int", "default": 3}}


def _exit(module, capsys, **result):
    """exit_json's printed result, parsed (exit_json ends with SystemExit 0)."""
    with pytest.raises(SystemExit) as ended:
        module.exit_json(**result)
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("\n")  # what the action plugin and ansible-core both look for: the JSON on its own line
    return json.loads(out)


@pytest.fixture
def stdin_args(monkeypatch):
    """Module arguments as ansible-core hands them to a module started as a process (its stdin, already read)."""
    def give(args):
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
        monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    monkeypatch.setattr(basic, "_PARSED_MODULE_ARGS", None, raising=False)
    return give


def test_in_process_module_takes_the_action_plugins_arguments_and_prints_a_masked_result(capsys, stdin_args):
    stdin_args({"name": "from-stdin"})  # must not be read in-process
    args = {"name": "alpha", "password": "pw-Secret-77", "_ansible_check_mode": True, "_ansible_diff": True}
    with common.invocation(args):
        module = common.FilefleetModule(argument_spec=SPEC, supports_check_mode=True)
        assert module.filefleet_in_process is True and module.filefleet_loop is False
        assert module.params["name"] == "alpha" and module.params["count"] == 3
        assert module.check_mode is True and module._diff is True
        assert basic._PARSED_MODULE_ARGS == args and basic._PARSED_MODULE_ARGS is not args
        result = _exit(module, capsys, changed=True, user={"name": "alpha", "note": "pw-Secret-77"})
    assert result["changed"] is True and result["user"] == {"name": "alpha", "note": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}
    assert "pw-Secret-77" not in json.dumps(result)
    assert args == {"name": "alpha", "password": "pw-Secret-77", "_ansible_check_mode": True, "_ansible_diff": True}


def test_loop_flag_only_in_process(capsys, stdin_args):
    with common.invocation({"name": "a"}, loop=True):
        assert common.FilefleetModule(argument_spec=SPEC).filefleet_loop is True
    stdin_args({"name": "b"})
    module = common.FilefleetModule(argument_spec=SPEC)  # after the block: a module started as a process
    assert module.filefleet_in_process is False and module.filefleet_loop is False
    capsys.readouterr()


def test_module_outside_the_plugin_reads_stdin_and_prints_through_ansible_core(capsys, stdin_args):
    stdin_args({"name": "from-stdin", "password": "pw-Other-88", "count": "5"})
    module = common.FilefleetModule(argument_spec=SPEC)
    assert module.filefleet_in_process is False
    assert module.params["name"] == "from-stdin" and module.params["count"] == 5
    result = _exit(module, capsys, changed=False, echo="pw-Other-88")
    assert result["changed"] is False and result["echo"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert result["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_each_invocation_starts_without_the_warnings_of_the_item_before(capsys, monkeypatch):
    # Warnings are kept for the result only outside the controller (once controller code is imported, as other
    # tests do, ansible-core hands them to the Display at once).
    monkeypatch.setattr(_internal, "is_controller", False)
    with common.invocation({"name": "first"}, loop=True):
        module = common.FilefleetModule(argument_spec=SPEC)
        module.warn("only for the first item")
        module.deprecate("old for the first item", version="9.0.0", collection_name="filefleet.office")
        first = _exit(module, capsys, changed=False)
    assert len(first["warnings"]) == 1 and "only for the first item" in json.dumps(first["warnings"])
    assert len(first["deprecations"]) == 1 and "old for the first item" in json.dumps(first["deprecations"])
    with common.invocation({"name": "second"}, loop=True):
        second = _exit(common.FilefleetModule(argument_spec=SPEC), capsys, changed=False)
    assert "warnings" not in second and "deprecations" not in second


def test_in_process_result_keeps_types_that_json_alone_cannot_write(capsys):
    with common.invocation({"name": "a"}):
        module = common.FilefleetModule(argument_spec=SPEC)
        result = _exit(module, capsys, changed=False, when=datetime.date(2026, 12, 3), tags={"x"})
    assert result["when"] == "2026-12-03" and result["tags"] == ["x"]


# -- session scope and run(): any module, sessions shared only in-process ----------------------------------------------

def test_session_scope_accepts_a_module_without_the_in_process_flag():
    class PlainModule:
        pass

    made = []
    with common.SessionScope(PlainModule()) as scope:
        first = scope.get("edge", ("h",), lambda: made.append(Session("s%d" % len(made))) or made[-1])
        second = scope.get("edge", ("h",), lambda: made.append(Session("s%d" % len(made))) or made[-1])
    assert first is not second and [s.closed for s in made] == [1, 1]  # not shared, closed at the end


def test_run_hands_the_module_to_the_body_and_shares_sessions_in_process():
    module = FakeModule(in_process=True)
    seen = []

    def body(got, scope):
        seen.append(got)
        return {"changed": False, "session": scope.get("portal", ("h",), lambda: Session("shared")).name}

    for _item in range(2):
        with pytest.raises(Done):
            common.run(module, body)
    assert seen == [module, module]
    shared = common._SHARED_SESSIONS[("portal", "h")]
    assert shared.closed == 0 and module.exited == {"changed": False, "session": "shared"}


def test_missing_requests_fails_naming_requests_with_the_import_error(monkeypatch):
    monkeypatch.setattr(common, "HAS_REQUESTS", False)
    monkeypatch.setattr(common, "REQUESTS_IMPORT_ERROR", "Traceback: No module named 'requests'")
    module = FakeModule()
    ran = []
    with pytest.raises(Done):
        common.run(module, lambda m, s: ran.append(1))
    assert ran == [] and module.failed["exception"] == "Traceback: No module named 'requests'"
    assert "requests" in module.failed["msg"] and "required" in module.failed["msg"]


def test_in_process_sessions_are_logged_out_once_when_the_worker_exits(monkeypatch):
    """The finalizer is registered once, runs at the worker's exit (multiprocessing runs finalizers whose
    exitpriority is not None) and logs out every shared session."""
    finalizers, at_exit = [], []

    def finalize(obj, callback, args=(), kwargs=None, exitpriority=None):
        finalizers.append((obj, callback, args, kwargs, exitpriority))

    monkeypatch.setattr(multiprocessing.util, "Finalize", finalize)
    monkeypatch.setattr(atexit, "register", at_exit.append)
    monkeypatch.setattr(common, "_FINALIZER_REGISTERED", [])
    module = FakeModule(in_process=True)
    sessions = [Session("p"), Session("e")]
    with common.SessionScope(module) as scope:
        scope.get("portal", ("h",), lambda: sessions[0])
        scope.get("edge", ("h",), lambda: sessions[1])
    assert len(finalizers) == 1 and len(at_exit) == 1
    obj, callback, args, kwargs, priority = finalizers[0]
    assert obj is None and priority is not None and priority >= 0 and not args and not kwargs
    assert [s.closed for s in sessions] == [0, 0]
    callback()
    assert [s.closed for s in sessions] == [1, 1]
    at_exit[0]()  # the second way out (a process that is not a multiprocessing worker) finds nothing left
    assert [s.closed for s in sessions] == [1, 1]


# -- every no_log value of the task is taught to each session's redactor -----------------------------------------

class SecretModule(FakeModule):
    def __init__(self, in_process=False, no_log_values=()):
        FakeModule.__init__(self, in_process)
        self.no_log_values = set(no_log_values)


class RedactingSession(Session):
    def __init__(self, name, own=True, transport=True):
        Session.__init__(self, name)
        if own:
            self.redactor = Redactor()
        if transport:
            self.http = type("Http", (), {})()
            self.http.redact = Redactor()


@pytest.mark.parametrize("in_process", [False, True], ids=["per-run", "shared"])
def test_sessions_learn_the_tasks_secrets(in_process):
    module = SecretModule(in_process, no_log_values={"user-Pw-4411", 987654})
    basic = base64.b64encode(b"user-Pw-4411").decode()
    with common.SessionScope(module) as scope:
        own = scope.get("portal", ("a",), lambda: RedactingSession("own"))
        transport_only = scope.get("edge", ("b",), lambda: RedactingSession("t", own=False))
        neither = scope.get("cloutility", ("c",), lambda: Session("plain"))
        for redact in (own.redactor, transport_only.http.redact):
            assert redact("pw user-Pw-4411 b64 %s id 987654 None" % basic) == "pw ******** b64 ******** id ******** None"
        assert own.http.redact("user-Pw-4411") == "user-Pw-4411"  # the session's own redactor is the one taught
        assert neither.name == "plain"


def test_a_module_without_secrets_teaches_nothing():
    class Plain(FakeModule):
        pass
    with common.SessionScope(Plain()) as scope:
        session = scope.get("portal", ("a",), lambda: RedactingSession("own"))
    assert session.redactor("None user-Pw-4411") == "None user-Pw-4411"


def test_missing_requests_message_is_ansible_cores_own(monkeypatch):
    from ansible.module_utils.basic import missing_required_lib
    monkeypatch.setattr(common, "HAS_REQUESTS", False)
    module = FakeModule()
    with pytest.raises(Done):
        common.require_libraries(module)
    assert module.failed["msg"] == missing_required_lib("requests")


def test_a_module_made_in_a_thread_that_never_ran_the_plugin_reads_stdin(capsys, stdin_args):
    stdin_args({"name": "from-stdin"})
    made = []
    worker = threading.Thread(target=lambda: made.append(common.FilefleetModule(argument_spec=SPEC)))
    worker.start()
    worker.join()
    assert len(made) == 1 and made[0].filefleet_in_process is False and made[0].params["name"] == "from-stdin"
    capsys.readouterr()


def test_ansible_core_keeps_its_own_copy_of_nested_arguments(capsys):
    tagged = {"name": "a", "tags": ["x"]}
    with common.invocation(tagged):
        common.FilefleetModule(argument_spec=dict(SPEC, tags={"type": "list", "elements": "str"}))
    assert basic._PARSED_MODULE_ARGS == tagged and basic._PARSED_MODULE_ARGS["tags"] is not tagged["tags"]
    capsys.readouterr()
