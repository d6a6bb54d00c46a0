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
    description: Seconds to wait at most with O(wait), from 0 to 86400. (O(timeout) is the time limit of one request.)
    type: int
    default: 300
  poll_interval:
    description: Seconds between two status reads with O(wait), more than 0 and at most 3600.
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

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import (
    SYNC_MODE_PATH, SYNC_RUNNING, SYNC_STATUSES, read_portal_connection, read_sync_mode, read_sync_status,
    sync_not_connected, sync_view, wait_for_sync,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        state=dict(type="str", required=True, choices=["enabled", "disabled", "suspended"]),
        wait=dict(type="bool", default=False),
        wait_for=dict(type="list", elements="str", choices=SYNC_STATUSES),
        wait_timeout=dict(type="int", default=300),
        poll_interval=dict(type="float", default=1.0),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, bounds={"poll_interval": (0, 3600, "seconds")})


def validate(params):
    if params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds, got %s" % params["wait_timeout"])
    if params["poll_interval"] <= 0:
        raise ValueError("poll_interval must be more than 0 seconds, got %s" % params["poll_interval"])


class Sync(Resource):
    """Cloud sync of the filer, as ``sync_view`` shows it; only ``state`` (the sync mode) is managed."""

    key = "sync"

    def __init__(self, module, session):
        super(Sync, self).__init__(module, session)
        self.mode = "enabled" if self.params["state"] == "enabled" else "disabled"
        self.status = {}
        self.connection = None

    def read(self):
        mode = read_sync_mode(self.session)
        self.status = read_sync_status(self.session)
        if self.mode == "enabled":
            # A filer that is not connected to a portal cannot sync: fail before anything is written.
            self.connection = read_portal_connection(self.session)
            if self.connection == "Disconnected" or self.status.get("id") == "DisconnectedPortal":
                raise sync_not_connected(self.session, self.connection)
        return sync_view(mode, self.status, self.connection)

    def ready_view(self):
        # A filer that earlier tasks set up and connected. Its sync mode is the factory default, enabled (inferred:
        # the mode is a saved setting that no setup step changes; the Edge simulator's factory filers have it on).
        return sync_view("enabled", {"id": "InitializingConnection"}, "Connected" if self.mode == "enabled" else None)

    def desired(self, current):
        return {"state": self.mode}

    def update(self, current, changes, predicted):
        self.session.put(self.session.path(SYNC_MODE_PATH), self.mode,
                         what="set the cloud sync mode to %s" % self.mode)
        self.status = read_sync_status(self.session)
        return sync_view(self.mode, self.status, self.connection)

    def finish(self, after, changed):
        if not self.params["wait"]:
            return after
        targets = self.params["wait_for"] or (SYNC_RUNNING if self.mode == "enabled" else ["Off"])
        status = wait_for_sync(self.session, self.status, targets, self.params["wait_timeout"],
                               self.params["poll_interval"], self.connection)
        return sync_view(after["state"], status, self.connection)


def ensure_sync(module, scope):
    validate(module.params)
    return ensure(Sync(module, edge_session(scope, module.params)))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_sync, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
