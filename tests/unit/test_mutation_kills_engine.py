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
