# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every filefleet.office module shares: its ``AnsibleModule``, the run wrapper and session reuse.

Every module builds ``FilefleetModule``, an ``AnsibleModule`` that differs in one thing only: when the
collection's action plugin runs the module in the Ansible worker on the controller (see ``plugins/action/``), the
parameters come from that plugin (``invocation``) instead of stdin. Validation, fallbacks, no_log masking, check
and diff mode, warnings and the result are ansible-core's own either way, and the action plugin parses the
printed result exactly as it parses a module's output. In-process, API sessions are shared by the items of a
loop and logged out when the worker exits.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import hashlib
import sys
import threading
from contextlib import contextmanager

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common import warnings as _warnings

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.filefleet.office.plugins.module_utils._validate import check_params, secret_values, strict_type_errors

_INVOCATION = threading.local()


@contextmanager
def invocation(module_args, loop=False):
    """Within this block ``FilefleetModule`` takes ``module_args`` (with ansible-core's ``_ansible_*`` keys) as
    its parameters, as if they had come on stdin. Warnings left by an earlier loop item are cleared first: a real
    module starts each item in a new process."""
    _warnings._global_warnings.clear()  # pylint: disable=protected-access
    _warnings._global_deprecations.clear()  # pylint: disable=protected-access
    _INVOCATION.args = module_args
    _INVOCATION.loop = loop
    try:
        yield
    finally:
        _INVOCATION.args = None
        _INVOCATION.loop = False


class FilefleetModule(AnsibleModule):
    """``AnsibleModule`` whose parameters may come from the in-process action plugin (see ``invocation``).

    Bad input is refused here, in both execution modes, before the module sends anything (``_validate``): the
    parameters as given are checked for strict types before ansible-core converts them; the validated ones for
    base URLs (plain http only with ``allow_insecure_http``), number bounds (``bounds``: option path ->
    ``(low, high, unit)``, added to ``_validate.COMMON_BOUNDS``) and names without surrounding whitespace
    (``names``: option paths such as ``name`` or ``users.name``), and ``raw`` options that name another object by
    id or name (``references``). ``texts``: top-level ``str`` options that take no number either (an octal mode:
    YAML reads an unquoted ``0644`` as the number 420).
    """

    def __init__(self, *args, **kwargs):
        self.filefleet_in_process = getattr(_INVOCATION, "args", None) is not None
        self.filefleet_loop = self.filefleet_in_process and bool(getattr(_INVOCATION, "loop", False))
        bounds = kwargs.pop("bounds", None)
        names = kwargs.pop("names", ())
        references = kwargs.pop("references", ())
        self._filefleet_texts = kwargs.pop("texts", ())
        self._filefleet_types_checked = False
        super(FilefleetModule, self).__init__(*args, **kwargs)
        try:
            check_params(self.params, bounds, names, references)
        except ValueError as exc:
            self.fail_json(msg=str(exc))

    def _set_internal_properties(self, argument_spec=None, module_parameters=None):
        """Called once after the parameters are loaded and before ansible-core validates (and converts) them:
        the place to see them as given."""
        super(FilefleetModule, self)._set_internal_properties(argument_spec, module_parameters)
        if argument_spec is None and module_parameters is None and not self._filefleet_types_checked:
            self._filefleet_types_checked = True
            # Masked from here on: ansible-core collects no_log values only while it validates, and not at all
            # when a suboption has the wrong type (its own failure then shows them in the invocation).
            self.no_log_values.update(secret_values(self.argument_spec, self.params))
            errors = strict_type_errors(self.argument_spec, self.params, texts=self._filefleet_texts)
            if errors:
                self.fail_json(msg="; ".join(errors))

    def _load_params(self):
        if self.filefleet_in_process:
            self.params = dict(_INVOCATION.args)
            if hasattr(basic, "_PARSED_MODULE_ARGS"):  # ansible-core >= 2.21 keeps what it loaded for later
                basic._PARSED_MODULE_ARGS = copy.deepcopy(_INVOCATION.args)  # pylint: disable=protected-access
        else:
            super(FilefleetModule, self)._load_params()

    def _record_module_result(self, o):
        """ansible-core >= 2.19 serialises results here with the serialisation profile it sent on stdin; the
        in-process run prints them with the module encoder of the default (legacy) profile instead."""
        if not self.filefleet_in_process:
            return super(FilefleetModule, self)._record_module_result(o)  # pylint: disable=no-member
        import json
        from ansible.module_utils.common import json as module_json
        encoder = module_json.get_module_encoder("legacy", module_json.Direction.MODULE_TO_CONTROLLER)  # pylint: disable=no-member
        sys.stdout.write("\n%s\n" % json.dumps(o, cls=encoder))
        return None


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

    In-process (``FilefleetModule.filefleet_in_process``) sessions are shared by every item of a
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
            return self._redacting(session)
        session = factory()
        self.opened.append(session)
        return self._redacting(session)

    def _redacting(self, session):
        """Teach the session's redactor every secret option of this run (a user's password, a passphrase), so a
        server that echoes one in an error shows it in no encoding; the connection password it knows already."""
        redactor = getattr(session, "redactor", None) or getattr(getattr(session, "http", None), "redact", None)
        if redactor is not None:
            for value in sorted(str(v) for v in (getattr(self.module, "no_log_values", None) or ())):
                redactor.add(value)
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
