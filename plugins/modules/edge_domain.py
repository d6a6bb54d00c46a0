#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_domain
short_description: Join a CTERA Edge Filer to an Active Directory domain, or leave it
version_added: 0.2.0
description:
  - Joins a CTERA Edge Filer to an Active Directory domain with the account of a domain administrator, or makes it
    leave its domain (back to the workgroup C(CTERA)).
  - A filer already joined to O(domain) is left as it is (the account and O(ou) are only used to join).
  - A filer joined to another domain is not moved; the task fails and says so. Leave the old domain first
    (O(state=left)).
  - A join the domain refuses (wrong account or password, unknown organizational unit) leaves the filer as it was;
    its SMB settings are put back.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the join status and reports what a real run would change, writing nothing. Whether the domain accepts
        the account is only known to a real run.
  diff_mode:
    support: full
    description: Shows the join state and domain before and after. Never the password.
options:
  state:
    description: V(joined) makes the filer a member of O(domain); V(left) makes it leave any domain.
    type: str
    choices: [joined, left]
    default: joined
  domain:
    description: DNS name of the domain, for example C(corp.example.com). Required with O(state=joined).
    type: str
  username:
    description:
      - Domain account allowed to join computers to the domain. Required with O(state=joined).
      - Used only to join; never stored on the filer or returned.
    type: str
  password:
    description: Password of O(username). Required with O(state=joined). Never logged or returned.
    type: str
  ou:
    description:
      - Organizational unit the filer's computer account is created in, for example
        C(OU=Stockholm,OU=Offices,DC=corp,DC=example,DC=com). The domain's default when not given.
      - Used only when joining.
    type: str
seealso:
  - module: filefleet.office.edge_group
  - module: filefleet.office.ctera_share
'''

EXAMPLES = r'''
- name: The filer is a member of the company domain
  filefleet.office.edge_domain:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    domain: corp.example.com
    username: join-account
    password: "{{ vault_domain_join_password }}"
    ou: OU=Stockholm,OU=Offices,DC=corp,DC=example,DC=com

- name: The filer leaves its domain
  filefleet.office.edge_domain:
    state: left
'''

RETURN = r'''
domain:
  description: The filer's domain membership after the task (predicted in check mode). Never holds a password.
  returned: always
  type: dict
  sample: {state: joined, domain: corp.example.com, workgroup: null}
  contains:
    state:
      description: C(joined) or C(left).
      type: str
    domain:
      description: The domain the filer is joined to; null when it is not.
      type: str
    workgroup:
      description: The workgroup of a filer that is not joined; null when joined.
      type: str
diff:
  description: Before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {state: left, domain: null}, after: {state: joined, domain: corp.example.com}}
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import (
    CIFS, CIFS_STATUS, DEFAULT_WORKGROUP, check_domain, read_cifs, read_domain,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        state=dict(type="str", choices=["joined", "left"], default="joined"),
        domain=dict(type="str"),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        ou=dict(type="str"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("username", "ou"),
                     required_if=[("state", "joined", ("domain", "username", "password"))])


def validate(params):
    if params["state"] == "joined":
        check_domain(params["domain"])
        if not params["username"].strip():
            raise ValueError("username must not be empty")
        if params["ou"] is not None and not params["ou"].strip():
            raise ValueError("ou must not be empty (leave it out for the domain's default)")


class Domain(Resource):
    """``{state, domain, workgroup}`` (``read_domain``)."""

    key = "domain"
    casefold_keys = ("domain",)

    def __init__(self, module, session):
        super(Domain, self).__init__(module, session)
        self.cifs = None

    def read(self):
        self.cifs = read_cifs(self.session)
        current = read_domain(self.session, self.cifs)
        wanted = self.params["domain"]
        if self.params["state"] == "joined" and current["state"] == "joined" and \
                current["domain"].casefold() != wanted.casefold():
            raise ValueError("the filer is joined to the domain %s, not %s; leave it first (state: left)"
                             % (current["domain"], wanted))
        return current

    def ready_view(self):
        # A factory-fresh filer is in the default workgroup (directoryservice.py disconnect()).
        return {"state": "left", "domain": None, "workgroup": DEFAULT_WORKGROUP}

    def desired(self, current):
        if self.params["state"] == "left":
            return {"state": "left", "domain": None}
        return {"state": "joined", "domain": self.params["domain"]}

    def predict(self, current, changes):
        after = dict(current)
        after.update(changes)
        if changes:
            after["workgroup"] = None if after["state"] == "joined" else DEFAULT_WORKGROUP
        return after

    def update(self, current, changes, predicted):
        if self.params["state"] == "left":
            self._put_cifs("workgroup", None, DEFAULT_WORKGROUP, "leave the domain %s" % current["domain"])
            return read_domain(self.session)
        self._join()
        return read_domain(self.session)

    def _put_cifs(self, kind, domain, workgroup, what):
        # As cterasdk's directoryservice.py: the whole SMB settings object back with type, domain and workgroup set.
        cifs = dict(self.cifs, type=kind, domain=domain, workgroup=workgroup)
        self.session.put(self.session.path(CIFS), cifs, what=what)

    def _join(self):
        params = self.params
        domain = params["domain"]
        self._put_cifs("domain", domain, None, "set the domain %s" % domain)
        param = {"username": params["username"], "password": params["password"]}
        if params["ou"] is not None:
            param["ouPath"] = params["ou"]
        try:
            self.session.execute(self.session.path(CIFS_STATUS), "joinDomain", param,
                                 what="join the domain %s as %s" % (domain, params["username"]))
        except ApiError:
            # The domain refused: the SMB settings go back to what they were, so the filer is as before the task.
            self.session.put(self.session.path(CIFS), self.cifs, what="restore the SMB settings after a failed join")
            raise


def ensure_domain(module, scope):
    validate(module.params)
    return ensure(Domain(module, edge_session(scope, module.params)))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_domain, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
