#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_sync
short_description: Enable, disable or suspend cloud sync of a CTERA Edge Filer
version_added: 0.1.0
description:
  - Turns the cloud sync service of a CTERA Edge Filer on or off, optionally waits until the sync status reaches
    a target, and returns the sync status.
  - A filer that is not connected to a CTERA Portal cannot sync; asking for V(enabled) on such a filer fails at
    once with a message saying so (nothing is written).
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the sync mode and reports whether a real run would change it, writing nothing and not waiting.
  diff_mode:
    support: full
    description: Shows the sync state before and after.
options:
  state:
    description:
      - V(enabled) turns cloud sync on.
      - V(disabled) turns it off. V(suspended) is the same on the filer (the CTERA SDK calls turning sync off
        "suspend"); both leave the sync status at C(Off), and V(enabled) resumes from where sync stopped.
    type: str
    choices: [enabled, disabled, suspended]
    required: true
  wait:
    description:
      - Wait until the sync status is one of O(wait_for), polling every O(poll_interval) seconds.
      - Fails when O(wait_timeout) passes first (the message gives the last status seen), and at once when the
        status shows a condition sync cannot get out of by itself (C(DisconnectedPortal), C(Unlicensed),
        C(ServiceUnavailable), C(VolumeUnavailable), C(ShouldSupportWinNtAcl), C(InternalError),
        C(ClocksOutOfSync), C(NoFolder)).
    type: bool
    default: false
  wait_for:
    description:
      - Sync statuses that end the wait.
      - Default for V(enabled) is the service running (V(Synced), V(Syncing), V(Scanning), V(UpgradingDataBase), as
        the CTERA SDK waits for); use V([Synced]) to wait until everything is in sync. Default for V(disabled) and
        V(suspended) is V(Off).
      - Quote C('Off') in YAML, which otherwise reads it as the boolean false.
    type: list
    elements: str
    choices: ['Off', NotInitialized, InitializingConnection, ConnectingFolders, Connected, ClocksOutOfSync,
              ConnectionFailed, InternalError, InvalidConfiguration, VolumeUnavailable, NoFolder, DisconnectedPortal,
              ServiceUnavailable, Unlicensed, Synced, Syncing, Scanning, UpgradingDataBase, OutOfQuota,
              RejectedByPolicy, FailedFilesInReadOnlyFolder, ShouldSupportWinNtAcl, TakingSnapshot,
              CatalogReadOnlyMode, InvalidAverageBlockSize]
  wait_timeout:
    description: Seconds to wait at most with O(wait). (O(timeout) is the time limit of one request.)
    type: int
    default: 300
  poll_interval:
    description: Seconds between two status reads with O(wait).
    type: float
    default: 1.0
'''

EXAMPLES = r'''
- name: Cloud sync is on and running
  filefleet.office.edge_sync:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    state: enabled
    wait: true
    wait_timeout: 120

- name: Everything is in sync before the maintenance window
  filefleet.office.edge_sync:
    state: enabled
    wait: true
    wait_for: [Synced]

- name: Cloud sync is suspended
  filefleet.office.edge_sync:
    state: suspended
'''

RETURN = r'''
sync:
  description: Cloud sync after the task. In check mode the status is the current one.
  returned: always
  type: dict
  contains:
    state:
      description: C(enabled) or C(disabled) (the filer's sync mode; predicted in check mode).
      type: str
      sample: enabled
    status:
      description: Sync status, for example C(Synced), C(Syncing), C(Off) or C(DisconnectedPortal).
      type: str
      sample: Synced
    message:
      description: Status message of the filer, if any.
      type: str
    portal_connection:
      description: Connection state to the CTERA Portal (read when O(state=enabled)), for example C(Connected).
      type: str
      returned: when O(state=enabled)
    uploading_files:
      description: Files being uploaded.
      type: int
    downloading_files:
      description: Files being downloaded.
      type: int
    files_in_upload_queue:
      description: Files waiting to be uploaded.
      type: int
    files_in_download_queue:
      description: Files waiting to be downloaded.
      type: int
    last_successful_scan:
      description: Time of the last complete scan, if known.
      type: str
diff:
  description: The sync state before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {state: disabled}, after: {state: enabled}}
'''

import time

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule

from ansible_collections.filefleet.office.plugins.module_utils._common import run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import (
    SYNC_MODE_PATH, read_portal_connection, read_sync_mode, read_sync_status, sync_view,
)
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, WaitTimeout

STATUSES = ["Off", "NotInitialized", "InitializingConnection", "ConnectingFolders", "Connected", "ClocksOutOfSync",
            "ConnectionFailed", "InternalError", "InvalidConfiguration", "VolumeUnavailable", "NoFolder",
            "DisconnectedPortal", "ServiceUnavailable", "Unlicensed", "Synced", "Syncing", "Scanning",
            "UpgradingDataBase", "OutOfQuota", "RejectedByPolicy", "FailedFilesInReadOnlyFolder",
            "ShouldSupportWinNtAcl", "TakingSnapshot", "CatalogReadOnlyMode", "InvalidAverageBlockSize"]
RUNNING = ["Synced", "Syncing", "Scanning", "UpgradingDataBase"]
# Conditions the SDK's tracker treats as failures: sync does not leave them without someone acting.
STUCK = ("DisconnectedPortal", "Unlicensed", "ServiceUnavailable", "VolumeUnavailable", "ShouldSupportWinNtAcl",
         "InternalError", "ClocksOutOfSync", "NoFolder")


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        state=dict(type="str", required=True, choices=["enabled", "disabled", "suspended"]),
        wait=dict(type="bool", default=False),
        wait_for=dict(type="list", elements="str", choices=STATUSES),
        wait_timeout=dict(type="int", default=300),
        poll_interval=dict(type="float", default=1.0),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


def not_connected(session, connection):
    return ApiError("cloud sync cannot run on %s: the filer is not connected to a CTERA Portal (connection state %s); "
                    "connect it to a portal first" % (session.hostname, connection or "unknown"))


def ensure(module, scope):
    params = module.params
    if params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds, got %s" % params["wait_timeout"])
    if params["poll_interval"] <= 0:
        raise ValueError("poll_interval must be more than 0 seconds, got %s" % params["poll_interval"])
    want_mode = "enabled" if params["state"] == "enabled" else "disabled"
    targets = params["wait_for"] or (RUNNING if want_mode == "enabled" else ["Off"])

    session = edge_session(scope, params)
    mode = read_sync_mode(session)
    status = read_sync_status(session)
    connection = None
    if want_mode == "enabled":
        connection = read_portal_connection(session)
        if connection == "Disconnected" or status.get("id") == "DisconnectedPortal":
            raise not_connected(session, connection)
    changed = mode != want_mode
    if changed and not module.check_mode:
        session.put(session.path(SYNC_MODE_PATH), want_mode, what="set the cloud sync mode to %s" % want_mode)
        status = read_sync_status(session)
    if params["wait"] and not module.check_mode:
        status = wait_for_status(session, status, targets, params["wait_timeout"], params["poll_interval"], connection)
    result = {"changed": changed, "sync": sync_view(want_mode if changed else mode, status, connection)}
    if module._diff and changed:
        result["diff"] = {"before": {"state": mode}, "after": {"state": want_mode}}
    return result


def wait_for_status(session, status, targets, timeout, interval, connection):
    deadline = time.time() + timeout
    while True:
        current = as_text(status.get("id"))
        if current in targets:
            return status
        if current == "DisconnectedPortal":
            raise not_connected(session, connection)
        if current in STUCK:
            raise ApiError("cloud sync on %s is %s (%s) while waiting for %s" % (
                session.hostname, current, as_text(status.get("message")) or "no message", " or ".join(targets)))
        if time.time() >= deadline:
            raise WaitTimeout("cloud sync on %s did not reach %s within %s s; last status %s" % (
                session.hostname, " or ".join(targets), timeout, current))
        time.sleep(min(interval, max(0.0, deadline - time.time())) or interval)
        status = read_sync_status(session)


def run_module(module):
    run(module, ensure, extra_libraries=[XML_LIBRARY])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
