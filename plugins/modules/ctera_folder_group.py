#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_folder_group
short_description: Manage folder groups of a CTERA Portal tenant
version_added: 0.2.0
description:
  - Creates and deletes folder groups (the storage and deduplication domain of cloud drive folders) of a tenant,
    and changes their owner.
  - Only the options you give are managed. An option you leave out is never changed on an existing folder group.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the folder group and reports exactly what a real run would change, writing nothing.
      - An owner that is not a user of the tenant yet is predicted, with a warning, as an earlier task of the same
        run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description: Shows the changed owner before and after.
options:
  name:
    description: Name of the folder group.
    type: str
    required: true
  owner:
    description: Local user of the tenant who owns the folder group. An empty string leaves it without an owner.
    type: str
  tenant:
    description: Tenant to act in, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
  state:
    description:
      - V(present) makes the folder group exist with the given settings; V(absent) deletes it.
      - The portal refuses to delete a folder group that still holds cloud folders, also deleted ones.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: filefleet.office.ctera_cloud_folder
'''

EXAMPLES = r'''
- name: The Stockholm office's folder group, owned by its service user
  filefleet.office.ctera_folder_group:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    name: stockholm
    owner: svc-stockholm
'''

RETURN = r'''
folder_group:
  description: The folder group after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: stockholm
    owner: svc-stockholm
    tenant: acme
  contains:
    name:
      description: Folder group name.
      type: str
    owner:
      description: User name of the owner, or null.
      type: str
    tenant:
      description: Tenant of the folder group.
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
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import read_folder_group
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    as_text, name_of_ref, portal_name, user_reference,
)


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        owner=dict(type="str"),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "owner", "tenant"))


def validate(params):
    name = portal_name(params["name"], "folder group")
    if params["owner"]:
        portal_name(params["owner"], "user", "owner")
    return name


class FolderGroup(Resource):
    """A folder group: ``{name, owner, tenant}``."""

    key = "folder_group"

    def __init__(self, module, session, tenant, name):
        super(FolderGroup, self).__init__(module, session)
        self.tenant = tenant
        self.name = name
        self.path = session.path("foldersGroups", name)
        self.owner_ref = None

    def read(self):
        obj = read_folder_group(self.session, self.name)
        if obj is None:
            return None
        return {"name": as_text(obj["name"]), "owner": name_of_ref(obj.get("owner")), "tenant": self.tenant}

    def desired(self, current):
        wanted = {"name": self.name, "tenant": self.tenant}
        owner = self.params["owner"]
        if owner is not None:
            owner = owner.strip() or None
            wanted["owner"] = owner
            if owner is not None and owner != (current or {}).get("owner"):
                found = user_reference(self.session, owner)
                if found is None:
                    self.expect_created_earlier(
                        "owner %r is not a user of tenant %r" % (owner, self.tenant),
                        "owner %r is not a user of tenant %r yet; a real run fails unless an earlier task creates it"
                        % (owner, self.tenant))
                else:
                    wanted["owner"], self.owner_ref = found
        return wanted

    def create(self, desired, predicted):
        param = {"name": self.name, "disabled": False, "owner": self.owner_ref if desired.get("owner") else None,
                 "deduplicationMethodType": None}
        self.session.execute(self.session.path(), "createFolderGroup", param,
                             what="create folder group %r" % self.name)

    def update(self, current, changes, predicted):
        obj = self.session.get(self.path, what="read folder group %r" % self.name)
        if not isinstance(obj, dict):
            raise ValueError("read folder group %r: the portal answered no folder group object" % self.name)
        obj["owner"] = self.owner_ref if changes.get("owner") else None
        self.session.put(self.path, obj, what="change folder group %r" % self.name)

    def delete(self, current):
        self.session.execute(self.path, "deleteGroup", True, what="delete folder group %r" % self.name)


def ensure_folder_group(module, scope):
    name = validate(module.params)
    session, tenant = portal_tenant_session(scope, module.params)
    return ensure(FolderGroup(module, session, tenant, name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_folder_group, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
