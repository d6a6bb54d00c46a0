# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine every filefleet.office resource module runs on.

A module describes its object with a ``Resource`` subclass (how to read, create, update and delete one object,
and how its options map onto the object's fields); the engine does the rest the same way for every module:

1. ``read()`` the current object as a *view*: a dict keyed by option names, normalised (None for unset).
2. ``desired(current)``: the options the user gave, normalised the way ``read`` normalises (an omitted option
   is not in it, so it is never managed).
   A device that cannot be read yet (a factory-fresh filer before its setup) raises ``NotReadyYet``: a real run
   fails with its message; check mode warns and predicts from ``Resource.ready_view``, the object as it is right
   after the earlier tasks of the play have set the device up and connected it.
3. Plan: ``create`` / ``delete`` / ``update`` / nothing (``get_cd_action``), and for an update only the keys
   whose values differ (``get_modified_attributes``, compared with ``Resource.equal``).
4. Check mode returns the plan: the predicted object and the same ``changed``. Otherwise the plan is applied
   and ``finish`` may wait for the object to settle.
5. One result shape: ``changed``, the object under ``Resource.key`` (None when absent), and with ``--diff`` a
   ``diff`` of ``before``/``after`` over the changed keys (a whole object on create or delete), secrets masked.

``ensure_many`` runs many entries of one task through the same steps, on up to ``concurrency`` connections.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import queue
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, HTTPStatusError, RequestTimeout, TLSError, TransportError,
)

MASK = "********"
MASK_NEW = "******** (changed)"
LIST_MODES = ("exact", "append", "remove")
# A creation answered by a gateway (502/503/504) or whose connection was lost is sent again, at most RESENDS times,
# when reading back shows that the object was not created, after RESEND_DELAY seconds (times the attempt).
RESENDS = 2
RESEND_DELAY = 1.0
GATEWAY_STATUSES = frozenset((502, 503, 504))


class NotReadyYet(ValueError):
    """The device cannot be read yet: a factory-fresh filer has no administrator to log in as until its setup.

    The message is what a real run fails with; ``warning`` is what check mode says while it predicts from
    ``Resource.ready_view`` (as ``expect_created_earlier`` does for an object an earlier task creates)."""

    def __init__(self, error, warning):
        ValueError.__init__(self, error)
        self.warning = warning


class Resource:
    """How one kind of object maps onto the engine. Subclasses override what differs."""

    key = "object"            # the result key holding the object
    write_only = ()           # keys the service never returns (passwords): masked in diffs, never in results
    secret_keys = ()          # keys returned only on request (``return_password``): masked in diffs
    casefold_keys = ()        # keys the service compares case-insensitively
    set_keys = ()             # list-valued keys whose order does not matter
    assumed = False           # True when check mode predicts from ``ready_view`` (the device cannot be read yet)

    def __init__(self, module, session=None, params=None):
        self.module = module
        self.session = session
        self.params = module.params if params is None else params

    @property
    def check_mode(self):
        return self.module.check_mode

    # -- what a module implements --------------------------------------------------------------------------
    def read(self):
        """The current object as a view, or None when it does not exist."""
        raise NotImplementedError

    def desired(self, current):
        """The given options, normalised; ``current`` is None when the object does not exist."""
        raise NotImplementedError

    def check_create(self, desired):
        """Raise ValueError when ``desired`` is not enough to create the object."""

    def forced(self, current, desired):
        """Keys to write whatever ``current`` says (write-only values set on every run)."""
        return {}

    def predict(self, current, changes):
        """The object after ``changes`` (the check-mode answer, and the answer when a write returns nothing)."""
        after = dict(current or {})
        after.update(changes)
        return after

    def create(self, desired, predicted):
        """Create the object; return its view (or None to return ``predicted``)."""
        raise NotImplementedError

    def update(self, current, changes, predicted):
        """Write ``changes``; return the new view (or None to return ``predicted``)."""
        raise NotImplementedError

    def delete(self, current):
        raise NotImplementedError

    def finish(self, after, changed):
        """Called after a real run (changed or not), e.g. to wait for the object to settle."""
        return after

    def reread(self):
        """The object as the service has it now, bypassing what ``read`` cached (see ``adopt``)."""
        return self.read()

    def ready_view(self):
        """The object on a device that earlier tasks of the play have just set up and connected to its portal (the
        check-mode prediction while the device cannot be read yet): None, the object does not exist there."""
        return None

    def read_or_assume(self):
        """``read()``; in check mode, on a device that cannot be read yet, a warning and ``ready_view()``."""
        try:
            return self.read()
        except NotReadyYet as exc:
            if not self.check_mode:
                raise
            self.module.warn(exc.warning)
            self.assumed = True
            return self.ready_view()

    def expect_created_earlier(self, error, warning):
        """Something the plan needs does not exist (a group, a user, a consumption unit). A real run fails with
        ``error``; check mode warns with ``warning`` and predicts as if an earlier task of the play created it."""
        if not self.check_mode:
            raise ValueError(error)
        self.module.warn(warning)

    # -- comparison ---------------------------------------------------------------------------------------
    def equal(self, key, have, want):
        return normalise(have, key in self.casefold_keys, key in self.set_keys) == \
            normalise(want, key in self.casefold_keys, key in self.set_keys)


def normalise(value, casefold=False, unordered=False):
    """A comparable form: '' is None, text compared as text (never as a number), lists as sets when unordered."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.casefold() if casefold else value
    if isinstance(value, dict):
        return tuple(sorted((k, normalise(v, casefold)) for k, v in value.items() if v is not None))
    if isinstance(value, (list, tuple, set)):
        items = [normalise(v, casefold) for v in value]
        return tuple(sorted(items, key=repr)) if unordered else tuple(items)
    return value


def get_cd_action(current, state):
    """``create``, ``delete`` or None (netapp.ontap's idea): what the presence of the object needs."""
    if state == "absent":
        return "delete" if current is not None else None
    return "create" if current is None else None


def get_modified_attributes(resource, current, desired):
    """The desired keys whose values differ from ``current`` (compared the way the service compares them).

    Write-only keys are never compared (the service does not return them): they are written on create, or when
    ``Resource.forced`` says so."""
    return dict((key, value) for key, value in desired.items()
                if key not in resource.write_only and not resource.equal(key, current.get(key), value))


def merge_list(current, given, mode, key):
    """Entries of a list option after applying ``given`` to ``current`` in ``mode`` (exact, append, remove).

    ``key(entry)`` identifies an entry; in append mode a given entry replaces the current one with its key.
    """
    if given is None:
        return None
    if mode not in LIST_MODES:
        raise ValueError("mode must be one of %s, got %r" % (", ".join(LIST_MODES), mode))
    given_by_key = dict((key(entry), entry) for entry in given)
    if mode == "remove":
        return [entry for entry in current if key(entry) not in given_by_key]
    if mode == "exact":
        merged, seen = [], set()
        for entry in given:
            if key(entry) not in seen:
                seen.add(key(entry))
                merged.append(entry)
        return merged
    merged, used = [], set()
    for entry in current:
        merged.append(given_by_key.get(key(entry), entry))
        used.add(key(entry))
    for entry in given:
        if key(entry) not in used:
            used.add(key(entry))
            merged.append(entry)
    return merged


class Plan:
    """What a run does: ``action`` (create, update, delete or None), the views before and after, the changes."""

    def __init__(self, action, before, after, changes):
        self.action = action
        self.before = before
        self.after = after
        self.changes = changes

    @property
    def changed(self):
        return self.action is not None


def plan(resource, state="present"):
    current = resource.read_or_assume()
    action = get_cd_action(current, state)
    if state == "absent":
        return Plan(action, current, None, {})
    desired = resource.desired(current)
    if action == "create":
        return plan_create(resource, desired)
    changes = get_modified_attributes(resource, current, desired)
    changes.update(resource.forced(current, desired))
    if not changes:
        return Plan(None, current, resource.predict(current, {}), {})
    return Plan("update", current, resource.predict(current, changes), changes)


def plan_create(resource, desired):
    resource.check_create(desired)
    changes = dict(desired)
    changes.update(resource.forced(None, desired))
    return Plan("create", None, resource.predict(None, changes), changes)


def apply(resource, the_plan):
    """Carry out ``the_plan`` (nothing in check mode); returns the object after the run."""
    after = the_plan.after
    if resource.check_mode:
        return after
    if the_plan.action == "create":
        after = create(resource, the_plan)
    elif the_plan.action == "update":
        after = resource.update(the_plan.before, the_plan.changes, after) or after
    elif the_plan.action == "delete":
        resource.delete(the_plan.before)
    return resource.finish(after, the_plan.changed)


def unanswered(error):
    """True when a failed request may never have reached the service: a gateway's 502, 503 or 504, or a connection
    reset or dropped. Not a TLS failure (sending again changes nothing) nor a timeout (the service may still be
    working on it: reading back too early would not see the object, and sending again could make it twice)."""
    if isinstance(error, (TLSError, RequestTimeout)):
        return False
    if isinstance(error, TransportError):
        return True
    return isinstance(error, HTTPStatusError) and error.status in GATEWAY_STATUSES


def create(resource, the_plan):
    """Create the object; when that fails, read it back (``adopt``). A POST is not retried by the HTTP client (the
    service may have acted), so the engine decides from what the service holds: an object that exists now is adopted;
    one that does not is sent again when the failure was a gateway error or a lost connection (``unanswered``), at
    most ``RESENDS`` times, so a transient fault costs a retry, not a failed run. Any other failure stands."""
    attempt = 0
    while True:
        try:
            return resource.create(the_plan.changes, the_plan.after) or the_plan.after
        except ApiError as exc:
            if attempt:
                exc.message += " (sent %d times; read back after each failure: not created)" % (attempt + 1)
            if attempt >= RESENDS or not unanswered(exc):
                return adopt(resource, exc)
            current = resource.reread()
            if current is not None:
                return bring(resource, current)
            the_plan = plan_create(resource, resource.desired(None))  # planned again from what was read back
        attempt += 1
        time.sleep(RESEND_DELAY * attempt)


def adopt(resource, error):
    """A create failed: when the object exists now, another run created it between our read and our create (a
    name already taken, or an answer lost after the server wrote it). The object is then adopted and brought to the
    desired state, as a second run would, instead of failing; when it does not exist, the create's error stands."""
    current = resource.reread()
    if current is None:
        raise error
    return bring(resource, current)


def bring(resource, current):
    """An existing object brought to the desired state (only the keys that differ), as a second run would."""
    desired = resource.desired(current)
    changes = get_modified_attributes(resource, current, desired)
    changes.update(resource.forced(current, desired))
    predicted = resource.predict(current, changes)
    if not changes:
        return predicted
    return resource.update(current, changes, predicted) or predicted


def public(resource, view):
    """A view as returned to the user: write-only keys removed."""
    if view is None:
        return None
    return dict((k, v) for k, v in view.items() if k not in resource.write_only)


def masked(resource, view, keys=None, changed=()):
    """``view`` restricted to ``keys`` for a diff, write-only and secret keys masked."""
    out = {}
    for key in (keys if keys is not None else sorted(view)):
        if key not in view:
            continue
        value = view[key]
        if key in resource.write_only or key in resource.secret_keys:
            if value is None:
                continue
            value = MASK_NEW if key in changed else MASK
        out[key] = value
    return out


def build_diff(resource, the_plan, after):
    if the_plan.action == "create":
        return {"before": {}, "after": masked(resource, after, changed=the_plan.changes)}
    if the_plan.action == "delete":
        return {"before": masked(resource, public(resource, the_plan.before)), "after": {}}
    keys = list(the_plan.changes)
    before = dict(the_plan.before)
    for key in resource.write_only:
        if key in the_plan.changes:
            before[key] = MASK
    after_view = dict(after)
    for key in keys:
        after_view.setdefault(key, the_plan.changes[key])
    return {"before": masked(resource, before, keys), "after": masked(resource, after_view, keys, the_plan.changes)}


def ensure(resource, state="present"):
    """Plan, apply (or only predict in check mode) and return the module's result."""
    the_plan = plan(resource, state)
    after = apply(resource, the_plan)
    result = {"changed": the_plan.changed, resource.key: public(resource, after)}
    if resource.module._diff and the_plan.changed:
        result["diff"] = build_diff(resource, the_plan, after if after is not None else {})
    return result


def issue(module, perform):
    """An operation that hands out something new on every call and changes no configuration (an activation
    code): ``perform()`` in a real run; in check mode nothing is asked of the service and the answer is None.
    Never ``changed``: there is no state to converge."""
    return None if module.check_mode else perform()


def run_entries(entries, handle, session, concurrency, check_mode):
    """``[(result, exception)]`` per entry, in order: ``handle(entry, session)`` for each entry.

    Writes go out on up to ``concurrency`` connections (``session.worker()``: each its own connection, all
    sharing the task's one login). In check mode, or with one entry, everything runs on ``session``.
    """
    def one(worker, entry):
        try:
            return handle(entry, worker), None
        except (ApiError, ValueError) as exc:
            return None, exc

    if check_mode or concurrency <= 1 or len(entries) < 2:
        return [one(session, entry) for entry in entries]
    count = min(concurrency, len(entries))
    spare = queue.Queue()
    for _index in range(count):
        spare.put(session.worker())

    def task(entry):
        worker = spare.get()
        try:
            return one(worker, entry)
        finally:
            spare.put(worker)
    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(task, entries))
    finally:
        while not spare.empty():
            spare.get().close()


def ensure_many(entries, handle, session, concurrency, check_mode, key, plural, label):
    """Many entries of one task; one result: ``changed``, ``<plural>``, ``changed_<plural>`` and a diff by label.

    Every entry is processed even when another fails; the task then fails naming the first failing entry, and a
    rerun converges the rest.
    """
    outcomes = run_entries(entries, handle, session, concurrency, check_mode)
    failures = [(position, exc) for position, (_result, exc) in enumerate(outcomes) if exc is not None]
    if failures:
        position, exc = failures[0]
        where = "%s[%d] %r" % (plural, position, label(entries[position]))
        summary = "%d of %d %s failed, the others were processed" % (len(failures), len(entries), plural)
        if isinstance(exc, ApiError):
            exc.message = "%s: %s (%s)" % (where, exc.message, summary)
            raise exc
        raise ValueError("%s: %s (%s)" % (where, exc, summary))
    results = [result for result, _exc in outcomes]
    out = {"changed": any(r["changed"] for r in results),
           "changed_" + plural: [label(e) for r, e in zip(results, entries) if r["changed"]],
           plural: [r.get(key) if r.get(key) is not None else {"name": label(e), "absent": True}
                    for r, e in zip(results, entries)]}
    diffs = [(label(e), r["diff"]) for r, e in zip(results, entries) if "diff" in r]
    if diffs:
        out["diff"] = {"before": dict((n, d["before"]) for n, d in diffs), "after": dict((n, d["after"]) for n, d in diffs)}
    return out


def ensure_each(module, entries, handle, session, concurrency, key, plural, label):
    """``ensure_many`` in ``module``'s check mode (a module never tests check mode itself)."""
    return ensure_many(entries, handle, session, concurrency, module.check_mode, key, plural, label)
