# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine behaviour that mutation testing (docs/mutation.md) found unchecked: comparison and idempotency,
masked secrets in diffs, delete, absent entries and failures of bulk tasks, and which connections bulk writes use."""

import threading

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _engine as engine


class FakeModule:
    def __init__(self, check_mode=False, diff=True, params=None):
        self.check_mode = check_mode
        self._diff = diff
        self.params = params if params is not None else {}

    def warn(self, message):
        raise AssertionError("unexpected warning %r" % message)


class Record(engine.Resource):
    """An object in ``store`` keyed by id; the service answers writes with the stored object (never the secret)."""

    key = "record"
    write_only = ("secret",)
    casefold_keys = ("colour",)
    set_keys = ("tags",)

    def __init__(self, module, store, given, echo=True):
        super(Record, self).__init__(module, params={})
        self.store, self.given, self.echo = store, given, echo
        self.deleted = []

    def read(self):
        return dict(self.store["a"]) if "a" in self.store else None

    def desired(self, current):
        return dict(self.given)

    def forced(self, current, desired):
        return {"secret": desired["secret"]} if desired.get("secret") is not None else {}

    def create(self, desired, predicted):
        self.store["a"] = dict((k, v) for k, v in desired.items() if k != "secret" and v is not None)
        self.store["a"]["id"] = 7
        return dict(self.store["a"]) if self.echo else None

    def update(self, current, changes, predicted):
        self.store["a"].update((k, v) for k, v in changes.items() if k != "secret")
        return dict(self.store["a"]) if self.echo else None

    def delete(self, current):
        # the service deletes by id: the id is only in the current object
        self.deleted.append(current["id"])
        del self.store["a"]


def ensure(store, given, state="present", check_mode=False, echo=True):
    record = Record(FakeModule(check_mode), store, given, echo)
    return engine.ensure(record, state), record


# -- comparison / idempotency ---------------------------------------------------------------------------------

def test_unordered_keys_ignore_order_on_both_sides():
    store = {"a": {"id": 7, "colour": "red", "tags": ["x", "y"]}}
    result, _record = ensure(store, {"tags": ["y", "x"]})
    assert result["changed"] is False and "diff" not in result


def test_ordered_lists_and_case_of_other_keys_count():
    store = {"a": {"id": 7, "name": "Alpha", "order": ["x", "y"]}}
    result, _record = ensure(store, {"name": "alpha", "order": ["y", "x"]})
    assert result["changed"] is True
    assert result["diff"] == {"before": {"name": "Alpha", "order": ["x", "y"]},
                              "after": {"name": "alpha", "order": ["y", "x"]}}


def test_casefold_applies_inside_lists_and_dicts():
    assert engine.normalise(["Red", {"k": "Blue"}], casefold=True) == engine.normalise(["red", {"k": "blue"}], True)
    assert engine.normalise({"k": "Blue"}, casefold=True) == engine.normalise({"k": "BLUE"}, casefold=True)
    # without casefold (the default) case counts, at the top and nested
    assert engine.normalise("Red") != engine.normalise("red")
    assert engine.normalise(["Red"]) != engine.normalise(["red"])
    assert engine.normalise({"k": "Red"}) != engine.normalise({"k": "red"})


def test_nested_values_are_compared_not_only_keys():
    assert engine.normalise({"k": "a"}) != engine.normalise({"k": "b"})
    assert engine.normalise(["a"]) != engine.normalise(["b"])
    # unset nested values are ignored, '' inside lists is unset like at the top
    assert engine.normalise({"k": "a", "unset": None}) == engine.normalise({"k": "a"})
    assert engine.normalise(["", "a"]) == engine.normalise([None, "a"])


def test_lists_are_ordered_unless_unordered():
    assert engine.normalise(["a", "b"]) != engine.normalise(["b", "a"])
    assert engine.normalise(["a", "b"], unordered=True) == engine.normalise(["b", "a"], unordered=True)


def test_unordered_lists_of_mixed_values_compare():
    # numbers and text in one set-like list (ids given as numbers or as text) must not fail to sort
    assert engine.normalise([2, "a", None], unordered=True) == engine.normalise(["a", None, 2], unordered=True)


def test_resource_uses_params_it_is_given_over_the_modules():
    module = FakeModule(params={"name": "task"})
    assert engine.Resource(module, params={"name": "entry"}).params == {"name": "entry"}
    assert engine.Resource(module).params == {"name": "task"}


# -- delete ---------------------------------------------------------------------------------------------------

def test_delete_is_given_the_current_object():
    store = {"a": {"id": 7, "colour": "red"}}
    result, record = ensure(store, {}, state="absent")
    assert result["changed"] is True and store == {} and record.deleted == [7]


# -- secrets and diffs ----------------------------------------------------------------------------------------

def test_changed_secret_is_masked_in_the_diff_when_the_service_answers_without_it():
    store = {"a": {"id": 7, "colour": "red"}}
    result, _record = ensure(store, {"colour": "blue", "secret": "n3w-s3cret"})
    assert result["diff"] == {"before": {"colour": "red", "secret": engine.MASK},
                              "after": {"colour": "blue", "secret": engine.MASK_NEW}}
    assert "n3w-s3cret" not in repr(result)


def test_changed_key_missing_from_the_answer_keeps_its_new_value_in_the_diff():
    # the service answers the update with an object that lacks a written key: the diff shows what was written
    class Partial(Record):
        def update(self, current, changes, predicted):
            Record.update(self, current, changes, predicted)
            return {"id": 7}

    store = {"a": {"id": 7, "colour": "red"}}
    result = engine.ensure(Partial(FakeModule(), store, {"colour": "blue"}), "present")
    assert result["diff"] == {"before": {"colour": "red"}, "after": {"colour": "blue"}}


def test_diff_of_a_key_the_object_did_not_have_keeps_the_other_keys():
    store = {"a": {"id": 7, "colour": "red"}}
    result, _record = ensure(store, {"tags": ["x"], "colour": "blue"})
    assert result["diff"] == {"before": {"colour": "red"}, "after": {"colour": "blue", "tags": ["x"]}}


def test_unset_write_only_key_is_left_out_of_a_create_diff_and_the_rest_stays():
    result, _record = ensure({}, {"colour": "red", "secret": None, "tags": ["x"]}, check_mode=True)
    assert result["diff"] == {"before": {}, "after": {"colour": "red", "tags": ["x"]}}


# -- bulk tasks -----------------------------------------------------------------------------------------------

class Workers:
    def __init__(self):
        self.made, self.closed = [], 0
        self.lock = threading.Lock()

    def worker(self):
        parent = self

        class Worker:
            def close(self):
                with parent.lock:
                    parent.closed += 1
        worker = Worker()
        with self.lock:
            self.made.append(worker)
        return worker


def test_failure_of_a_bulk_task_names_the_entry_and_the_count():
    def handle(entry, worker):
        if entry.startswith("bad"):
            raise ValueError("%s is not valid" % entry)
        return {"changed": False, "thing": {"name": entry}}

    with pytest.raises(ValueError) as caught:
        engine.ensure_many(["a", "bad1", "c", "bad2"], handle, Workers(), 1, False, "thing", "things", str)
    assert str(caught.value) == "things[1] 'bad1': bad1 is not valid (2 of 4 things failed, the others were processed)"


def test_absent_entries_are_listed_by_name():
    out = engine.ensure_many(["a", "b"], lambda e, w: {"changed": e == "a", "thing": None if e == "a" else {"name": e}},
                             Workers(), 1, False, "thing", "things", lambda e: e.upper())
    assert out == {"changed": True, "changed_things": ["A"],
                   "things": [{"name": "A", "absent": True}, {"name": "b"}]}


def test_two_entries_are_written_on_two_connections():
    session = Workers()
    used = []
    lock = threading.Lock()

    def handle(entry, worker):
        with lock:
            used.append(worker)
        return {"changed": False, "thing": {"name": entry}}

    engine.ensure_many(["a", "b"], handle, session, 2, False, "thing", "things", str)
    assert len(session.made) == 2 and session.closed == 2
    assert set(map(id, used)) <= set(map(id, session.made)) and session not in used


def test_concurrency_one_writes_everything_on_the_task_session():
    session = Workers()
    used = []
    engine.ensure_many(["a", "b", "c"], lambda e, w: used.append(w) or {"changed": False, "thing": None},
                       session, 1, False, "thing", "things", str)
    assert used == [session, session, session] and session.made == []


def test_ensure_each_runs_real_writes_on_workers():
    session = Workers()
    used = []
    lock = threading.Lock()

    def handle(entry, worker):
        with lock:
            used.append(worker)
        return {"changed": True, "thing": {"name": entry}}

    out = engine.ensure_each(FakeModule(), ["a", "b", "c"], handle, session, 3, "thing", "things", str)
    assert out["changed_things"] == ["a", "b", "c"]
    assert len(session.made) == 3 and session not in used


def test_merge_list_append_replaces_in_place_without_duplicating():
    # current entries are matched by key; a given entry replacing one is not appended a second time
    assert engine.merge_list(["a1", "b1"], ["b2", "c1", "c2"], "append", lambda e: e[0]) == ["a1", "b2", "c1"]


def test_merge_list_bad_mode_message_names_the_mode():
    with pytest.raises(ValueError) as caught:
        engine.merge_list([], [], "replace", str)
    assert str(caught.value) == "mode must be one of exact, append, remove, got 'replace'"


# -- what create, update, desired and forced are given (modules rely on each) -----------------------------------

class Team(engine.Resource):
    """A group as the portal keeps it: ``members`` merged in ``members_mode`` (append needs the current members),
    a write-only ``password`` rewritten on an existing team only with ``update_password: always`` (like ctera_user),
    an update sent as members to add and to delete (from the current and the predicted team, like ctera_group),
    and a create whose answer is the predicted team with the id the service gave it (like ctera_user)."""

    key = "team"
    write_only = ("password",)

    def __init__(self, module, store, params, answer_update=None, taken_by=None):
        super(Team, self).__init__(module, params=params)
        self.store, self.answer_update, self.taken_by = store, answer_update, taken_by
        self.wire = []

    def read(self):
        return dict(self.store["t"]) if "t" in self.store else None

    def desired(self, current):
        wanted = {"name": "t"}
        if self.params.get("members") is not None:
            have = (current or {}).get("members") or []
            wanted["members"] = sorted(engine.merge_list(have, self.params["members"], self.params["mode"], str))
        if self.params.get("password") is not None:
            wanted["password"] = self.params["password"]
        return wanted

    def forced(self, current, desired):
        if current is not None and self.params.get("update_password") == "always" and desired.get("password"):
            return {"password": desired["password"]}
        return {}

    def create(self, desired, predicted):
        if self.taken_by is not None:  # another run created it between our read and our create
            self.store["t"] = dict(self.taken_by)
            self.wire.append(("create", dict(desired)))
            raise engine.ApiError("create team t failed", status=409, server_message="name already taken")
        self.wire.append(("create", dict(desired)))
        self.store["t"] = {"id": 41, "name": "t", "members": desired.get("members", [])}
        return dict(predicted, id=41)

    def update(self, current, changes, predicted):
        request = {"id": current["id"],
                   "add": [m for m in predicted["members"] if m not in current["members"]],
                   "delete": [m for m in current["members"] if m not in predicted["members"]]}
        if "password" in changes:
            request["password"] = changes["password"]
        self.wire.append(("update", request))
        self.store["t"]["members"] = list(predicted["members"])
        return self.answer_update


def team(store, check_mode=False, answer_update=None, taken_by=None, **params):
    params.setdefault("mode", "exact")
    resource = Team(FakeModule(check_mode), store, params, answer_update, taken_by)
    return engine.ensure(resource, "present"), resource


def test_append_mode_merges_with_the_current_object_and_sends_only_the_difference():
    store = {"t": {"id": 41, "name": "t", "members": ["a", "b"]}}
    result, resource = team(store, members=["c"], mode="append")
    assert resource.wire == [("update", {"id": 41, "add": ["c"], "delete": []})]
    assert result["team"] == {"id": 41, "name": "t", "members": ["a", "b", "c"]}
    assert result["diff"] == {"before": {"members": ["a", "b"]}, "after": {"members": ["a", "b", "c"]}}
    again, resource = team(store, members=["c"], mode="append")
    assert again["changed"] is False and resource.wire == []


def test_update_password_always_rewrites_the_secret_of_an_existing_object_masked():
    store = {"t": {"id": 41, "name": "t", "members": ["a"]}}
    result, resource = team(store, password="n3w-pw-1", update_password="always")
    assert result["changed"] is True
    assert resource.wire == [("update", {"id": 41, "add": [], "delete": [], "password": "n3w-pw-1"})]
    assert result["diff"] == {"before": {"password": engine.MASK}, "after": {"password": engine.MASK_NEW}}
    assert "n3w-pw-1" not in repr(result)
    # on_create (the default): an existing object keeps its password, nothing is written
    quiet, resource = team(store, password="n3w-pw-1")
    assert quiet["changed"] is False and resource.wire == []


def test_a_create_answer_built_on_the_prediction_is_the_result():
    store = {}
    result, resource = team(store, members=["b", "a"], password="pw-2")
    assert resource.wire == [("create", {"name": "t", "members": ["a", "b"], "password": "pw-2"})]
    assert result["team"] == {"id": 41, "name": "t", "members": ["a", "b"]}
    assert result["diff"] == {"before": {}, "after": {"id": 41, "name": "t", "members": ["a", "b"], "password": engine.MASK_NEW}}


def test_an_update_answered_without_an_object_returns_the_prediction():
    store = {"t": {"id": 41, "name": "t", "members": ["a"], "note": "kept"}}
    result, _resource = team(store, members=["b"])
    assert result["team"] == {"id": 41, "name": "t", "members": ["b"], "note": "kept"}


# -- a create that meets the object another run created: adopted and converged like a second run ----------------

def test_adopting_merges_with_the_other_runs_object_and_writes_the_difference():
    theirs = {"id": 57, "name": "t", "members": ["x"], "note": "theirs"}
    store = {}
    result, resource = team(store, members=["a"], mode="append", taken_by=theirs)
    assert resource.wire == [("create", {"name": "t", "members": ["a"]}),
                             ("update", {"id": 57, "add": ["a"], "delete": []})]
    # the service answered the update with nothing: the result is the other run's object with our changes
    assert result["changed"] is True
    assert result["team"] == {"id": 57, "name": "t", "members": ["a", "x"], "note": "theirs"}
    assert store["t"]["members"] == ["a", "x"]


def test_adopting_returns_the_services_answer_to_the_update():
    theirs = {"id": 57, "name": "t", "members": ["x"]}
    answer = {"id": 57, "name": "t", "members": ["a"], "revision": 2}
    result, _resource = team({}, members=["a"], taken_by=theirs, answer_update=answer)
    assert result["team"] == answer


def test_adopting_with_update_password_always_writes_the_password():
    theirs = {"id": 57, "name": "t", "members": []}
    result, resource = team({}, password="pw-3", update_password="always", taken_by=theirs)
    assert resource.wire[1:] == [("update", {"id": 57, "add": [], "delete": [], "password": "pw-3"})]
    assert result["team"] == {"id": 57, "name": "t", "members": []}
    # without "always" the adopted object keeps its password: nothing more is written
    _result, resource = team({}, password="pw-3", taken_by=theirs)
    assert [w[0] for w in resource.wire] == ["create"]


# -- results and diffs --------------------------------------------------------------------------------------------

def test_an_object_gone_after_settling_is_null_and_the_diff_shows_the_changes():
    class Vanishing(Record):
        def finish(self, after, changed):
            return None

    store = {"a": {"id": 7, "colour": "red"}}
    result = engine.ensure(Vanishing(FakeModule(), store, {"colour": "blue"}), "present")
    assert result == {"changed": True, "record": None, "diff": {"before": {"colour": "red"}, "after": {"colour": "blue"}}}


def test_ensure_each_in_check_mode_opens_no_connection_and_lists_every_object():
    session = Workers()
    used = []
    out = engine.ensure_each(FakeModule(check_mode=True), ["a", "b", "c"],
                             lambda e, w: used.append(w) or {"changed": e != "b", "thing": {"name": e, "n": 1}},
                             session, 3, "thing", "things", str)
    assert session.made == [] and used == [session, session, session]
    assert out == {"changed": True, "changed_things": ["a", "c"],
                   "things": [{"name": "a", "n": 1}, {"name": "b", "n": 1}, {"name": "c", "n": 1}]}
