# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a filefleet.office module's logic in the Ansible worker on the controller.

A plain module task costs about a quarter of a second before it does any work (AnsiballZ packaging, a new
Python process, imports, a new TLS session and a new API login). Our modules talk to HTTP APIs from the
controller anyway, so when the task's connection is local this action plugin:

* merges ``module_defaults`` (including ``group/filefleet.office.*``) like ``_execute_module`` would,
* validates the arguments with the module's own argument spec (fallbacks, defaults, types, no_log values),
* calls the module's ``run_module()`` with a stand-in object offering the ``AnsibleModule`` surface the
  modules use (``params``, ``check_mode``, ``_diff``, ``fail_json``, ``exit_json``, ``warn``),
* removes every no_log value from the result, exactly as ``AnsibleModule`` does,
* keeps API sessions open across the items of a loop (the worker process lives for the whole task and logs
  out when it exits).

Anything else (a remote connection, ``async``, or ``FILEFLEET_OFFICE_IN_PROCESS=0`` in the controller's
environment) runs the real module through ``_execute_module``, so both paths share one implementation.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import importlib
import os
import re
import traceback
from contextlib import contextmanager

try:  # ansible-core < 2.19: action plugins merge module_defaults themselves
    from ansible.executor.module_common import get_action_args_with_defaults
except ImportError:  # ansible-core >= 2.19 merges them into the task args before the action runs
    get_action_args_with_defaults = None
from ansible.module_utils.basic import remove_values
from ansible.module_utils.common.collections import Mapping
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.plugins.action import ActionBase

MODULE_PACKAGE = "ansible_collections.filefleet.office.plugins.modules."
VALIDATOR_KWARGS = ("mutually_exclusive", "required_together", "required_one_of", "required_if", "required_by")


_VALIDATORS = {}


def mask_no_log(value, no_log_values):
    """Exactly ``remove_values(value, no_log_values)``, but fast for large results.

    ``remove_values`` compares every string with every secret (a 1000-user task: 10,000 strings x 1,000
    passwords). Here one regular expression of all secrets finds the few scalars that hold one, and only those
    go through ``remove_values`` itself, so the masking rules stay Ansible's own.
    """
    secrets = [to_native(secret, errors="surrogate_or_strict") for secret in no_log_values]
    if not secrets:
        return value
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))

    def walk(item):
        if isinstance(item, Mapping):
            return type(item)((key, walk(element)) for key, element in item.items()) if isinstance(item, dict) \
                else remove_values(item, no_log_values)
        if type(item) is list:  # pylint: disable=unidiomatic-typecheck
            return [walk(element) for element in item]
        if isinstance(item, str):
            return remove_values(item, no_log_values) if pattern.search(item) else item
        if item is None or isinstance(item, bool):
            return item
        if type(item) in (int, float):  # pylint: disable=unidiomatic-typecheck
            stringy = to_native(item, nonstring="simplerepr")
            return remove_values(item, no_log_values) if pattern.search(stringy) else item
        return remove_values(item, no_log_values)  # anything else: Ansible's rules directly
    return walk(value)


def _plain(value):
    """Task arguments as plain Python values: validation deep-copies them, and tagged values copy slowly."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


class _ModuleExit(Exception):
    def __init__(self, result):
        super(_ModuleExit, self).__init__("module exited")
        self.result = result


class InProcessModule(object):
    """The part of ``AnsibleModule`` that filefleet.office modules use."""

    filefleet_in_process = True
    filefleet_loop = False

    def __init__(self, params, check_mode, diff, name):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self._name = name
        self.warnings = []
        self.deprecations = []

    def fail_json(self, msg, **kwargs):
        kwargs["failed"] = True
        kwargs["msg"] = msg
        raise _ModuleExit(kwargs)

    def exit_json(self, **kwargs):
        raise _ModuleExit(kwargs)

    def warn(self, warning):
        self.warnings.append(warning)

    def deprecate(self, msg, version=None, date=None, collection_name=None):
        self.deprecations.append(dict(msg=msg, version=version, date=date, collection_name=collection_name))

    def log(self, msg, log_args=None):
        """Modules log nothing of their own; the API client redacts secrets before any message."""

    def debug(self, msg):
        """See ``log``."""


@contextmanager
def _environment(extra):
    """Apply the task's ``environment:`` to os.environ while fallbacks are resolved (as on a target host)."""
    saved = {}
    try:
        for key, value in extra.items():
            saved[key] = os.environ.get(key)
            os.environ[key] = str(value)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class InProcessAction(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset()

    def _in_process(self):
        if os.environ.get("FILEFLEET_OFFICE_IN_PROCESS", "1").lower() in ("0", "false", "no", "off"):
            return False
        if self._task.async_val:
            return False
        return getattr(self._connection, "transport", None) == "local"

    def _task_environment(self):
        merged = {}
        environment = self._task.environment
        if not environment:
            return merged
        if not isinstance(environment, list):
            environment = [environment]
        for item in environment:
            item = self._templar.template(item)
            if isinstance(item, dict):
                merged.update(item)
        return merged

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = True
        result = super(InProcessAction, self).run(tmp, task_vars)
        module_name = self._task.resolved_action or self._task.action
        if not self._in_process():
            result.update(self._execute_module(module_name=module_name, module_args=self._task.args,
                                               task_vars=task_vars, wrap_async=self._task.async_val))
            return result

        short_name = module_name.split(".")[-1]
        module_code = importlib.import_module(MODULE_PACKAGE + short_name)
        args = dict(self._task.args)
        if get_action_args_with_defaults is not None:
            args = get_action_args_with_defaults(module_name, args, self._task.module_defaults, self._templar,
                                                 action_groups=self._task._parent._play._action_groups)
        validator = _VALIDATORS.get(short_name)
        if validator is None:
            kwargs = dict((k, v) for k, v in module_code.MODULE_KWARGS.items() if k in VALIDATOR_KWARGS)
            validator = _VALIDATORS[short_name] = ModuleArgumentSpecValidator(module_code.argument_spec(), **kwargs)
        with _environment(self._task_environment()):
            validated = validator.validate(_plain(args))
        no_log_values = validated._no_log_values
        for warning in validated._warnings:
            self._display.warning(warning.get("warning") if isinstance(warning, dict) else str(warning))
        if validated.error_messages:
            result.update(failed=True, msg=remove_values("; ".join(validated.error_messages), no_log_values))
            return result

        # Mark the (unused) local connection as connected, or the executor builds a new one for every loop item.
        if not getattr(self._connection, "connected", True):
            self._connection._connect()  # pylint: disable=protected-access
        module = InProcessModule(validated.validated_parameters, bool(self._task.check_mode), bool(self._task.diff),
                                 module_name)
        # Inside a loop a module may read a whole collection once instead of one object per item.
        module.filefleet_loop = bool(self._task.loop or self._task.loop_with)
        try:
            module_code.run_module(module)
            outcome = dict(failed=True, msg="%s returned without exit_json or fail_json" % module_name)
        except _ModuleExit as exc:
            outcome = exc.result
        except Exception as exc:  # pylint: disable=broad-except
            outcome = dict(failed=True, msg="%s failed unexpectedly: %s" % (module_name, exc),
                           exception=traceback.format_exc())
        outcome.setdefault("changed", False)
        if self._display.verbosity >= 3:  # only -vvv shows it; building it for every loop item costs time
            outcome["invocation"] = {"module_args": validated.validated_parameters}
        if module.warnings:
            outcome["warnings"] = module.warnings
        if module.deprecations:
            outcome["deprecations"] = module.deprecations
        # The same masking AnsibleModule applies to everything it returns.
        outcome = mask_no_log(outcome, no_log_values)
        result.update(outcome)
        return result
