#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: cloutility_consumer_info
short_description: Read Cloutility consumption units
version_added: 0.1.0
description:
  - Lists the consumption units of a Cloutility business unit, all of them or those with a given name or id,
    with their details.
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
        V(Company AB/Marketing Department) (see M(filefleet.office.cloutility_consumer)).
    type: raw
    required: true
  name:
    description: Only consumption units with this name (compared exactly). Several may match.
    type: str
  id:
    description: Only the consumption unit with this id. None is returned when it does not exist.
    type: int
seealso:
  - module: filefleet.office.cloutility_consumer
'''

EXAMPLES = r'''
- name: Read every consumption unit of the marketing department
  filefleet.office.cloutility_consumer_info:
    business_unit: Company AB/Marketing Department
  register: marketing

- name: Show the ids of the consumption units named "Test"
  ansible.builtin.debug:
    msg: "{{ marketing.consumers | selectattr('name', 'equalto', 'Test') | map(attribute='id') | list }}"
'''

RETURN = r'''
consumers:
  description:
    - The matching consumption units, by id, with the fields M(filefleet.office.cloutility_consumer) returns.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 408
      name: JennysWS
      business_unit_id: 76
      business_unit: Company AB/Marketing Department
      note: Jenny's workstation.
      external_reference: null
      tags: []
      storage_limit_gb: 100.0
      allow_no_activity: false
      billing_start_date: "2023-06-09"
      billing_end_date: null
      data_source_type: SP Backup node
      data_source_state: Active
      created_date: "2023-07-09T15:10:20.133Z"
business_unit:
  description: The business unit that was read.
  returned: always
  type: dict
  sample: {id: 76, name: Marketing Department, path: Company AB/Marketing Department}
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import cloutility_argument_spec, cloutility_session
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import consumer_view
from ansible_collections.filefleet.office.plugins.module_utils._validate import MAX_ID


def argument_spec():
    spec = cloutility_argument_spec()
    spec.update(
        business_unit=dict(type="raw", required=True),
        name=dict(type="str"),
        id=dict(type="int"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, bounds={"id": (1, MAX_ID, "")}, names=("name", "business_unit"),
                     references=("business_unit",))


def read_consumers(module, scope):
    params = module.params
    session = cloutility_session(scope, params)
    bunit = session.resolve_bunit(params["business_unit"])
    bid = bunit["id"]
    if params["id"] is not None:
        found = session.get_consumer(bid, params["id"])
        full = [found] if found is not None and params["name"] in (None, found.get("name")) else []
    else:
        slim = [c for c in session.consumers(bid) if params["name"] in (None, c.get("name"))]
        full = [session.get_consumer(bid, c["id"], missing_ok=False) for c in sorted(slim, key=lambda c: c.get("id"))]
    return {"changed": False, "business_unit": bunit, "consumers": [consumer_view(c, bunit) for c in full]}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_consumers)


if __name__ == "__main__":
    main()
