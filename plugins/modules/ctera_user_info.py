#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_user_info
short_description: List or get local users of a CTERA Portal tenant
version_added: 0.1.0
description:
  - Reads local users of a CTERA Portal tenant, all of them (paged) or one by name, with the fields you choose.
  - Never changes anything; never returns passwords.
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
    description: Get only this user. Without it, every local user of the tenant is listed.
    type: str
  fields:
    description:
      - Fields to return for each user; V(name) is always included.
    type: list
    elements: str
    choices: [name, email, first_name, last_name, role, company, comment, password_change, uid]
    default: [name, email, first_name, last_name, role, company, comment, password_change, uid]
  name_contains:
    description: Only list users whose name contains this text (the portal's C(like) filter).
    type: str
  tenant:
    description: Tenant to read, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
'''

EXAMPLES = r'''
- name: Every user of the Stockholm tenant with e-mail and role
  filefleet.office.ctera_user_info:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: stockholm
    fields: [name, email, role]
  register: stockholm_users

- name: One user
  filefleet.office.ctera_user_info:
    tenant: stockholm
    name: alice
  register: alice
'''

RETURN = r'''
users:
  description: The users found (an empty list when O(name) does not exist), each with the chosen fields.
  returned: always
  type: list
  elements: dict
  sample:
    - name: alice
      email: alice@example.com
      role: ReadWriteAdmin
count:
  description: Number of users returned.
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
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    USER_FIELDS, list_users, read_user, user_view,
)

FIELDS = [option for option, _attribute in USER_FIELDS] + ["uid"]
ATTRIBUTES = dict(USER_FIELDS, uid="uid")


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str"),
        fields=dict(type="list", elements="str", choices=FIELDS, default=list(FIELDS)),
        name_contains=dict(type="str"),
        tenant=dict(type="str"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, mutually_exclusive=[("name", "name_contains")], names=("name", "tenant"))


def read_users(module, scope):
    params = module.params
    session, tenant = portal_tenant_session(scope, params)
    fields = list(dict.fromkeys(["name"] + list(params["fields"])))
    if params["name"]:
        found = read_user(session, params["name"], [ATTRIBUTES[f] for f in fields])
        objects = [found] if found is not None else []
    else:
        objects = list_users(session, [ATTRIBUTES[f] for f in fields], params["name_contains"])
    users = [dict((f, view.get(f)) for f in fields) for view in (user_view(obj, tenant) for obj in objects)]
    return {"changed": False, "users": users, "count": len(users), "tenant": tenant}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_users, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
