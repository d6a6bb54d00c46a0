#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_zone_info
short_description: List zones of a CTERA Portal tenant with their folders and devices
version_added: 0.2.0
description:
  - Lists the zones of a tenant, or gets one by name, with the cloud drive folders and Edge Filers in each.
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
    description: Only this zone (an empty list when it does not exist).
    type: str
  tenant:
    description: Tenant to read, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
seealso:
  - module: filefleet.office.ctera_zone
'''

EXAMPLES = r'''
- name: Every zone of the tenant
  filefleet.office.ctera_zone_info:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
  register: zones
'''

RETURN = r'''
zones:
  description: The zones, each as M(filefleet.office.ctera_zone) returns one, sorted by name.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: stockholm, description: null, folders: [{name: Projects, owner: svc-stockholm}],
       devices: [sthlm-filer-1], tenant: acme}
count:
  description: Number of zones returned.
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
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import query_all, read_zone
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import as_text


def argument_spec():
    spec = portal_argument_spec()
    spec.update(name=dict(type="str"), tenant=dict(type="str"))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "tenant"))


def read_zones(module, scope):
    session, tenant = portal_tenant_session(scope, module.params)
    if module.params["name"]:
        names = [module.params["name"]]
    else:
        listing = query_all(session, None, {"_classname": "QueryParams"}, "list zones", method="getZonesDisplayInfo")
        names = [as_text(z["name"]) for z in listing]
    zones = [view for view in (read_zone(session, name, tenant)[0] for name in names) if view is not None]
    zones.sort(key=lambda z: z["name"])
    return {"changed": False, "zones": zones, "count": len(zones), "tenant": tenant}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_zones, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
