#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_zone
short_description: Manage zones of a CTERA Portal tenant
version_added: 0.2.0
description:
  - Creates, changes and deletes zones. A zone gives the Edge Filers in it exactly the cloud drive folders in it.
  - Only the options you give are managed. An option you leave out is never changed on an existing zone.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the zone and reports exactly what a real run would change, writing nothing.
      - A folder or device that does not exist yet is predicted as added, with a warning, as an earlier task of
        the same run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description: Shows the changed description, folders and devices before and after.
options:
  name:
    description: Name of the zone (the portal compares zone names case-insensitively).
    type: str
    required: true
  description:
    description: Description. An empty string clears it.
    type: str
  folders:
    description:
      - Cloud drive folders in the zone, each by name and owner. How they combine with the current folders is set
        by O(folders_mode).
    type: list
    elements: dict
    suboptions:
      name:
        description: Folder name.
        type: str
        required: true
      owner:
        description: User name of the folder's owner.
        type: str
        required: true
  folders_mode:
    description:
      - V(exact) makes the folders exactly O(folders); V(append) adds O(folders) and keeps the others;
        V(remove) removes O(folders) and keeps the others.
    type: str
    choices: [exact, append, remove]
    default: exact
  devices:
    description: Names of the Edge Filers (devices of the tenant) in the zone; combined as set by O(devices_mode).
    type: list
    elements: str
  devices_mode:
    description: Like O(folders_mode), for O(devices).
    type: str
    choices: [exact, append, remove]
    default: exact
  tenant:
    description: Tenant to act in, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
  state:
    description: V(present) makes the zone exist with the given settings; V(absent) deletes it (folders stay).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: filefleet.office.ctera_cloud_folder
  - module: filefleet.office.ctera_zone_info
'''

EXAMPLES = r'''
- name: The Stockholm filers see exactly the Stockholm folders
  filefleet.office.ctera_zone:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    name: stockholm
    description: Stockholm office
    folders:
      - {name: Projects, owner: svc-stockholm}
      - {name: Scans, owner: svc-stockholm}
    devices: [sthlm-filer-1, sthlm-filer-2]

- name: One more filer joins; the others stay
  filefleet.office.ctera_zone:
    tenant: acme
    name: stockholm
    devices: [sthlm-filer-3]
    devices_mode: append
'''

RETURN = r'''
zone:
  description: The zone after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: stockholm
    description: Stockholm office
    folders: [{name: Projects, owner: svc-stockholm}]
    devices: [sthlm-filer-1]
    tenant: acme
  contains:
    name:
      description: Zone name.
      type: str
    description:
      description: Description, or null.
      type: str
    folders:
      description: Folders of the zone (name and owner), sorted by owner and name.
      type: list
      elements: dict
    devices:
      description: Device names, sorted.
      type: list
      elements: str
    tenant:
      description: Tenant of the zone.
      type: str
diff:
  description: Changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure, merge_list
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import (
    check_zone_answer, device_uids, find_folder, find_zone, owner_uid, read_zone, save_zone_param,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import portal_name

POLICY = "selectedFolders"


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        folders=dict(type="list", elements="dict",
                     options=dict(name=dict(type="str", required=True), owner=dict(type="str", required=True))),
        folders_mode=dict(type="str", choices=["exact", "append", "remove"], default="exact"),
        devices=dict(type="list", elements="str"),
        devices_mode=dict(type="str", choices=["exact", "append", "remove"], default="exact"),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "folders.name", "folders.owner", "devices", "tenant"))


def validate(params):
    name = portal_name(params["name"], "zone")
    for index, folder in enumerate(params["folders"] or []):
        for key in ("name", "owner"):
            if not (folder[key] or "").strip():
                raise ValueError("folders[%d].%s must not be empty" % (index, key))
    if any(not (d or "").strip() for d in params["devices"] or []):
        raise ValueError("devices must not contain empty names")
    return name


def folder_key(folder):
    return (folder["name"], folder["owner"])


def sort_folders(folders):
    return sorted(folders, key=lambda f: (f["owner"] or "", f["name"]))


class Zone(Resource):
    """A zone: ``{name, description, folders: [{name, owner}], devices: [name], tenant}``."""

    key = "zone"
    set_keys = ("folders", "devices")

    def __init__(self, module, session, tenant, name):
        super(Zone, self).__init__(module, session)
        self.tenant = tenant
        self.name = name
        self.members = None
        self.new_folders = {}  # (name, owner) -> (uid, owner uid) of folders to add
        self.new_devices = {}  # name -> uid of devices to add

    def read(self):
        view, self.members = read_zone(self.session, self.name, self.tenant)
        return view

    def desired(self, current):
        wanted = {"name": (current or {}).get("name", self.name), "tenant": self.tenant}
        if self.params["description"] is not None:
            wanted["description"] = self.params["description"] or None
        have = (current or {}).get("folders") or []
        if self.params["folders"] is not None:
            given = [{"name": f["name"].strip(), "owner": f["owner"].strip()} for f in self.params["folders"]]
            wanted["folders"] = sort_folders(merge_list(have, given, self.params["folders_mode"], folder_key))
            self._resolve_folders([f for f in wanted["folders"] if folder_key(f) not in set(map(folder_key, have))])
        if self.params["devices"] is not None:
            have_devices = (current or {}).get("devices") or []
            given = [d.strip() for d in self.params["devices"]]
            wanted["devices"] = sorted(merge_list(have_devices, given, self.params["devices_mode"], str))
            self._resolve_devices([d for d in wanted["devices"] if d not in have_devices])
        return wanted

    def _resolve_folders(self, folders):
        missing = []
        for folder in folders:
            obj = find_folder(self.session, folder["name"], folder["owner"])
            if obj is None or obj.get("isDeleted"):
                missing.append("%s (owner %s)" % folder_key(folder))
                continue
            self.new_folders[folder_key(folder)] = (obj["uid"], owner_uid(obj))
        if missing:
            listing = ", ".join(missing)
            self.expect_created_earlier("folders %s are not cloud folders of tenant %r" % (listing, self.tenant),
                                        "folders %s are not cloud folders of tenant %r yet; a real run fails unless "
                                        "an earlier task creates them" % (listing, self.tenant))

    def _resolve_devices(self, names):
        self.new_devices = device_uids(self.session, names)
        missing = [n for n in names if n not in self.new_devices]
        if missing:
            listing = ", ".join(repr(m) for m in missing)
            self.expect_created_earlier("devices %s are not devices of tenant %r" % (listing, self.tenant),
                                        "devices %s are not devices of tenant %r yet; a real run fails unless an "
                                        "earlier task connects them" % (listing, self.tenant))

    def predict(self, current, changes):
        after = dict(current or {"description": None, "folders": [], "devices": []})
        after.update(changes)
        return after

    def _save(self, zone_id, policy, description, current, predicted, what):
        """``saveZone`` with the delta from ``current`` to ``predicted`` (as zones.add_devices / add_folders)."""
        param = save_zone_param(self.name if current is None else current["name"], policy, description, zone_id)
        have_devices = set((current or {}).get("devices") or [])
        want_devices = set(predicted.get("devices") or [])
        param["delta"]["devicesDelta"]["added"] = [self.new_devices[d] for d in sorted(want_devices - have_devices)]
        param["delta"]["devicesDelta"]["removed"] = [self.members["devices"][d]["uid"]
                                                     for d in sorted(have_devices - want_devices)]
        have = set(map(folder_key, (current or {}).get("folders") or []))
        want = set(map(folder_key, predicted.get("folders") or []))
        by_owner = {}
        for key in sorted(want - have):
            uid, owner = self.new_folders[key]
            by_owner.setdefault(owner, ([], []))[0].append(uid)
        for key in sorted(have - want):
            row = self.members["folders"][key]
            by_owner.setdefault(owner_uid(row), ([], []))[1].append(row["uid"])
        param["delta"]["policyDelta"] = [
            {"_classname": "ZonePolicyDelta", "userUid": owner,
             "foldersDelta": {"_classname": "ZoneFolderDelta", "added": added, "removed": removed}}
            for owner, (added, removed) in sorted(by_owner.items())]
        check_zone_answer(self.session.execute(self.session.path(), "saveZone", param, what=what), what)

    def create(self, desired, predicted):
        what = "create zone %r" % self.name
        param = save_zone_param(self.name, POLICY, desired.get("description"), None)
        check_zone_answer(self.session.execute(self.session.path(), "addZone", param, what=what), what)
        if predicted.get("folders") or predicted.get("devices"):
            info = find_zone(self.session, self.name)
            if info is None:
                raise ValueError("%s: the portal did not list the new zone" % what)
            self.members = {"folders": {}, "devices": {}}
            self._save(info["zoneId"], POLICY, desired.get("description"), None, predicted,
                       "add folders and devices to zone %r" % self.name)
        return read_zone(self.session, self.name, self.tenant)[0]

    def update(self, current, changes, predicted):
        self._save(self.members["id"], self.members["policy"] or POLICY, predicted.get("description"), current,
                   predicted, "change zone %r" % self.name)
        return read_zone(self.session, self.name, self.tenant)[0]

    def delete(self, current):
        answer = self.session.execute(self.session.path(), "deleteZones", [self.members["id"]],
                                      what="delete zone %r" % self.name)
        if answer != "ok":
            raise ValueError("delete zone %r: the portal answered %r" % (self.name, answer))


def ensure_zone(module, scope):
    name = validate(module.params)
    session, tenant = portal_tenant_session(scope, module.params)
    return ensure(Zone(module, session, tenant, name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_zone, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
