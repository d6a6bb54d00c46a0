#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_plan
short_description: Manage subscription plans of a CTERA Portal
version_added: 0.2.0
description:
  - Creates, changes and deletes subscription plans, with the services they enable, the retention of versions and the
    quotas of the items they include.
  - Only the options you give are managed, down to each key of O(services), O(retention) and O(quotas); a key you
    leave out keeps its value.
  - Needs a global administrator (O(portal_url) without C(/ServicesPortal)). A change is applied to the tenants
    on the plan at once (the portal's "apply provisioning changes"), as cterasdk does.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the plan and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed services, retention and quotas before and after.
options:
  name:
    description: Name of the plan.
    type: str
    required: true
  services:
    description: State of each service the plan includes.
    type: dict
    suboptions:
      cloud_drive:
        description: Cloud folders (V(connect) is the Cloud Drive Connect edition).
        type: str
        choices: [enabled, disabled, connect]
      cloud_backup:
        description: Cloud backup.
        type: str
        choices: [enabled, disabled]
      seeding:
        description: Seeding.
        type: str
        choices: [enabled, disabled]
      remote_access:
        description: Remote access.
        type: str
        choices: [enabled, disabled]
  retention:
    description: How many versions of each age are kept, and for how many days deleted files are kept; each from 0 to 2147483647.
    type: dict
    suboptions:
      all:
        description: Keep all versions for this many hours.
        type: int
      hourly:
        description: Hourly versions.
        type: int
      daily:
        description: Daily versions.
        type: int
      weekly:
        description: Weekly versions.
        type: int
      monthly:
        description: Monthly versions.
        type: int
      quarterly:
        description: Quarterly versions.
        type: int
      yearly:
        description: Yearly versions.
        type: int
      deleted:
        description: Days a deleted file stays in the recycle bin.
        type: int
  quotas:
    description: How many of each item the plan includes, and its storage. Every amount is from 0 to 2147483647.
    type: dict
    suboptions:
      ev4:
        description: Edge Filers EV4.
        type: int
      ev8:
        description: Edge Filers EV8.
        type: int
      ev16:
        description: Edge Filers EV16.
        type: int
      ev32:
        description: Edge Filers EV32.
        type: int
      ev64:
        description: Edge Filers EV64.
        type: int
      ev128:
        description: Edge Filers EV128.
        type: int
      workstation_agents:
        description: Workstation backup agents.
        type: int
      server_agents:
        description: Server backup agents.
        type: int
      cloud_drives:
        description: Cloud Drive users.
        type: int
      cloud_drives_lite:
        description: Cloud Drive Connect users.
        type: int
      storage_gb:
        description: Storage, in GiB.
        type: int
  state:
    description: V(present) makes the plan exist with the given settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The portal refuses to delete a plan that tenants are subscribed to.
seealso:
  - module: filefleet.office.ctera_tenant
'''

EXAMPLES = r'''
- name: The Gold plan
  filefleet.office.ctera_plan:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    name: Gold
    services:
      cloud_drive: enabled
      cloud_backup: disabled
    retention:
      daily: 14
      deleted: 60
    quotas:
      ev16: 2
      cloud_drives: 50
      storage_gb: 2048
'''

RETURN = r'''
plan:
  description: The plan after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: Gold
    services: {cloud_drive: enabled, cloud_backup: disabled, seeding: enabled, remote_access: enabled}
    retention: {all: 24, hourly: 24, daily: 14, weekly: 4, monthly: 12, quarterly: 0, yearly: 0, deleted: 60}
    quotas: {ev4: 0, ev8: 0, ev16: 2, ev32: 0, ev64: 0, ev128: 0, workstation_agents: 0, server_agents: 0,
             cloud_drives: 50, cloud_drives_lite: 0, storage_gb: 2048}
  contains:
    name:
      description: Plan name.
      type: str
    services:
      description: State of each service (V(enabled), V(disabled), V(connect)).
      type: dict
    retention:
      description: The retention policy, with the keys of O(retention).
      type: dict
    quotas:
      description: The quotas, with the keys of O(quotas).
      type: dict
diff:
  description: Changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._portal import XML_LIBRARY, portal_argument_spec
from ansible_collections.filefleet.office.plugins.module_utils._portal_tenancy import (
    PLAN_QUOTAS, PLAN_RETENTION, PLAN_SERVICES, apply_plan, global_session, plan_view, read_plan, wait_for_task,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import portal_name
from ansible_collections.filefleet.office.plugins.module_utils._validate import MAX_ID, number_text


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        services=dict(type="dict", options=dict(
            (option, dict(type="str", choices=["enabled", "disabled", "connect"] if option == "cloud_drive"
                          else ["enabled", "disabled"])) for option, _wire in PLAN_SERVICES)),
        retention=dict(type="dict", options=dict((option, dict(type="int")) for option, _wire in PLAN_RETENTION)),
        quotas=dict(type="dict", options=dict((option, dict(type="int")) for option, _wire in PLAN_QUOTAS)),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name",))


def validate(params):
    name = portal_name(params["name"], "plan")
    for group in ("retention", "quotas"):
        for key, value in sorted((params[group] or {}).items()):
            # The portal keeps these amounts as 32-bit integers: 1e300 days or drives is a typo, never written.
            if value is not None and not 0 <= value <= MAX_ID:
                raise ValueError("%s.%s must be 0 or more and at most %d, got %s" % (group, key, MAX_ID, number_text(value)))
    return name


class Plan(Resource):
    """A subscription plan: ``{name, services, retention, quotas}`` (each a dict keyed by option)."""

    key = "plan"

    def __init__(self, module, session, name):
        super(Plan, self).__init__(module, session)
        self.name = name
        self.path = session.path("plans", name)
        self.template = None

    def read(self):
        return read_plan(self.session, self.name)

    def _template(self):
        """The portal's default plan (``GET /defaults/Plan``), what plans.add starts from."""
        if self.template is None:
            self.template = self.session.get(self.session.path("defaults", "Plan"), what="read the default plan")
            if not isinstance(self.template, dict):
                raise ValueError("read the default plan: the portal answered no Plan object")
        return self.template

    def desired(self, current):
        wanted = {"name": self.name}
        base = current
        if current is None:  # a new plan starts from the defaults: predict them too
            base = plan_view(dict(self._template(), name=self.name))
        for group in ("services", "retention", "quotas"):
            given = dict((k, v) for k, v in (self.params[group] or {}).items() if v is not None)
            if given or current is None:
                merged = dict(base.get(group) or {})
                merged.update(given)
                wanted[group] = merged
        return wanted

    def create(self, desired, predicted):
        plan = dict(self._template(), name=self.name)
        self.session.database(self.session.path("plans"), "add", apply_plan(plan, desired),
                              what="create plan %r" % self.name)
        return read_plan(self.session, self.name)

    def update(self, current, changes, predicted):
        plan = self.session.get(self.path, what="read plan %r" % self.name)
        if not isinstance(plan, dict):
            raise ValueError("read plan %r: the portal answered no Plan object" % self.name)
        self.session.put(self.path, apply_plan(plan, changes), what="change plan %r" % self.name)
        task = self.session.execute(self.session.path(), "updatePortals",
                                    {"objectId": None, "type": "portals"},
                                    what="apply provisioning changes of plan %r" % self.name)
        wait_for_task(self.session, task, "apply provisioning changes of plan %r" % self.name)
        return read_plan(self.session, self.name)

    def delete(self, current):
        self.session.delete(self.path, what="delete plan %r" % self.name)


def ensure_plan(module, scope):
    name = validate(module.params)
    return ensure(Plan(module, global_session(scope, module.params), name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_plan, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
