# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every filefleet.office module shares: the run wrapper, session reuse and the diff helper.

Modules define ``argument_spec()``, ``MODULE_KWARGS`` and ``run_module(module)``. ``run_module`` works the same
whether ``module`` is a real ``AnsibleModule`` (the module shipped to a host) or the in-process stand-in built by
the collection's action plugin on the controller (``plugins/action/``), which validates the same argspec, masks the
same no_log values and keeps API sessions open across the items of a loop.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, HAS_REQUESTS, REQUESTS_IMPORT_ERROR

try:
    from ansible.module_utils.basic import missing_required_lib
except ImportError:  # pragma: no cover
    def missing_required_lib(library, reason=None, url=None):
        return "Failed to import the required Python library (%s)." % library

# Sessions kept for the life of the worker process when running in-process (one login per task, not per item).
_SHARED_SESSIONS = {}
_FINALIZER_REGISTERED = []


def _logout_shared_sessions():
    while _SHARED_SESSIONS:
        _key, session = _SHARED_SESSIONS.popitem()
        try:
            session.close()
        except Exception:  # pylint: disable=broad-except
            pass  # logging out is best effort: the server expires idle sessions anyway


def _register_finalizer():
    if _FINALIZER_REGISTERED:
        return
    _FINALIZER_REGISTERED.append(True)
    try:
        # Ansible's worker is a multiprocessing Process: its exit runs multiprocessing finalizers (atexit does not).
        from multiprocessing import util as mp_util
        mp_util.Finalize(None, _logout_shared_sessions, exitpriority=50)
    except Exception:  # pylint: disable=broad-except  # pragma: no cover
        pass
    import atexit
    atexit.register(_logout_shared_sessions)


def secret_fingerprint(*values):
    digest = hashlib.sha256()
    for value in values:
        digest.update(repr(value).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class SessionScope:
    """Opens API sessions for one module run and closes them at the end.

    In-process (the action plugin sets ``module.filefleet_in_process``) sessions are shared by every item of a
    loop in the same worker and logged out when the worker exits.
    """

    def __init__(self, module):
        self.module = module
        self.shared = bool(getattr(module, "filefleet_in_process", False))
        self.opened = []

    def get(self, kind, key, factory):
        if self.shared:
            full_key = (kind,) + tuple(key)
            session = _SHARED_SESSIONS.get(full_key)
            if session is None:
                session = factory()
                _register_finalizer()
                _SHARED_SESSIONS[full_key] = session
            return session
        session = factory()
        self.opened.append(session)
        return session

    def close(self):
        while self.opened:
            session = self.opened.pop()
            try:
                session.close()
            except Exception:  # pylint: disable=broad-except
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def require_libraries(module, *extra):
    """Fail with missing_required_lib before any network I/O when a library is absent."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    for name, present, error in extra:
        if not present:
            module.fail_json(msg=missing_required_lib(name), exception=error)


def run(module, body, extra_libraries=()):
    """Call ``body(module, scope)`` with a SessionScope; turn API errors into ``fail_json`` (already redacted)."""
    require_libraries(module, *extra_libraries)
    try:
        with SessionScope(module) as scope:
            result = body(module, scope)
    except ApiError as exc:
        module.fail_json(**exc.to_result())
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


# -- diff ------------------------------------------------------------------------------------------------

def make_diff(before, after, keys, secret_keys=()):
    """``{before, after}`` restricted to ``keys``; secret keys masked on both sides."""
    def pick(data):
        if data is None:
            return {}
        out = {}
        for key in keys:
            if key in data:
                out[key] = "********" if key in secret_keys and data[key] is not None else data[key]
        return out
    return {"before": pick(before), "after": pick(after)}
