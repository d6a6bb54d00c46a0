#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_cloud_folder
short_description: Manage cloud drive folders of a CTERA Portal tenant
version_added: 0.2.0
description:
  - Creates cloud drive folders (the folders of the global file system that Edge Filers share), changes their
    folder group, description, Windows ACL mode and quota, moves them to the recycle bin and recovers them.
  - A folder is identified by its O(name) and its O(owner).
  - Only the options you give are managed. An option you leave out is never changed on an existing folder.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the folder and reports exactly what a real run would change, writing nothing.
      - An owner or folder group that does not exist yet is predicted, with a warning, as an earlier task of the
        same run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description: Shows the changed settings before and after.
options:
  name:
    description: Name of the folder.
    type: str
    required: true
  owner:
    description: Local user of the tenant who owns the folder.
    type: str
    required: true
  group:
    description: Folder group of the folder (see M(filefleet.office.ctera_folder_group)). Required to create one.
    type: str
  description:
    description: Description. An empty string clears it.
    type: str
  winacls:
    description:
      - Whether the folder keeps Windows ACLs (NT ACL mode). A new folder without O(winacls) keeps them, as the
        portal's own default.
    type: bool
  quota_gb:
    description: Quota of the folder in GiB, at most 1000000000; V(0) means no quota.
    type: int
  permanently:
    description:
      - With O(state=absent), delete the folder and its data for good, also from the recycle bin.
      - Without it (the default) O(state=absent) moves the folder to the recycle bin, from where O(state=present)
        recovers it with its data.
    type: bool
    default: false
  tenant:
    description: Tenant to act in, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
  state:
    description:
      - V(present) makes the folder exist with the given settings, recovering it from the recycle bin if it is
        there. V(absent) moves it to the recycle bin (or deletes it for good with O(permanently=true)).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Recovering a folder is the portal's file restore of C(Users/<owner's display name>/<folder>), as cterasdk's
    C(recover) does it; the administrator needs the role permission to access end user folders.
seealso:
  - module: filefleet.office.ctera_folder_group
  - module: filefleet.office.ctera_zone
  - module: filefleet.office.ctera_cloud_folder_info
'''

EXAMPLES = r'''
- name: The Stockholm office's project folder
  filefleet.office.ctera_cloud_folder:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    name: Projects
    owner: svc-stockholm
    group: stockholm
    description: Projects of the Stockholm office
    quota_gb: 500

- name: An old folder goes to the recycle bin (recoverable)
  filefleet.office.ctera_cloud_folder:
    tenant: acme
    name: Archive-2019
    owner: svc-stockholm
    state: absent
'''

RETURN = r'''
cloud_folder:
  description: The folder after the task (predicted in check mode); null when absent (or in the recycle bin).
  returned: always
  type: dict
  sample:
    name: Projects
    owner: svc-stockholm
    group: stockholm
    description: Projects of the Stockholm office
    winacls: true
    quota_gb: 500
    deleted: false
    tenant: acme
  contains:
    name:
      description: Folder name.
      type: str
    owner:
      description: User name of the owner.
      type: str
    group:
      description: Name of the folder group.
      type: str
    description:
      description: Description, or null.
      type: str
    winacls:
      description: Whether the folder keeps Windows ACLs.
      type: bool
    quota_gb:
      description: Quota in GiB, 0 for none.
      type: int
    deleted:
      description: Whether the folder is in the recycle bin (always false for V(present)).
      type: bool
    tenant:
      description: Tenant of the folder.
      type: str
diff:
  description: Changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import (
    find_folder, folder_path, folder_view, read_folder_group, wait_for_task,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    as_text, portal_name, read_user, user_reference,
)
from ansible_collections.filefleet.office.plugins.module_utils._validate import MAX_STORAGE_GB, number_text


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        owner=dict(type="str", required=True),
        group=dict(type="str"),
        description=dict(type="str"),
        winacls=dict(type="bool"),
        quota_gb=dict(type="int"),
        permanently=dict(type="bool", default=False),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "owner", "group", "tenant"))


def validate(params):
    name = portal_name(params["name"], "folder")
    portal_name(params["owner"], "user", "owner")
    if params["group"] is not None:
        portal_name(params["group"], "folder group", "group")
    if params["quota_gb"] is not None and not 0 <= params["quota_gb"] <= MAX_STORAGE_GB:
        raise ValueError("quota_gb must be 0 (no quota) or more and at most %d GiB, got %s"
                         % (MAX_STORAGE_GB, number_text(params["quota_gb"])))
    if params["permanently"] and params["state"] != "absent":
        raise ValueError("permanently is only for state=absent")
    return name


def extended_attributes(winacls):
    """What cloudfs.py ``_configure_attributes`` sends: macOS attributes kept, disabled without Windows ACLs."""
    return {"_classname": "ExtendedAttributes", "enable": bool(winacls),
            "attributes": [{"_classname": "ExtendedAttributesInfo", "name": "MacOS", "supported": True}]}


def retention(classname, switch, mode, grace):
    """Archive or WORM settings switched off, as cterasdk's ``ArchiveSettingsBuilder``/``ComplianceSettingsBuilder``
    ``default()`` build them (``switch``: the name of the on/off attribute)."""
    return {"_classname": classname, switch: False, "retentionMode": mode, "retentionPeriod": None,
            "gracePeriod": {"_classname": "WormPeriod", "amount": grace, "type": "Minutes"}}


class CloudFolder(Resource):
    """A cloud drive folder: ``{name, owner, group, description, winacls, quota_gb, deleted, tenant}``."""

    key = "cloud_folder"

    def __init__(self, module, session, tenant, name):
        super(CloudFolder, self).__init__(module, session)
        self.tenant = tenant
        self.name = name
        self.owner = module.params["owner"].strip()
        self.obj = None
        self.refs = {}

    def read(self):
        self.obj = find_folder(self.session, self.name, self.owner)
        if self.obj is None:
            return None
        view = folder_view(self.obj, self.tenant)
        if view["deleted"] and self.params["state"] == "absent" and not self.params["permanently"]:
            return None  # in the recycle bin is what absent asks for
        return view

    def desired(self, current):
        wanted = {"name": self.name, "owner": self.owner, "tenant": self.tenant, "deleted": False}
        if self.params["group"] is not None:
            wanted["group"] = self.params["group"].strip()
            if current is None or current.get("group") != wanted["group"]:
                self._group_ref(wanted["group"])
        if self.params["description"] is not None:
            wanted["description"] = self.params["description"] or None
        if self.params["winacls"] is not None:
            wanted["winacls"] = self.params["winacls"]
        if self.params["quota_gb"] is not None:
            wanted["quota_gb"] = self.params["quota_gb"]
        if current is None:
            self._owner_ref()
        return wanted

    def check_create(self, desired):
        if "group" not in desired:
            raise ValueError("group is required to create cloud folder %r of %r" % (self.name, self.owner))

    def predict(self, current, changes):
        after = dict(current or {"description": None, "winacls": True, "quota_gb": 0})
        after.update(changes)
        return after

    def _owner_ref(self):
        if "owner" not in self.refs:
            found = user_reference(self.session, self.owner)
            if found is None:
                self.expect_created_earlier(
                    "owner %r is not a user of tenant %r" % (self.owner, self.tenant),
                    "owner %r is not a user of tenant %r yet; a real run fails unless an earlier task creates it"
                    % (self.owner, self.tenant))
            self.refs["owner"] = found[1] if found else None
        return self.refs["owner"]

    def _group_ref(self, group):
        if group not in self.refs:
            obj = read_folder_group(self.session, group)
            if obj is None:
                self.expect_created_earlier(
                    "folder group %r does not exist in tenant %r" % (group, self.tenant),
                    "folder group %r does not exist in tenant %r yet; a real run fails unless an earlier task "
                    "creates it" % (group, self.tenant))
            self.refs[group] = obj.get("baseObjectRef") if obj else None
        return self.refs[group]

    def _reread(self):
        self.obj = find_folder(self.session, self.name, self.owner)
        return folder_view(self.obj, self.tenant) if self.obj else None

    def create(self, desired, predicted):
        winacls = desired.get("winacls", True)
        param = {"owner": self._owner_ref(), "group": self._group_ref(desired["group"]), "name": self.name,
                 "enableSyncWinNtExtendedAttributes": winacls, "folderQuota": desired.get("quota_gb") or None,
                 "extendedAttributes": extended_attributes(winacls),
                 "archiveSettings": retention("ArchiveSettings", "archive", "Enterprise", 0),
                 "wormSettings": retention("WormSettings", "worm", "Delete", 30)}
        if desired.get("description"):
            param["description"] = desired["description"]
        self.session.execute(self.session.path(), "addCloudDrive", param,
                             what="create cloud folder %r of %r" % (self.name, self.owner))
        return self._reread()

    def update(self, current, changes, predicted):
        what = "cloud folder %r of %r" % (self.name, self.owner)
        if changes.get("deleted") is False:
            user = read_user(self.session, self.owner, ["displayName"]) or {}
            src = folder_path(self.session, as_text(user.get("displayName")) or self.owner, self.name)
            task = self.session.execute(self.session.path(), "restoreResources", {
                "_classname": "ActionResourcesParam", "startFrom": None,
                "urls": [{"_classname": "SrcDstParam", "src": src, "dest": None}]}, what="recover " + what)
            wait_for_task(self.session, task, "recover " + what)
        fields = dict((k, v) for k, v in changes.items() if k not in ("deleted",))
        if fields:
            ref = str(self.obj["baseObjectRef"])
            path = self.session.path(*ref.strip("/").split("/"))
            obj = self.session.get(path, what="read " + what)
            if not isinstance(obj, dict):
                raise ValueError("read %s: the portal answered no folder object" % what)
            if "group" in fields:
                obj["group"] = self._group_ref(fields["group"])
            if "description" in fields:
                obj["description"] = fields["description"]
            if "winacls" in fields:
                obj["enableSyncWinNtExtendedAttributes"] = fields["winacls"]
            if "quota_gb" in fields:
                obj["folderQuota"] = fields["quota_gb"] or None
            self.session.put(path, obj, what="change " + what)
        return self._reread()

    def delete(self, current):
        path = self.session.path("objs", str(self.obj["uid"]))
        if self.params["permanently"]:
            self.session.execute(path, "deleteFolderPermanently",
                                 what="delete cloud folder %r of %r permanently" % (self.name, self.owner))
        else:
            self.session.execute(path, "delete", what="move cloud folder %r of %r to the recycle bin"
                                 % (self.name, self.owner))


def ensure_cloud_folder(module, scope):
    name = validate(module.params)
    session, tenant = portal_tenant_session(scope, module.params)
    return ensure(CloudFolder(module, session, tenant, name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_cloud_folder, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
