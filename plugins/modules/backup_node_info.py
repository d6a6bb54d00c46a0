#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: backup_node_info
short_description: Read the backup nodes of Cloutility consumption units
version_added: 0.1.0
description:
  - Reads the IBM Storage Protect backup nodes of the consumption units of a Cloutility business unit, or of
    one consumption unit.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.cloutility
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
options:
  business_unit:
    description:
      - Business unit, by id or by the path of names from the API user's top business unit, for example
        V(Company AB/Marketing Department).
    type: raw
    required: true
  consumer:
    description:
      - Only the node of this consumption unit, by id or by name (compared exactly). A name that several
        consumption units share is an error that lists their ids. Without it, every node of the business unit is read.
    type: raw
  return_password:
    description:
      - Also return each node's Storage Protect password in C(tsm_password). The whole task result is then marked
        no_log, so it is hidden from the output; use the registered variable.
    type: bool
    default: false
seealso:
  - module: filefleet.office.backup_node
'''

EXAMPLES = r'''
- name: Read the node of Lisa's workstation
  filefleet.office.backup_node_info:
    business_unit: Company AB/Marketing Department
    consumer: LisasWS
  register: lisa

- name: Nodes of the marketing department that are not activated yet
  filefleet.office.backup_node_info:
    business_unit: 76
  register: marketing

- name: Show them
  ansible.builtin.debug:
    msg: "{{ marketing.nodes | rejectattr('activated') | map(attribute='consumer_name') | list }}"
'''

RETURN = r'''
nodes:
  description:
    - The backup nodes, by consumer id, with the fields M(filefleet.office.backup_node) returns. Consumption units
      without a node are left out.
    - C(last_access_time) is the node's last activity, when its backup client last contacted the Storage Protect
      server (null when the server reports none); C(registered_time) is when it was registered.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 1200
      consumer_id: 408
      consumer_name: JennysWS
      business_unit_id: 76
      business_unit: Company AB/Marketing Department
      operating_system: Windows
      node_type: Workstation
      domain: STANDARD
      client_option_set: DEDUP_AND_COMPRESS
      cpu_count: 4
      contact: Jenny
      activated: true
      node_name: JENNYSWS
      tsm_node_id: "70000"
      activated_date: "2023-07-09T15:12:01.412Z"
      registered_time: "2023-07-09T15:12:01.412Z"
      last_access_time: "2023-10-20T02:07:00Z"
      proxy_agents: []
      proxy_targets: []
      created_date: "2023-07-09T15:10:20.133Z"
business_unit:
  description: The business unit that was read.
  returned: always
  type: dict
  sample: {id: 76, name: Marketing Department, path: Company AB/Marketing Department}
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import cloutility_argument_spec, cloutility_session
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    blank, consumers_named, node_view, read_node,
)


def argument_spec():
    spec = cloutility_argument_spec()
    spec.update(
        business_unit=dict(type="raw", required=True),
        consumer=dict(type="raw"),
        return_password=dict(type="bool", default=False, no_log=False),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("business_unit", "consumer"), references=("business_unit", "consumer"))


def read_nodes(module, scope):
    params = module.params
    if params["consumer"] is not None and blank(params["consumer"]):
        raise ValueError("consumer must be the id or the name of a consumption unit")
    session = cloutility_session(scope, params)
    bunit = session.resolve_bunit(params["business_unit"])
    consumers = sorted(session.consumers(bunit["id"]), key=lambda c: c.get("id"))
    if params["consumer"] is not None:
        consumers = consumers_named(consumers, params["consumer"], bunit, hint="give the id")
    views = [node_view(read_node(session, bunit["id"], c["id"], include_deleted=True), c, bunit, return_password=params["return_password"])
             for c in consumers]
    return {"changed": False, "business_unit": bunit, "nodes": [view for view in views if view is not None]}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_nodes)


if __name__ == "__main__":
    main()
