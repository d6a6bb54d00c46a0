# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine on its own: plan, check mode, apply, result and diff shapes, list modes, bulk runs."""

import threading

import pytest

from module_double import ModuleDouble

from ansible_collections.filefleet.office.plugins.module_utils import _engine as engine
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


class Thing(engine.Resource):
    """An object in a dict ``store``: ``{name, colour, tags, secret}``; ``secret`` is write-only."""

    key = "thing"
    write_only = ("secret",)
    casefold_keys = ("colour",)
    set_keys = ("tags",)

    def __init__(self, module, store, name, given, always_secret=False):
        super(Thing, self).__init__(module, params={})
        self.store, self.name, self.given, self.always_secret = store, name, given, always_secret
        self.writes = []
        self.finished = []

    def read(self):
        found = self.store.get(self.name)
        return dict(found, name=self.name) if found is not None else None

    def desired(self, current):
        return dict(self.given)

    def check_create(self, desired):
        if "colour" not in desired:
            raise ValueError("colour is required to create %s" % self.name)

    def forced(self, current, desired):
        return {"secret": desired["secret"]} if self.always_secret and "secret" in desired else {}

    def create(self, desired, predicted):
        self.writes.append(("create", dict(desired)))
        self.store[self.name] = dict((k, v) for k, v in desired.items() if k != "secret")

    def update(self, current, changes, predicted):
        self.writes.append(("update", dict(changes)))
        self.store[self.name].update((k, v) for k, v in changes.items() if k != "secret")

    def delete(self, current):
        self.writes.append(("delete", None))
        del self.store[self.name]

    def finish(self, after, changed):
        self.finished.append(changed)
        return after


def run(store, given, check_mode=False, state="present", always_secret=False):
    thing = Thing(ModuleDouble(check_mode=check_mode), store, "a", given, always_secret)
    return engine.ensure(thing, state), thing


def test_create_check_mode_predicts_and_writes_nothing():
    store = {}
    predicted, thing = run(store, {"colour": "Red", "tags": ["x"], "secret": "s3cret"}, check_mode=True)
    assert store == {} and thing.writes == [] and thing.finished == []
    assert predicted["changed"] is True
    assert predicted["thing"] == {"colour": "Red", "tags": ["x"]}
    assert predicted["diff"] == {"before": {}, "after": {"colour": "Red", "tags": ["x"], "secret": engine.MASK_NEW}}
    real, thing = run(store, {"colour": "Red", "tags": ["x"], "secret": "s3cret"})
    assert real == predicted and thing.finished == [True]
    assert thing.writes == [("create", {"colour": "Red", "tags": ["x"], "secret": "s3cret"})]


def test_create_needs_what_check_create_asks_for():
    with pytest.raises(ValueError, match="colour is required"):
        run({}, {"tags": []})


def test_only_given_options_are_compared_and_written():
    store = {"a": {"colour": "red", "tags": ["y", "x"], "size": 3}}
    result, thing = run(store, {"colour": "RED", "tags": ["x", "y"]})
    assert result == {"changed": False, "thing": {"name": "a", "colour": "red", "tags": ["y", "x"], "size": 3}}
    assert thing.writes == [] and thing.finished == [False]
    result, thing = run(store, {"colour": "blue"})
    assert thing.writes == [("update", {"colour": "blue"})]
    assert result["diff"] == {"before": {"colour": "red"}, "after": {"colour": "blue"}}
    assert store["a"] == {"colour": "blue", "tags": ["y", "x"], "size": 3}


def test_text_is_compared_as_text():
    assert run({"a": {"colour": "007"}}, {"colour": "7"})[0]["changed"] is True
    assert run({"a": {"colour": "007"}}, {"colour": "007"})[0]["changed"] is False
    assert engine.normalise("1.10") != engine.normalise("1.1")
    assert engine.normalise("") is None and engine.normalise(None) is None


def test_write_only_secret_forced_is_masked_and_never_returned():
    store = {"a": {"colour": "red"}}
    result, thing = run(store, {"secret": "n3w"}, always_secret=True)
    assert thing.writes == [("update", {"secret": "n3w"})]
    assert result["changed"] is True and "secret" not in result["thing"]
    assert result["diff"] == {"before": {"secret": engine.MASK}, "after": {"secret": engine.MASK_NEW}}
    assert run(store, {"secret": "n3w"})[0]["changed"] is False  # on_create: never compared


def test_delete_and_absent():
    store = {"a": {"colour": "red"}}
    predicted, thing = run(store, {}, check_mode=True, state="absent")
    assert store and thing.writes == []
    assert predicted == {"changed": True, "thing": None, "diff": {"before": {"name": "a", "colour": "red"}, "after": {}}}
    real, thing = run(store, {}, state="absent")
    assert real == predicted and store == {}
    again, thing = run(store, {}, state="absent")
    assert again == {"changed": False, "thing": None} and thing.writes == []


def test_no_diff_unless_asked():
    thing = Thing(ModuleDouble(diff=False), {}, "a", {"colour": "red"})
    assert engine.ensure(thing) == {"changed": True, "thing": {"colour": "red"}}


def test_expect_created_earlier():
    Thing(ModuleDouble(check_mode=True), {}, "a", {}).expect_created_earlier("error", "warning")
    checking = ModuleDouble(check_mode=True)
    Thing(checking, {}, "a", {}).expect_created_earlier("error", "warning")
    assert checking.warnings == ["warning"]
    with pytest.raises(ValueError, match="^error$"):
        Thing(ModuleDouble(), {}, "a", {}).expect_created_earlier("error", "warning")


@pytest.mark.parametrize("mode,expected", [
    ("exact", ["b", "c"]),
    ("append", ["a", "B2", "c"]),
    ("remove", ["a"]),
])
def test_merge_list_modes(mode, expected):
    current = ["a", "b1"]
    given = ["B2", "c"] if mode == "append" else (["b1"] if mode == "remove" else ["b", "c", "c"])
    assert engine.merge_list(current, given, mode, lambda e: e[0].lower()) == expected


def test_merge_list_none_and_bad_mode():
    assert engine.merge_list(["a"], None, "exact", str) is None
    with pytest.raises(ValueError, match="mode must be one of exact, append, remove"):
        engine.merge_list([], [], "replace", str)


class Workers:
    def __init__(self):
        self.made, self.closed = 0, 0
        self.lock = threading.Lock()

    def worker(self):
        with self.lock:
            self.made += 1
        parent = self

        class Worker:
            def close(self):
                with parent.lock:
                    parent.closed += 1
        return Worker()


def test_many_entries_on_workers_with_one_failure_named():
    session = Workers()

    def handle(entry, worker):
        if entry == "bad":
            raise ApiError("refused", "PUT", "https://x/bad", 409)
        return {"changed": entry != "same", "thing": {"name": entry}, "diff": {"before": {}, "after": {"name": entry}}}

    with pytest.raises(ApiError) as caught:
        engine.ensure_many(["a", "bad", "c"], handle, session, 4, False, "thing", "things", str)
    assert caught.value.message == "things[1] 'bad': refused (1 of 3 things failed, the others were processed)"
    assert session.made == session.closed == 3
    out = engine.ensure_many(["a", "same"], handle, session, 4, False, "thing", "things", str)
    assert out == {"changed": True, "changed_things": ["a"], "things": [{"name": "a"}, {"name": "same"}],
                   "diff": {"before": {"a": {}, "same": {}}, "after": {"a": {"name": "a"}, "same": {"name": "same"}}}}


def test_many_entries_in_check_mode_use_the_one_session():
    session = Workers()
    seen = []
    engine.ensure_many(["a", "b"], lambda e, w: seen.append(w) or {"changed": False, "thing": None},
                       session, 4, True, "thing", "things", str)
    assert seen == [session, session] and session.made == 0


def test_issue_performs_only_in_a_real_run():
    calls = []

    def perform():
        calls.append(1)
        return "CODE-1"

    assert engine.issue(ModuleDouble(check_mode=True), perform) is None
    assert not calls
    assert engine.issue(ModuleDouble(check_mode=False), perform) == "CODE-1"
    assert calls == [1]
