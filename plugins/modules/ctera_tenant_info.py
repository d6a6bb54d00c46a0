#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_tenant_info
short_description: List or get tenants of a CTERA Portal
version_added: 0.2.0
description:
  - Lists the tenants of a CTERA Portal with their settings and plan, or gets one by name, also from the trash can.
  - Needs a global administrator (O(portal_url) without C(/ServicesPortal)).
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
    description: Only this tenant (an empty list when it does not exist).
    type: str
  include_deleted:
    description: Also list the tenants in the trash can (with C(deleted=true)).
    type: bool
    default: false
seealso:
  - module: filefleet.office.ctera_tenant
'''

EXAMPLES = r'''
- name: Every tenant, also those in the trash can
  filefleet.office.ctera_tenant_info:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    include_deleted: true
  register: tenants
'''

RETURN = r'''
tenants:
  description: The tenants, each as M(filefleet.office.ctera_tenant) returns one, sorted by name.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: acme, display_name: Acme, billing_id: null, company: Acme Inc., comment: null, plan: Default, deleted: false}
count:
  description: Number of tenants returned.
  returned: always
  type: int
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._portal import XML_LIBRARY, portal_argument_spec
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import global_session, list_tenants


def argument_spec():
    spec = portal_argument_spec()
    spec.update(name=dict(type="str"), include_deleted=dict(type="bool", default=False))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name",))


def read_tenants(module, scope):
    session = global_session(scope, module.params)
    name = module.params["name"]
    tenants = list_tenants(session, False, name)
    if module.params["include_deleted"]:
        tenants += list_tenants(session, True, name)
    tenants.sort(key=lambda t: t["name"])
    return {"changed": False, "tenants": tenants, "count": len(tenants)}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_tenants, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
