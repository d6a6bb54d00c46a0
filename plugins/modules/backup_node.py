#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_node
short_description: Manage the IBM Storage Protect backup node of a Cloutility consumption unit
version_added: 0.1.0
description:
  - Creates, changes, activates and deletes the backup node of a Cloutility consumption unit, and the node's
    proxy relations (proxy agents and proxy targets).
  - Only the options you give are managed. An option you leave out is never changed on an existing node.
  - Names of operating systems, node types, policy domains and client option sets are resolved to ids at run
    time; a name that is unknown or ambiguous is an error that lists what exists.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.cloutility
attributes:
  check_mode:
    support: full
    description:
      - Reads the node and reports exactly what a real run would change, writing nothing.
      - When the consumption unit does not exist yet (because an earlier task would create it), check mode
        predicts the node's creation and warns; so does a proxy agent or target named after a consumption unit
        that does not exist yet. A real run fails for either.
  diff_mode:
    support: full
    description:
      - Shows the changed fields before and after; a created node whole after, a deleted node whole before.
      - The node password never appears; with O(return_password=true) it shows as C(********).
options:
  business_unit:
    description:
      - Business unit of the consumption unit, by id or by the path of names from the API user's top business
        unit, for example V(Company AB/Marketing Department) (see M(filefleet.office.cloutility_consumer)).
    type: raw
    required: true
  consumer:
    description:
      - The consumption unit the node belongs to, by id or by name (compared exactly). A name that several
        consumption units of the business unit share is an error that lists their ids.
      - A string made only of digits is taken as an id.
      - The consumption unit must exist; create it with M(filefleet.office.cloutility_consumer).
    type: raw
    required: true
  operating_system:
    description: Operating system of the node, by name (for example V(Linux), case-insensitive) or id. Required to create a node.
    type: raw
  node_type:
    description:
      - Node type, by name (for example V(File Server), case-insensitive) or id. Required to create a node.
      - The type must be supported by the operating system.
    type: raw
  domain:
    description: Policy domain on the business unit's backup server, by name (for example V(STANDARD)) or id. Required to create a node.
    type: raw
  client_option_set:
    description:
      - Client option set on the business unit's backup server, by name (for example V(DEDUP_AND_COMPRESS)) or id.
        Required to create a node (Cloutility offers an option set named V(None)).
    type: raw
  cpu_count:
    description: Number of processors (licensing information), from 0 to 65535.
    type: int
  contact:
    description: Contact information. An empty string clears it.
    type: str
  proxy_agents:
    description:
      - Consumption units whose nodes may act as proxy agents of this node (restore its data, for example),
        by name (in O(business_unit)) or id. Compared as a set; the list replaces the current agents.
      - Proxy relations need activated nodes on both sides, so they require O(state=activated) unless the
        node is activated already.
    type: list
    elements: raw
  proxy_targets:
    description:
      - Consumption units whose nodes this node may act for as a proxy agent, by name (in O(business_unit)) or id.
        Compared as a set; the list replaces the current targets. Same conditions as O(proxy_agents).
    type: list
    elements: raw
  state:
    description:
      - V(present) makes the node exist with the given settings (it is not activated, and an activated node stays activated).
      - V(activated) also registers the node on the IBM Storage Protect server as O(node_name). A node activated
        under another name is an error; renaming is not possible through the API.
      - V(absent) deletes the node. B(This also deletes the consumption unit), as Cloutility does; on the
        IBM Storage Protect server the node is handled by the business unit's node deletion rule.
      - Deletion is asynchronous. An accepted deletion counts as done (RV(deletion_state)), and a node marked for
        deletion (decommissioned) counts as absent. Storage Protect locks or decommissions a deleted node and keeps
        its name until its retention ends, so activating another node under that name fails until then.
    type: str
    choices: [present, activated, absent]
    default: present
  node_name:
    description:
      - Name of the node on the IBM Storage Protect server, required with O(state=activated).
      - 1 to 64 characters of C(A-Z a-z 0-9 _ . - + &). Storage Protect folds names to upper case, so the
        comparison ignores case and the returned name is upper case.
    type: str
  return_password:
    description:
      - Return the node's Storage Protect password (as set at activation) in RV(node.tsm_password).
      - The whole task result is then marked no_log, so it is hidden from the output; use the registered variable.
      - The stored password goes stale once the client changes it (C(PASSWORDACCESS GENERATE)).
    type: bool
    default: false
  delete_associations:
    description: With O(state=absent), also delete the node's schedule associations on the Storage Protect server.
    type: bool
    default: true
  deletion_comment:
    description: With O(state=absent), a comment recorded in the audit log of the deletion.
    type: str
  wait_timeout:
    description: Seconds to wait for an activation to show in Cloutility (deletions are not waited for).
    type: int
    default: 300
notes:
  - Activation and creation are never retried blindly. When either fails, the node is read back; a node that
    does not exist after a 502, 503, 504 or a lost connection is created again, and an activation is sent again
    only while the node does not show it. A refused activation (for example a node name already registered on
    the Storage Protect server) is reported with the server's message.
seealso:
  - module: filefleet.office.cloutility_consumer
  - module: filefleet.office.backup_node_info
'''

EXAMPLES = r'''
- name: Lisa's workstation has an activated Windows workstation node
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    operating_system: Windows
    node_type: Workstation
    domain: STANDARD
    client_option_set: DEDUP_AND_COMPRESS
    cpu_count: 4
    contact: lisa@example.com
    state: activated
    node_name: LISASWS

- name: Read the initial node password to configure the backup client
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    state: activated
    node_name: LISASWS
    return_password: true
  register: lisa_node
  no_log: true

- name: The file server may restore Lisa's data
  filefleet.office.backup_node:
    business_unit: 76
    consumer: LisasWS
    proxy_agents: [FS01]

- name: The node and its consumption unit are gone
  filefleet.office.backup_node:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
    state: absent
    deletion_comment: Laptop returned
'''

RETURN = r'''
node:
  description: The backup node after the task (predicted in check mode). Null when there is none.
  returned: always
  type: dict
  sample:
    id: 1201
    consumer_id: 409
    consumer_name: LisasWS
    business_unit_id: 76
    business_unit: Company AB/Marketing Department
    operating_system: Windows
    node_type: Workstation
    domain: STANDARD
    client_option_set: DEDUP_AND_COMPRESS
    cpu_count: 4
    contact: lisa@example.com
    activated: true
    node_name: LISASWS
    tsm_node_id: "70001"
    activated_date: "2025-03-01T08:14:02.310Z"
    proxy_agents: [{consumer_id: 410, name: FS01, node_name: FS01}]
    proxy_targets: []
    created_date: "2025-03-01T08:13:40.002Z"
  contains:
    id:
      description: Id of the node (null for a node only predicted in check mode).
      type: int
    consumer_id:
      description: Id of the consumption unit.
      type: int
    consumer_name:
      description: Name of the consumption unit.
      type: str
    business_unit_id:
      description: Id of the business unit.
      type: int
    business_unit:
      description: Path of the business unit.
      type: str
    operating_system:
      description: Operating system name.
      type: str
    node_type:
      description: Node type name.
      type: str
    domain:
      description: Policy domain name.
      type: str
    client_option_set:
      description: Client option set name, or null.
      type: str
    cpu_count:
      description: Number of processors.
      type: int
    contact:
      description: Contact information, or null.
      type: str
    activated:
      description: Whether the node is registered on the Storage Protect server.
      type: bool
    node_name:
      description: Node name on the Storage Protect server (upper case), or null before activation.
      type: str
    tsm_node_id:
      description: Storage Protect id of the node, or null before activation.
      type: str
    activated_date:
      description: When the node was activated, or null.
      type: str
    registered_time:
      description: When the node was registered on the Storage Protect server, or null.
      type: str
    last_access_time:
      description: When the node's backup client last contacted the Storage Protect server (its last activity), or null
        when the server reports none.
      type: str
    proxy_agents:
      description: Proxy agents (consumer_id, name, node_name), sorted by consumer id.
      type: list
      elements: dict
    proxy_targets:
      description: Proxy targets (consumer_id, name, node_name), sorted by consumer id.
      type: list
      elements: dict
    created_date:
      description: When the node was created.
      type: str
    decommissioned:
      description: Whether the node is decommissioned (on its way out after a deletion).
      type: bool
    tsm_password:
      description: The node's Storage Protect password. Only with O(return_password=true); the result is then no_log.
      type: str
      returned: when O(return_password=true)
deletion_state:
  description:
    - After a deletion, V(deleted) when Cloutility no longer shows the consumption unit, V(pending) while it is
      still shown (marked for deletion, the Storage Protect delete process still running).
  returned: when deleted (not in check mode)
  type: str
  sample: deleted
diff:
  description:
    - Changed fields before and after. Only with C(--diff). On creation C(before) is empty and C(after) the whole
      predicted node; on deletion C(before) is the whole node and C(after) empty.
    - Never holds the password (masked as C(********)).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import (
    cloutility_argument_spec, cloutility_session, validate_node_name,
)
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    NODE_PROXIES, NODE_REFERENCES, NodePlan, blank, consumers_named, delete_consumer, deletion_state, live, node_view,
)


def argument_spec():
    spec = cloutility_argument_spec()
    spec.update(
        business_unit=dict(type="raw", required=True),
        consumer=dict(type="raw", required=True),
        operating_system=dict(type="raw"),
        node_type=dict(type="raw"),
        domain=dict(type="raw"),
        client_option_set=dict(type="raw"),
        cpu_count=dict(type="int"),
        contact=dict(type="str"),
        proxy_agents=dict(type="list", elements="raw"),
        proxy_targets=dict(type="list", elements="raw"),
        state=dict(type="str", choices=["present", "activated", "absent"], default="present"),
        node_name=dict(type="str"),
        return_password=dict(type="bool", default=False, no_log=False),
        delete_associations=dict(type="bool", default=True),
        deletion_comment=dict(type="str"),
        wait_timeout=dict(type="int", default=300),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, required_if=[("state", "activated", ("node_name",))],
                     bounds={"cpu_count": (0, 65535, "")},
                     names=("business_unit", "consumer", "operating_system", "node_type", "domain", "client_option_set"),
                     references=("business_unit", "consumer", "operating_system", "node_type", "domain", "client_option_set",
                                 "proxy_agents[]", "proxy_targets[]"))


def validate(params):
    """Reject bad input before any request; returns the upper-cased node name (or None)."""
    if blank(params["consumer"]):
        raise ValueError("consumer must be the id or the name of a consumption unit")
    for option, _wire, _resolver in NODE_REFERENCES:
        if params[option] is not None and blank(params[option]):
            raise ValueError("%s must be a name or an id" % option)
    if params["cpu_count"] is not None and params["cpu_count"] < 0:
        raise ValueError("cpu_count must be 0 or more, got %d" % params["cpu_count"])
    for option, _wire, _path, _query in NODE_PROXIES:
        if params[option] is not None and any(blank(v) for v in params[option]):
            raise ValueError("%s must hold names or ids of consumption units, not empty values" % option)
    if params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds")
    if params["node_name"] is not None and params["state"] != "activated":
        raise ValueError("node_name is only used with state=activated (state is %s)" % params["state"])
    return validate_node_name(params["node_name"]) if params["state"] == "activated" else None


class Node(Resource):
    """The backup node of a consumption unit, viewed by ``node_view``. Activation is part of create and update
    (``activated``/``node_name`` in the desired view); ``finish`` waits for it (``write`` already did when proxy
    relations follow, as they need the activated node) and for a deletion."""

    key = "node"
    secret_keys = ("tsm_password",)
    casefold_keys = ("node_name",)

    def __init__(self, module, session, bunit, node_name):
        super(Node, self).__init__(module, session)
        self.bunit, self.node_name = bunit, node_name
        consumers = session.consumers(bunit["id"])
        found = consumers_named(live(consumers), self.params["consumer"], bunit)  # marked for deletion: absent
        self.consumer = found[0] if found else None
        self.plan = NodePlan(session, bunit, consumers, self.consumer, self.params["wait_timeout"])
        self.deletion_state = None

    def reread(self):
        """The node as Cloutility has it now (another run may have created it since it was read); planned again."""
        self.plan.refs, self.plan.steps = {}, []
        return self.read()

    def view(self, node):
        return node_view(node, self.consumer, self.bunit, return_password=self.params["return_password"])

    def read(self):
        if self.consumer is not None:
            return self.view(self.plan.read())
        if self.params["state"] != "absent":
            where = (self.params["consumer"], self.bunit["path"])
            self.expect_created_earlier(
                "consumer=%r: business unit %r has no such consumption unit; create it first with "
                "filefleet.office.cloutility_consumer" % where,
                "consumption unit %r does not exist in business unit %r; check mode assumes an earlier task creates it" % where)
        return None

    def desired(self, current):
        return self.plan.desired(self.params, self.node_name, self.expect_created_earlier)

    def forced(self, current, desired):
        return dict((option, desired[option]) for option in self.plan.refs)  # a reference by id whose name stays

    def check_create(self, desired):
        missing = [option for option, _wire, _resolver in NODE_REFERENCES if option not in desired]
        if missing and self.consumer is not None:
            raise ValueError("consumer %r has no backup node; to create one give %s"
                             % (self.params["consumer"], ", ".join(missing)))

    def predict(self, current, changes):
        return super(Node, self).predict(current or self.view({"consumer": self.consumer or {"name": self.params["consumer"]}}),
                                         changes)

    def create(self, desired, predicted):
        self.plan.write(desired)

    def update(self, current, changes, predicted):
        self.plan.write(changes)

    def delete(self, current):
        delete_consumer(self.session, self.bunit["id"], self.consumer, self.params, node=True)

    def finish(self, after, changed):
        if changed and after is None:
            self.deletion_state = deletion_state(self.session, self.bunit["id"], self.consumer)
        return self.view(self.plan.settle()) if changed and after is not None else after


def ensure_node(module, scope):
    node_name = validate(module.params)
    session = cloutility_session(scope, module.params)
    bunit = session.resolve_bunit(module.params["business_unit"])
    node = Node(module, session, bunit, node_name)
    result = ensure(node, module.params["state"])
    if node.deletion_state:
        result["deletion_state"] = node.deletion_state
    return result


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_node)


if __name__ == "__main__":
    main()
