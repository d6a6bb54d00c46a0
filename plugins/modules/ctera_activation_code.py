#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_activation_code
short_description: Get a device activation code for a CTERA Portal user
version_added: 0.2.0
description:
  - Asks the portal for an activation code with which an Edge Filer connects to the portal as O(user) without that
    user's password (see M(filefleet.office.edge_portal_connection)).
  - The code is in the registered result (C(code)) but the task's result is never displayed, in any mode or
    verbosity. A failure holds no code and is displayed, with its reason.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: partial
    details: In check mode no code is requested and C(code) is null.
    description: Runs in check mode without asking the portal for a code.
  diff_mode:
    support: none
    description: Issuing a code changes no configuration, so there is nothing to show.
options:
  user:
    description: The tenant user the filer will connect as. The user must exist.
    type: str
    required: true
  tenant:
    description: Tenant of O(user). Defaults to the tenant the session is in.
    type: str
notes:
  - Issuing a code changes no configuration, so the task reports C(changed=false).
seealso:
  - module: filefleet.office.edge_portal_connection
'''

EXAMPLES = r'''
- name: An activation code for the Stockholm service user
  filefleet.office.ctera_activation_code:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    user: svc-stockholm
  register: activation
'''

RETURN = r'''
code:
  description: The activation code (null in check mode). Never displayed.
  returned: always
  type: str
user:
  description: The user the code is for.
  returned: always
  type: str
tenant:
  description: The tenant of the user.
  returned: always
  type: str
'''

from urllib.parse import quote

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import issue
from ansible_collections.filefleet.office.plugins.module_utils._portal import XML_LIBRARY, portal_argument_spec, portal_session
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import as_text, portal_name


def argument_spec():
    spec = portal_argument_spec()
    spec.update(user=dict(type="str", required=True), tenant=dict(type="str"))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("user", "tenant"))


def activation_code(module, scope):
    user = portal_name(module.params["user"], "user", "user")
    session = portal_session(scope, module.params)
    tenant = module.params["tenant"] or session.current_tenant
    if not tenant:
        raise ValueError("tenant is required: %r is a global administrator and is not browsing a tenant"
                         % module.params["portal_username"])

    def request_code():
        # cterasdk activation.generate_code: GET /ssoActivation?username=U&portal=T
        query = "?username=%s&portal=%s" % (quote(user, safe=""), quote(tenant, safe=""))
        answer = session.get(session.path("ssoActivation") + query, what="activation code for user %r" % user)
        code = as_text(answer.get("code")) if isinstance(answer, dict) else None
        if not code:
            raise ValueError("activation code for user %r: the portal answered no code" % user)
        return code

    return {"changed": False, "code": issue(module, request_code), "user": user, "tenant": tenant}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, activation_code, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
