#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_cloud_folder_info
short_description: List cloud drive folders of a CTERA Portal tenant
version_added: 0.2.0
description:
  - Lists the cloud drive folders of a tenant with their owner, folder group, description, Windows ACL mode and
    quota; all of them, those of one owner, or one folder by name.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Runs normally in check mode (it only reads).
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  name:
    description: Only folders with this name.
    type: str
  owner:
    description: Only folders of this user.
    type: str
  include_deleted:
    description: Also list the folders in the recycle bin (with C(deleted=true)).
    type: bool
    default: false
  tenant:
    description: Tenant to read, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
seealso:
  - module: filefleet.office.ctera_cloud_folder
'''

EXAMPLES = r'''
- name: The folders of the Stockholm service user
  filefleet.office.ctera_cloud_folder_info:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    owner: svc-stockholm
  register: folders
'''

RETURN = r'''
cloud_folders:
  description: The folders, each as M(filefleet.office.ctera_cloud_folder) returns one, sorted by owner and name.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: Projects, owner: svc-stockholm, group: stockholm, description: null, winacls: true, quota_gb: 0,
       deleted: false, tenant: acme}
count:
  description: Number of folders returned.
  returned: always
  type: int
tenant:
  description: The tenant that was read.
  returned: always
  type: str
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import folder_view, list_folders


def argument_spec():
    spec = portal_argument_spec()
    spec.update(name=dict(type="str"), owner=dict(type="str"), include_deleted=dict(type="bool", default=False),
                tenant=dict(type="str"))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "owner", "tenant"))


def read_folders(module, scope):
    params = module.params
    session, tenant = portal_tenant_session(scope, params)
    objects = list_folders(session, params["name"], params["owner"], include_deleted=params["include_deleted"])
    folders = sorted((folder_view(obj, tenant) for obj in objects), key=lambda f: (f["owner"] or "", f["name"]))
    return {"changed": False, "cloud_folders": folders, "count": len(folders), "tenant": tenant}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_folders, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
