# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one action plugin of every filefleet.office module.

``meta/runtime.yml`` names it as the ``action_plugin`` of every module (``plugin_routing``); the file carries the
name of one module only because ansible-test wants every action plugin to have a module of the same name.

A plain module task costs about a quarter of a second before it does any work (AnsiballZ packaging, a new
Python process, imports, a new TLS session and a new API login). Our modules talk to HTTP APIs from the
controller anyway, so when the task's connection is local the module runs here, in the Ansible worker:

* the arguments are the task's (ansible-core has already merged ``module_defaults`` and removed omitted values)
  plus the same ``_ansible_*`` keys ``_execute_module`` adds (check mode, diff, no_log, verbosity...);
* the module's own ``main()`` builds a real ``AnsibleModule`` (``FilefleetModule``) on those arguments, so
  validation, fallbacks (with the task's ``environment:``), no_log masking and the result are ansible-core's own;
* what it prints is parsed by ``_parse_returned_data`` exactly like a module's output;
* API sessions stay open across the items of a loop (the worker lives for the whole task and logs out when it
  exits).

Anything else (a remote connection, ``async``, or ``FILEFLEET_OFFICE_IN_PROCESS=0`` in the controller's
environment) runs the module the usual way through ``_execute_module``.

Either way, a task that asks for a secret back (``return_password``), or runs a module whose result is a secret
(``ctera_activation_code``), gets it in its result, but the result is marked ``_ansible_no_log`` so no callback
displays it (a module cannot set that mark itself). A failure of ``ctera_activation_code`` holds no code and is
shown, so that the reason (bad input, say) can be read.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import importlib
import inspect
import io
import json
import os
import traceback

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

try:  # ansible-core < 2.21 parses module output into a dict
    from ansible.vars.clean import remove_internal_keys
except ImportError:  # ansible-core >= 2.21 parses it into a task result object that cleans itself
    remove_internal_keys = None

from ansible_collections.filefleet.office.plugins.module_utils._common import invocation

from ansible.module_utils.common.json import AnsibleJSONEncoder

try:  # ansible-core >= 2.19: arguments travel to a module through a serialisation profile
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
except ImportError:  # ansible-core < 2.19
    Direction = get_module_decoder = get_module_encoder = None

MODULE_PACKAGE = "ansible_collections.filefleet.office.plugins.modules."
# Options with which the user asks for a secret in the result.
SECRET_REQUESTS = ("return_password",)
# Modules whose result is always a secret (an activation code).
SECRET_MODULES = ("filefleet.office.ctera_activation_code",)
# ansible-core >= 2.19 parses module output with a serialisation profile; modules use the default one.
PROFILE_ARGS = ("legacy",) if "profile" in inspect.signature(ActionBase._parse_returned_data).parameters else ()


def as_sent_to_a_module(module_args):
    """The arguments exactly as a module process would decode them from its stdin (tags, vault values and
    other controller-side types become plain JSON values)."""
    if get_module_encoder is None:
        return json.loads(json.dumps(module_args, cls=AnsibleJSONEncoder, vault_to_text=True))
    text = json.dumps(module_args, cls=get_module_encoder("legacy", Direction.CONTROLLER_TO_MODULE))
    return json.loads(text, cls=get_module_decoder("legacy", Direction.CONTROLLER_TO_MODULE))


@contextlib.contextmanager
def _environment(extra):
    """The task's ``environment:`` in os.environ while the module runs (as on a target host)."""
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


class ActionModule(ActionBase):
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
        environment = self._task.environment or []
        for item in environment if isinstance(environment, list) else [environment]:
            item = self._templar.template(item)
            if isinstance(item, dict):
                merged.update(item)
        return merged

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = True
        result = super(ActionModule, self).run(tmp, task_vars)
        # The module this task names (``resolved_action`` may be this action plugin's own name).
        module_name = self._shared_loader_obj.module_loader.find_plugin_with_context(
            self._task.action, collection_list=self._task.collections).resolved_fqcn
        if self._in_process():
            result.update(self._run_in_process(module_name, task_vars or {}))
        else:
            result.update(self._execute_module(module_name=module_name, module_args=self._task.args,
                                               task_vars=task_vars, wrap_async=self._task.async_val))
        # A failure of a secret module holds no secret (the code comes only in a success), and hiding it would hide
        # why bad input was refused.
        if (module_name in SECRET_MODULES and not result.get("failed")) or \
                any(boolean(self._task.args.get(option) or False, strict=False) for option in SECRET_REQUESTS):
            result["_ansible_no_log"] = True
        return result

    def _run_in_process(self, module_name, task_vars):
        module_args = dict(self._task.args)
        self._update_module_args(module_name, module_args, task_vars)
        code = importlib.import_module(MODULE_PACKAGE + module_name.rsplit(".", 1)[-1])
        # Mark the (unused) local connection as connected, or the executor builds a new one for every loop item.
        if not getattr(self._connection, "connected", True):
            self._connection._connect()  # pylint: disable=protected-access
        output = io.StringIO()
        loop = bool(self._task.loop or self._task.loop_with)
        try:
            with _environment(self._task_environment()), invocation(as_sent_to_a_module(module_args), loop=loop), \
                    contextlib.redirect_stdout(output):
                code.main()
        except SystemExit:
            pass  # exit_json and fail_json end the module with sys.exit, as in a module's own process
        except Exception as exc:  # pylint: disable=broad-except
            return dict(failed=True, msg="MODULE FAILURE: %s failed unexpectedly: %s" % (module_name, exc),
                        exception=traceback.format_exc())
        stdout = output.getvalue()
        returned = {"rc": 0, "stdout": stdout, "stdout_lines": stdout.splitlines(), "stderr": "", "stderr_lines": []}
        parsed = self._parse_returned_data(returned, *PROFILE_ARGS)
        if remove_internal_keys is None:  # as _execute_module does it on ansible-core >= 2.21
            parsed.remove_internal_keys()
            return parsed.as_result_dict(for_round_trip=True)
        remove_internal_keys(parsed)
        return parsed
