#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_tenant
short_description: Manage tenants (team portals) of a CTERA Portal
version_added: 0.2.0
description:
  - Creates tenants of a CTERA Portal with their subscription plan, changes their display name, billing id,
    company, comment and plan, moves them to the trash can and brings them back from it.
  - Only the options you give are managed. An option you leave out is never changed on an existing tenant.
  - Needs a global administrator (O(portal_url) without C(/ServicesPortal)).
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the tenant and reports exactly what a real run would change, writing nothing.
      - A plan that does not exist yet is predicted as assigned, with a warning, as an earlier task of the same
        run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description: Shows the changed settings before and after.
options:
  name:
    description:
      - Name of the tenant, which is also the first label of its DNS name (C(name.portal.example.com)).
      - Lower-case letters, digits and C(-), at most 63 characters, not starting or ending with C(-).
    type: str
    required: true
  display_name:
    description: Display name. An empty string clears it.
    type: str
  billing_id:
    description: Billing id (external portal id). An empty string clears it.
    type: str
  company:
    description: Company name. An empty string clears it.
    type: str
  comment:
    description: Comment. An empty string clears it.
    type: str
  plan:
    description:
      - Name of the subscription plan of the tenant. It must exist (see M(filefleet.office.ctera_plan)).
      - A new tenant without O(plan) gets the portal's default plan.
    type: str
  state:
    description:
      - V(present) makes the tenant exist with the given settings, bringing it back from the trash can if it is
        there. V(absent) moves it to the trash can, from where V(present) can bring it back with its data.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The portal's API (and cterasdk) has no call to change the settings of an existing tenant; this module reads the
    tenant object and writes it back whole with the changed settings, as the SDK changes plans and folder groups.
    Whatever the portal answers, the tenant is read again afterwards; a portal that refuses that request, or
    accepts it without applying a setting, fails the task naming the setting (never a change reported that did
    not happen); such settings are then changed in the portal's global administration.
  - The plan is changed with the portal's C(subscribe) call.
seealso:
  - module: filefleet.office.ctera_plan
  - module: filefleet.office.ctera_tenant_info
'''

EXAMPLES = r'''
- name: The Stockholm tenant exists on the Gold plan
  filefleet.office.ctera_tenant:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    name: stockholm
    display_name: Stockholm office
    company: Example AB
    billing_id: SE-0042
    plan: Gold

- name: The old tenant is in the trash can
  filefleet.office.ctera_tenant:
    name: legacy
    state: absent
'''

RETURN = r'''
tenant:
  description: The tenant after the task (predicted in check mode); null when absent (or in the trash can).
  returned: always
  type: dict
  sample:
    name: stockholm
    display_name: Stockholm office
    billing_id: SE-0042
    company: Example AB
    comment: null
    plan: Gold
    deleted: false
  contains:
    name:
      description: Tenant name.
      type: str
    display_name:
      description: Display name, or null.
      type: str
    billing_id:
      description: Billing id, or null.
      type: str
    company:
      description: Company name, or null.
      type: str
    comment:
      description: Comment, or null.
      type: str
    plan:
      description: Name of the tenant's subscription plan.
      type: str
    deleted:
      description: Whether the tenant is in the trash can (always false for V(present)).
      type: bool
diff:
  description: Changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._portal import XML_LIBRARY, portal_argument_spec
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import (
    TENANT_FIELDS, TENANT_NAME_RE, change_tenant, global_session, plan_reference, read_tenant,
)


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        display_name=dict(type="str"),
        billing_id=dict(type="str", no_log=False),
        company=dict(type="str"),
        comment=dict(type="str"),
        plan=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("plan",))


def validate(params):
    name = params["name"]
    if not TENANT_NAME_RE.match(name or ""):
        raise ValueError("name %r is not a valid tenant name: lower-case letters, digits and '-', at most 63 "
                         "characters, not starting or ending with '-'" % name)
    if params["plan"] is not None and not params["plan"].strip():
        raise ValueError("plan must not be empty")
    return name


class Tenant(Resource):
    """A tenant: ``{name, display_name, billing_id, company, comment, plan, deleted}``."""

    key = "tenant"

    def __init__(self, module, session, name):
        super(Tenant, self).__init__(module, session)
        self.name = name
        self.plan_refs = {}

    def read(self):
        view = read_tenant(self.session, self.name)
        if view is not None and view["deleted"] and self.params["state"] == "absent":
            return None  # in the trash can is what absent asks for
        return view

    def desired(self, current):
        wanted = {"name": self.name, "deleted": False}
        for option, _attribute in TENANT_FIELDS:
            if self.params[option] is not None:
                wanted[option] = self.params[option] or None
        if self.params["plan"] is not None:
            wanted["plan"] = self.params["plan"].strip()
            if current is None or current.get("plan") != wanted["plan"]:
                self._plan_ref(wanted["plan"])
        return wanted

    def predict(self, current, changes):
        after = dict(current or dict((option, None) for option, _a in TENANT_FIELDS))
        after.update(changes)
        if after.get("plan") is None:
            after["plan"] = None
        return after

    def _plan_ref(self, plan):
        if plan not in self.plan_refs:
            ref = plan_reference(self.session, plan)
            if ref is None:
                self.expect_created_earlier("plan %r does not exist on the portal" % plan,
                                            "plan %r does not exist yet; a real run fails unless an earlier task "
                                            "creates it" % plan)
            self.plan_refs[plan] = ref
        return self.plan_refs[plan]

    def create(self, desired, predicted):
        param = {"_classname": "TeamPortal", "name": self.name}
        if desired.get("plan"):
            param["plan"] = self._plan_ref(desired["plan"])
        for option, attribute in TENANT_FIELDS:
            param[attribute] = desired.get(option)
        self.session.database(self.session.path("teamPortals"), "add", param, what="create tenant %r" % self.name)
        return read_tenant(self.session, self.name)

    def update(self, current, changes, predicted):
        if changes.get("deleted") is False:
            self.session.execute(self.session.path("teamPortals", self.name), "moveFromTrashcan",
                                 what="bring tenant %r back from the trash can" % self.name)
        fields = dict((option, changes[option]) for option, _attribute in TENANT_FIELDS if option in changes)
        if fields:
            change_tenant(self.session, self.name, fields)  # read back: fails if the portal did not apply them
        if "plan" in changes:
            self.session.execute(self.session.path("portals", self.name), "subscribe", changes["plan"],
                                 what="subscribe tenant %r to plan %r" % (self.name, changes["plan"]))
        return read_tenant(self.session, self.name)

    def delete(self, current):
        self.session.execute(self.session.path("teamPortals", self.name), "delete",
                             what="move tenant %r to the trash can" % self.name)


def ensure_tenant(module, scope):
    name = validate(module.params)
    return ensure(Tenant(module, global_session(scope, module.params), name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_tenant, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
