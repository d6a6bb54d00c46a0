#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_backup
short_description: Enable or suspend cloud backup of a CTERA Edge Filer
version_added: 0.1.0
description:
  - Makes cloud backup of a CTERA Edge Filer configured and running on its schedule, or suspended, and returns the
    backup status.
  - Configuring backup for the first time attaches the filer to its backup folder on the CTERA Portal (creating
    the folder, encrypted with O(passphrase), when there is none). This needs the filer to be connected to a portal.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the backup status and reports whether a real run would change it, writing nothing.
  diff_mode:
    support: full
    description: Shows the backup state before and after; the passphrase never appears.
options:
  state:
    description:
      - V(enabled) configures cloud backup if it is not configured yet (O(passphrase) is then required) and resumes
        it if it was suspended. It does not start a backup run outside the schedule.
      - V(suspended) pauses backup (a running backup stops until resumed). V(disabled) is the same, as the filer has no
        other way to turn backup off. A filer whose backup was never configured is left as it is.
      - Whether backup is suspended is read from the filer's backup status when it says so. A filer that does not
        say (RV(backup.state) is V(unknown)) cannot be checked, so V(enabled) sends resume on every run (a no-op for
        a backup that is not suspended) and reports a change, and V(suspended) and V(disabled) fail without pausing
        rather than pause again on every run. See the notes.
    type: str
    choices: [enabled, disabled, suspended]
    required: true
  passphrase:
    description:
      - Passphrase of the backup encryption key. Only used when backup is first configured; never compared, never
        returned, so changing it later has no effect.
      - A new backup folder is encrypted with this passphrase (secret key encryption); an existing encrypted folder
        is attached with it, and a wrong passphrase fails.
    type: str
notes:
  - "What is known, from the CTERA SDK (cterasdk 2.20.50, C(edge/backup.py)): backup is configured when
    C(GET /proc/backup/backupStatus) has C(serviceStatus.id) C(Attached); pause and resume are the methods C(pause)
    and C(resume) of C(/status/sync); configuring runs background tasks whose result is used when they end
    C(completed) or C(completed with warnings) (the warning is shown), and which fail when they end C(failed),
    C(stopped) or C(disabled)."
  - "What is inferred: the SDK never reads whether backup is suspended. The module reads a bool C(suspended), else a
    C(status) text (C(Suspended), C(Running), C(Idle)), in the backup status; no vendor source confirms either field.
    The last successful backup is C(lastSuccessfulBackupTime), else C(backupHistory.lastSuccessfulSync) (the name the
    SDK's portal export reads for a device)."
'''

EXAMPLES = r'''
- name: Cloud backup is configured and running
  filefleet.office.edge_backup:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    state: enabled
    passphrase: "{{ vault_backup_passphrase }}"

- name: Cloud backup is suspended during the migration
  filefleet.office.edge_backup:
    state: suspended
'''

RETURN = r'''
backup:
  description: Cloud backup after the task (predicted in check mode). Never holds a passphrase or key.
  returned: always
  type: dict
  contains:
    configured:
      description: Whether backup is configured (attached to its cloud folder).
      type: bool
      sample: true
    state:
      description:
        - C(enabled), C(suspended) or C(not_configured); C(unknown) when backup is configured but the filer does not
          say whether it is suspended.
      type: str
      sample: enabled
    status:
      description: Configuration status of the filer, for example C(Attached) or C(NotInitialized).
      type: str
      sample: Attached
    run:
      description: Backup run state as the filer reports it, for example C(Idle), C(Running) or C(Suspended); null
        when it does not.
      type: str
    progress:
      description: Progress of the current run in percent.
      type: int
    encryption_mode:
      description: C(SecretKeyEncryption) or C(RecoverableKeyEncryption) once configured.
      type: str
    last_successful_backup:
      description: Time of the last successful backup, if any.
      type: str
diff:
  description: The backup state before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {state: not_configured}, after: {state: enabled}}
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import (
    backup_view, configure_backup, read_backup_status, set_backup_running,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        state=dict(type="str", required=True, choices=["enabled", "disabled", "suspended"]),
        passphrase=dict(type="str", no_log=True),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)
UNKNOWN_SUSPENSION = ("cloud backup on %s does not report whether it is suspended, so suspending it cannot be "
                      "checked; pause was not sent (it would be sent again on every run)")


class Backup(Resource):
    """Cloud backup of the filer, as ``backup_view`` shows it; only ``state`` is managed. The passphrase is only
    used to configure backup: it is never part of the object, so it never appears in a result or a diff."""

    key = "backup"

    def read(self):
        return backup_view(read_backup_status(self.session))

    def ready_view(self):
        # A filer that earlier tasks set up and connected: backup not configured yet.
        return backup_view({})

    def desired(self, current):
        if self.params["state"] != "enabled":
            # disabled is suspended; a filer whose backup was never configured is left as it is
            if current["state"] == "unknown":
                raise ValueError(UNKNOWN_SUSPENSION % self.session.hostname)
            return {"state": "suspended"} if current["configured"] else {}
        if not current["configured"] and self.params["passphrase"] is None:
            raise ValueError("passphrase is required: cloud backup on %s is not configured yet, and configuring "
                             "it needs the passphrase of the backup encryption key" % self.session.hostname)
        if current["state"] == "unknown":
            self.module.warn("cloud backup on %s does not report whether it is suspended: resume is sent on every "
                             "run (nothing happens when backup is not suspended)" % self.session.hostname)
        return {"state": "enabled"}

    def predict(self, current, changes):
        after = super(Backup, self).predict(current, changes)
        if changes.get("state") == "suspended":
            after["run"] = "Suspended"
        elif changes and not current["configured"]:
            after.update(configured=True, status="Attached", encryption_mode="SecretKeyEncryption")
        return after

    def update(self, current, changes, predicted):
        if current["configured"]:
            set_backup_running(self.session, changes["state"] == "enabled")
        else:
            configure_backup(self.session, self.params["passphrase"], warn=self.module.warn)
        after = self.read()
        if changes.get("state") == "enabled" and not after["configured"]:
            # Never a success the filer does not confirm: a filer restarted between creating the folder and
            # answering its task loses the key, and the settings stored without it attach nothing.
            raise ApiError("configure cloud backup on %s failed: the backup folder was attached or created, but the "
                           "filer does not confirm it (backup %s, status %s; a filer restarted in between forgets the "
                           "key of a folder it just created); run again to attach it" % (
                               self.session.hostname, after["state"], after["status"]))
        if after["state"] == "unknown":
            after["state"] = changes["state"]  # what was just sent; the filer does not report it
        return after


def ensure_backup(module, scope):
    passphrase = module.params["passphrase"]
    if passphrase is not None and not passphrase.strip():
        raise ValueError("passphrase must not be empty")
    session = edge_session(scope, module.params)
    if passphrase:
        session.http.redact.add(passphrase)
    return ensure(Backup(module, session))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_backup, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
