#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_info
short_description: Read the status of a CTERA Edge Filer
version_added: 0.1.0
description:
  - Reads the firmware, host name and model, the connection to the CTERA Portal, cloud sync, cloud backup and the
    shares of a CTERA Edge Filer.
  - Never changes anything. Unlike M(filefleet.office.edge_sync) and M(filefleet.office.edge_backup) in check mode,
    it needs no wanted state and reports a running backup as running.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Runs normally in check mode (it only reads).
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  gather:
    description:
      - What to read. V(status) is the firmware, host name and model, the portal connection, cloud sync, cloud backup
        and the shares; V(setup) whether the filer has its first administrator and whether the first-time wizard is
        on; V(settings) the host name, location, time zone and NTP servers; V(domain) the Active Directory
        membership; V(users) and V(groups) the local users and groups (with members); V(cloud_folders) the cloud
        folders the filer shows from its portal; V(all) everything.
      - A filer that is not set up yet (fresh from the factory) has no administrator to log in as; only V(setup) can be
        read from it.
    type: list
    elements: str
    choices: [all, status, setup, settings, domain, users, groups, cloud_folders]
    default: [status]
seealso:
  - module: filefleet.office.edge_sync
  - module: filefleet.office.edge_backup
  - module: filefleet.office.ctera_share_info
'''

EXAMPLES = r'''
- name: Read the filer's status
  filefleet.office.edge_info:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
  register: filer

- name: Warn when the filer is not connected to its portal
  ansible.builtin.debug:
    msg: "{{ filer.edge.hostname }} is {{ filer.edge.portal.connection }}"
  when: not filer.edge.portal.connected

- name: Fail when the last successful backup is unknown
  ansible.builtin.assert:
    that: filer.edge.backup.last_successful_backup is not none
'''

RETURN = r'''
edge:
  description: What was read from the filer. Never holds a password, passphrase or key.
  returned: always
  type: dict
  contains:
    url:
      description: Base URL the filer was read at.
      type: str
      sample: https://filer1.example.com
    hostname:
      description: Host name of the filer, or null when the filer does not report it.
      type: str
      sample: filer1
    model:
      description: Model of the filer, or null when the filer does not report it.
      type: str
      sample: C400
    firmware:
      description: Running firmware version.
      type: str
      sample: 7.12.5600.3
    portal:
      description: Connection to the CTERA Portal.
      type: dict
      contains:
        connection:
          description: Connection state, for example C(Connected) or C(Disconnected).
          type: str
        connected:
          description: Whether the connection state is C(Connected).
          type: bool
        server:
          description: Portal server the filer is attached to, if known.
          type: str
        connected_since:
          description: When the current connection was established, if connected.
          type: str
        last_disconnect_reason:
          description: Why the filer last lost its connection, if it reports it.
          type: str
        user:
          description: The portal user the filer is connected as, or null when not connected.
          type: str
        license:
          description: The filer's license as the CTERA SDK names it (C(EV4) ... C(EV128)), or null when it has none.
          type: str
    sync:
      description: Cloud sync, with the keys of the C(sync) that M(filefleet.office.edge_sync) returns.
      type: dict
      contains:
        state:
          description: Sync mode, C(enabled) or C(disabled).
          type: str
          sample: enabled
        status:
          description: Sync service status (the filer's C(serviceStatus) id), for example C(Synced), C(Syncing) or C(Off).
          type: str
          sample: Synced
        portal_connection:
          description: Connection state to the CTERA Portal (the same as RV(edge.portal.connection)).
          type: str
        message:
          description: Status message of the filer, if any.
          type: str
        last_successful_scan:
          description: Time of the last complete scan, if known.
          type: str
    backup:
      description: Cloud backup, with the keys of the C(backup) that M(filefleet.office.edge_backup) returns and two more.
      type: dict
      contains:
        configured:
          description: Whether backup is configured (attached to its cloud folder).
          type: bool
        state:
          description:
            - C(enabled), C(suspended) or C(not_configured); C(unknown) when backup is configured but the filer does
              not say whether it is suspended (see the notes of M(filefleet.office.edge_backup)).
          type: str
        status:
          description: Configuration status, for example C(Attached) or C(NotInitialized).
          type: str
        run:
          description: Backup run state as the filer reports it, for example C(Idle), C(Running) or C(Suspended); null
            when it does not.
          type: str
        running:
          description: Whether a backup is running now; null when the filer does not say.
          type: bool
        suspended:
          description: Whether backup is suspended; null when the filer does not say.
          type: bool
        progress:
          description: Progress of the current run in percent.
          type: int
        encryption_mode:
          description: Encryption mode once configured.
          type: str
        last_successful_backup:
          description: Time of the last successful backup, or null when there was none.
          type: str
    shares:
      description: Names of the filer's shares, sorted.
      type: list
      elements: str
    share_count:
      description: Number of shares.
      type: int
    setup:
      description: Whether the filer is set up. With V(setup) in O(gather).
      returned: when gathered
      type: dict
      contains:
        initialized:
          description: Whether the filer has its first administrator.
          type: bool
        wizard:
          description: Whether the first-time wizard is on; null on a filer that is not set up.
          type: bool
    settings:
      description: The settings M(filefleet.office.edge_settings) manages. With V(settings) in O(gather).
      returned: when gathered
      type: dict
      contains:
        hostname:
          description: Host name.
          type: str
        location:
          description: Location, or null.
          type: str
        timezone:
          description: Time zone.
          type: str
        ntp_servers:
          description: NTP servers in use; empty while NTP is off.
          type: list
          elements: str
    domain:
      description: Active Directory membership, as M(filefleet.office.edge_domain) returns it. With V(domain) in O(gather).
      returned: when gathered
      type: dict
      contains:
        state:
          description: C(joined) or C(left).
          type: str
        domain:
          description: The domain joined, or null.
          type: str
        workgroup:
          description: The workgroup of a filer not joined, or null.
          type: str
    users:
      description: Local users (C(name), C(full_name), C(email), C(uid)), sorted by name. With V(users) in O(gather).
      returned: when gathered
      type: list
      elements: dict
    groups:
      description: Local groups (C(name), C(description), C(members) as C({type, name})), sorted by name. With
        V(groups) in O(gather).
      returned: when gathered
      type: list
      elements: dict
    cloud_folders:
      description:
        - The cloud folders the filer shows on its C(cloud) volume (those its portal gives it, for example through
          the zones that hold it), sorted by owner and name; empty when the filer has no C(cloud) volume or no
          C(users) directory on it (not connected to a portal). With V(cloud_folders) in O(gather).
      returned: when gathered
      type: list
      elements: dict
      contains:
        owner:
          description: Display name of the folder's owner, as the filer names the directory above it.
          type: str
          sample: Anna Berg
        name:
          description: Name of the folder.
          type: str
          sample: Projects
        path:
          description: Where the folder is on the filer, as O(filefleet.office.ctera_share#module:directory) takes it.
          type: str
          sample: cloud/users/Anna Berg/Projects
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import (
    SetupSession, read_domain, read_groups, read_settings, read_users, read_wizard,
)
from ansible_collections.filefleet.office.plugins.module_utils._edge_portal import read_license
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text, share_names
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import (
    backup_info, read_backup_status, read_device, read_portal_status, read_sync_mode, read_sync_status, sync_view,
)


GATHER = ["status", "setup", "settings", "domain", "users", "groups", "cloud_folders"]


def argument_spec():
    spec = edge_argument_spec()
    spec.update(gather=dict(type="list", elements="str", choices=["all"] + GATHER, default=["status"]))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


def read_edge(module, scope):
    params = module.params
    gather = GATHER if "all" in params["gather"] else [g for g in GATHER if g in params["gather"]]
    edge = {}
    if "setup" in gather:
        # Asked without a session: a filer fresh from the factory has nobody to log in as.
        probe = SetupSession(params["edge_url"], params["edge_username"], params["edge_password"],
                             validate_certs=params["validate_certs"], ca_path=params.get("ca_path"),
                             timeout=params.get("timeout") or 30)
        scope.opened.append(probe)
        edge["setup"] = {"initialized": probe.initialized(), "wizard": None}
        if not edge["setup"]["initialized"]:
            if gather != ["setup"]:
                raise ValueError("the filer at %s is not set up yet (it has no administrator to log in as): only "
                                 "gather: [setup] can be read; set it up with filefleet.office.edge_setup"
                                 % probe.hostname)
            return {"changed": False, "edge": dict(edge, url=probe.hostname)}
    session = edge_session(scope, params)
    edge["url"] = session.hostname
    if "setup" in gather:
        edge["setup"]["wizard"] = read_wizard(session)
    if "settings" in gather:
        edge["settings"] = read_settings(session)
    if "domain" in gather:
        edge["domain"] = read_domain(session)
    if "users" in gather:
        edge["users"] = read_users(session)
    if "groups" in gather:
        edge["groups"] = read_groups(session)
    if "status" in gather:
        read_status(session, edge)
    if "cloud_folders" in gather:
        edge["cloud_folders"] = read_cloud_folders(session)
    return {"changed": False, "edge": edge}


def read_status(session, edge):
    edge.update(read_device(session))
    edge["portal"] = read_portal_status(session)
    edge["portal"]["license"] = read_license(session)
    edge["sync"] = sync_view(read_sync_mode(session), read_sync_status(session), edge["portal"]["connection"])
    edge["backup"] = backup_info(read_backup_status(session))
    edge["shares"] = share_names(session)
    edge["share_count"] = len(edge["shares"])


def list_folders(session, path):
    """Names of the directories right under ``path`` (``/`` lists the volumes), as ``listPhysicalFolders`` answers
    them (the request cterasdk edge/shares.py sends)."""
    found = session.execute(session.path("status/fileManager"), "listPhysicalFolders", {"path": path},
                            what="list the folders of %s" % path) or []
    names = []
    for item in found if isinstance(found, list) else []:
        if isinstance(item, dict) and item.get("type", "folder") == "folder":
            name = as_text(item.get("name") or "")
            if name:
                names.append(name)
    return names


def read_cloud_folders(session):
    """The cloud folders on the filer's ``cloud`` volume: ``cloud/users/{owner's display name}/{folder}``."""
    if "cloud" not in list_folders(session, "/") or "users" not in list_folders(session, "/cloud"):
        return []
    folders = []
    for owner in list_folders(session, "/cloud/users"):
        for name in list_folders(session, "/cloud/users/%s" % owner):
            folders.append({"owner": owner, "name": name, "path": "cloud/users/%s/%s" % (owner, name)})
    return sorted(folders, key=lambda f: (f["owner"].lower(), f["name"].lower(), f["owner"], f["name"]))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_edge, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
