# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result and the final stats as JSON lines to $FILEFLEET_RECORD_FILE."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: filefleet_record
type: aggregate
short_description: Record task results as JSON lines for the integration tests
description:
  - Writes one JSON line per task result and one with the play recap to the file named by E(FILEFLEET_RECORD_FILE).
  - When E(FILEFLEET_SIM_STATS) names simulators (a JSON list of their ready-line entries), also writes their
    C(/_sim/stats) at the start of each task and at the end (C(sim_stats) lines), so a test can tell what each task
    asked of them.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
'''

import json
import os
import ssl
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "filefleet_record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get("FILEFLEET_RECORD_FILE")
        self._sims = json.loads(os.environ.get("FILEFLEET_SIM_STATS") or "[]")

    def _write(self, record):
        if not self._path:
            return
        with open(self._path, "a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def _record(self, status, result):
        task = result._task
        self._write({"event": "task", "status": status, "host": result._host.get_name(), "task": task.get_name(),
                     "action": task.action, "tags": list(task.tags or []), "result": result._result})

    def _sim_stats(self, task_name):
        """The simulators' counters now (None for one that does not answer, e.g. while it restarts)."""
        if not self._sims:
            return
        stats = {}
        for entry in self._sims:
            context = ssl.create_default_context(cafile=entry["ca_path"]) if entry.get("ca_path") else None
            try:
                with urllib.request.urlopen(entry["url"] + "/_sim/stats", context=context, timeout=10) as answer:
                    stats[entry["url"]] = json.loads(answer.read().decode())
            except (OSError, ValueError):
                stats[entry["url"]] = None
        self._write({"event": "sim_stats", "task": task_name, "stats": stats})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._sim_stats(task.get_name())

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self._sim_stats(None)
        self._write({"event": "stats", "hosts": dict((h, stats.summarize(h)) for h in hosts)})
