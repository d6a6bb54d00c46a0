#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_share_info
short_description: List or get shares of a CTERA Edge Filer
version_added: 0.1.0
description:
  - Reads the shares of a CTERA Edge Filer, all of them or one by name, in the shape M(filefleet.office.ctera_share)
    takes as options.
  - Never changes anything.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
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
    description: Get only this share (compared case-insensitively). Without it, every share is listed.
    type: str
'''

EXAMPLES = r'''
- name: Every share of a filer
  filefleet.office.ctera_share_info:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
  register: filer_shares

- name: One share
  filefleet.office.ctera_share_info:
    name: docs
  register: docs_share
'''

RETURN = r'''
shares:
  description:
    - The shares found (an empty list when O(name) does not exist), each with the keys of the C(share) that
      M(filefleet.office.ctera_share) returns.
  returned: always
  type: list
  elements: dict
  sample:
    - name: docs
      directory: cloud/users/docs
      access: winAclMode
      csc: manual
      export_to_nfs: false
      export_to_afp: false
      export_to_ftp: false
      indexed: false
      comment: null
      acl: []
      trusted_nfs_clients: []
count:
  description: Number of shares returned.
  returned: always
  type: int
firmware:
  description: Firmware version of the filer (firmware before 7.12.5400 adds C(dir_permissions), C(export_to_rsync)
    and C(export_to_pc_agent) to each share).
  returned: always
  type: str
  sample: 7.12.5600.3
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import ShareDirectory, as_text, share_view


def argument_spec():
    spec = edge_argument_spec()
    spec.update(name=dict(type="str"))
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name",))


def read_shares(module, scope):
    session = edge_session(scope, module.params)
    shares = ShareDirectory.of(session)
    if module.params["name"] is None:
        found = shares.shares()
    else:
        found = [share for share in [shares.find(module.params["name"])] if share is not None]
    views = [share_view(share, session.shares_v1) for share in found]
    return {"changed": False, "shares": views, "count": len(views), "firmware": as_text(session.firmware)}


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, read_shares, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
