# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A creation that meets a transient fault: the HTTP client never re-sends a POST (the service may have acted), so
the engine reads the object back and decides. Created after all: adopted, nothing sent twice. Not created and the
failure was a gateway's 502/503/504 or a lost connection: sent again (at most ``RESENDS`` times, after a growing
pause). Anything else (a TLS failure, a timeout, a refusal, a 500): the error stands, as before."""

import pytest

from module_double import ModuleDouble
from test_engine import Thing

from ansible_collections.filefleet.office.plugins.module_utils import _engine as engine
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, BadRequest, Conflict, RequestTimeout, ServerError, TLSError, TransportError,
)


def gateway(status):
    return ServerError("create thing failed", method="POST", url="https://portal.example/api/things", status=status)


class Flaky(Thing):
    """A Thing whose first creations fail with the given errors; ``acted`` says whether the service had stored the
    object before the failure reached us (the answer was lost on the way back)."""

    def __init__(self, store, failures, acted=False, given=None):
        super(Flaky, self).__init__(ModuleDouble(), store, "a", given or {"colour": "Red", "tags": ["x"]})
        self.failures = list(failures)
        self.acted = acted
        self.rereads = 0

    def create(self, desired, predicted):
        if self.failures:
            self.writes.append(("create", dict(desired)))
            if self.acted:
                self.store[self.name] = {"colour": "red", "tags": ["y"]}
            raise self.failures.pop(0)
        return super(Flaky, self).create(desired, predicted)

    def reread(self):
        self.rereads += 1
        return super(Flaky, self).reread()


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    slept = []
    monkeypatch.setattr(engine.time, "sleep", slept.append)
    return slept


@pytest.mark.parametrize("error", [gateway(502), gateway(503), gateway(504),
                                   TransportError("create thing failed: connection reset by peer")],
                         ids=["502", "503", "504", "dropped"])
def test_a_creation_the_service_never_got_is_sent_again_after_reading_back(error, pauses):
    store = {}
    thing = Flaky(store, [error])
    result = engine.ensure(thing, "present")
    assert result["changed"] is True
    assert result == engine.ensure(Thing(ModuleDouble(), {}, "a", {"colour": "Red", "tags": ["x"]}), "present")
    assert store == {"a": {"colour": "Red", "tags": ["x"]}}
    assert [w[0] for w in thing.writes] == ["create", "create"]
    assert thing.rereads == 1
    assert pauses == [engine.RESEND_DELAY]


def test_a_creation_whose_answer_was_lost_is_adopted_not_sent_again(pauses):
    store = {}
    thing = Flaky(store, [gateway(502)], acted=True)
    result = engine.ensure(thing, "present")
    assert result["changed"] is True
    # created once, then only the keys that differ from what the service holds are written
    assert thing.writes == [("create", {"colour": "Red", "tags": ["x"]}), ("update", {"tags": ["x"]})]
    assert store == {"a": {"colour": "red", "tags": ["x"]}}
    assert pauses == []


def test_resends_are_bounded_and_the_last_error_says_how_often_it_was_sent(pauses):
    store = {}
    thing = Flaky(store, [gateway(503), gateway(502), gateway(504), gateway(503)])
    with pytest.raises(ServerError) as caught:
        engine.ensure(thing, "present")
    assert [w[0] for w in thing.writes] == ["create"] * (engine.RESENDS + 1) == ["create"] * 3
    assert store == {}
    assert str(caught.value).startswith("create thing failed (sent 3 times; read back after each failure: not "
                                        "created) (POST https://portal.example/api/things -> HTTP 504)")
    assert pauses == [1.0, 2.0]
    assert thing.rereads == 3  # after each failure, the last one through adopt


def test_a_second_fault_after_a_resend_is_survived_too(pauses):
    store = {}
    thing = Flaky(store, [gateway(502), TransportError("connection aborted")])
    assert engine.ensure(thing, "present")["changed"] is True
    assert [w[0] for w in thing.writes] == ["create"] * 3
    assert store == {"a": {"colour": "Red", "tags": ["x"]}}
    assert pauses == [1.0, 2.0]


@pytest.mark.parametrize("error", [
    TLSError("certificate verify failed"), RequestTimeout("read timed out"), gateway(500), gateway(501),
    BadRequest("bad colour", status=400), Conflict("taken", status=409), ApiError("create thing failed", status=502),
], ids=["tls", "timeout", "500", "501", "400", "409", "not-http-status"])
def test_other_failures_are_not_sent_again_and_their_error_stands(error, pauses):
    store = {}
    thing = Flaky(store, [error])
    with pytest.raises(type(error)) as caught:
        engine.ensure(thing, "present")
    assert caught.value is error
    assert "sent" not in str(caught.value)
    assert [w[0] for w in thing.writes] == ["create"]
    assert thing.rereads == 1  # adopt read it back once: not there
    assert store == {} and pauses == []


def test_check_mode_sends_nothing(pauses):
    store = {}
    thing = Flaky(store, [gateway(502)])
    thing.module = ModuleDouble(check_mode=True)
    assert engine.ensure(thing, "present")["changed"] is True
    assert thing.writes == [] and store == {} and pauses == []


@pytest.mark.parametrize("error,expected", [
    (gateway(502), True), (gateway(503), True), (gateway(504), True), (gateway(500), False), (gateway(429), False),
    (TransportError("reset"), True), (TLSError("trust"), False), (RequestTimeout("slow"), False),
    (Conflict("taken", status=409), False), (ApiError("x", status=503), False),
])
def test_unanswered(error, expected):
    assert engine.unanswered(error) is expected


class Planned(Flaky):
    """Like backup_node: ``desired`` prepares what ``create`` sends (resolved references) and ``reread`` forgets it,
    so a creation sent again must be planned again from what was read back."""

    def __init__(self, store, failures):
        super(Planned, self).__init__(store, failures)
        self.prepared = None
        self.plans = 0

    def desired(self, current):
        self.plans += 1
        self.prepared = dict(self.given)
        return dict(self.given)

    def reread(self):
        self.prepared = None
        return super(Planned, self).reread()

    def create(self, desired, predicted):
        assert self.prepared is not None, "create without a plan"
        return super(Planned, self).create(self.prepared, predicted)


def test_a_creation_sent_again_is_planned_again_from_what_was_read_back(pauses):
    store = {}
    thing = Planned(store, [gateway(503)])
    assert engine.ensure(thing, "present")["changed"] is True
    assert store == {"a": {"colour": "Red", "tags": ["x"]}}
    assert thing.plans == 2 and [w[0] for w in thing.writes] == ["create", "create"]
