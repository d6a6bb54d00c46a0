#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_user
short_description: Manage local users of a CTERA Edge Filer
version_added: 0.2.0
description:
  - Creates, updates and deletes local users of a CTERA Edge Filer.
  - Only the options you give are managed. An option you leave out is never changed on an existing user.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the user and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed fields before and after; a password only as a masked marker.
options:
  name:
    description: User name, 1 to 64 letters, digits, C(.), C(_) or C(-) (not starting with C(.) or C(-)).
    type: str
    required: true
  password:
    description:
      - Password. Required to create a user. The filer never returns it, so it is applied as O(update_password) says.
    type: str
  update_password:
    description:
      - V(on_create) sets the password only when the user is created; V(always) sets it on every run (the task
        then always reports a change, since the filer cannot tell whether it differs).
    type: str
    choices: [on_create, always]
    default: on_create
  full_name:
    description: Full name. An empty string clears it.
    type: str
  email:
    description: E-mail address. An empty string clears it.
    type: str
  uid:
    description: Numeric user id (1 to 65533) used for NFS; the filer picks a free one when a user is created without it.
    type: int
  state:
    description:
      - V(present) makes the user exist with the given settings; V(absent) deletes it (and removes it from its
        groups).
      - The user the task connects as (O(edge_username)) cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: filefleet.office.edge_group
  - module: filefleet.office.edge_setup
'''

EXAMPLES = r'''
- name: A local service account on the filer
  filefleet.office.edge_user:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    name: scanner
    full_name: Office scanner
    email: scanner@example.com
    password: "{{ vault_scanner_password }}"
    uid: 1500

- name: Rotate its password on every run
  filefleet.office.edge_user:
    name: scanner
    password: "{{ vault_scanner_password }}"
    update_password: always

- name: The user is gone
  filefleet.office.edge_user:
    name: temp-contractor
    state: absent
'''

RETURN = r'''
user:
  description: The user after the task (predicted in check mode); null when absent. Never holds the password.
  returned: always
  type: dict
  sample: {name: scanner, full_name: Office scanner, email: scanner@example.com, uid: 1500}
  contains:
    name:
      description: User name.
      type: str
    full_name:
      description: Full name, or null.
      type: str
    email:
      description: E-mail address, or null.
      type: str
    uid:
      description: Numeric user id (null in check mode for a user the filer has not created yet without O(uid)).
      type: int
diff:
  description: Changed fields before and after. Only with C(--diff). A password shows as a masked marker.
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import USERS, check_username, user_view
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure

FIELDS = {"full_name": "fullName", "email": "email", "uid": "uid", "password": "password"}


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        full_name=dict(type="str"),
        email=dict(type="str"),
        uid=dict(type="int"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, bounds={"uid": (1, 65533, "")})


def validate(params):
    check_username(params["name"])
    if params["email"] and "@" not in params["email"]:
        raise ValueError("email must be an e-mail address (or an empty string to clear it), got %r" % params["email"])
    if params["password"] is not None and not params["password"]:
        raise ValueError("password must not be empty")
    if params["state"] == "absent" and params["name"] == params["edge_username"]:
        raise ValueError("name %r is the user this task connects as (edge_username); it cannot delete itself"
                         % params["name"])


class User(Resource):
    """A local user: ``{name, full_name, email, uid}``, the password write-only."""

    key = "user"
    write_only = ("password",)

    def __init__(self, module, session):
        super(User, self).__init__(module, session)
        self.name = self.params["name"]
        self.path = session.path(USERS, self.name)

    def read(self):
        user = self.session.get(self.path, what="read the local user %r" % self.name, missing_ok=True)
        return user_view(user) if isinstance(user, dict) and user.get("username") else None

    def desired(self, current):
        wanted = {"name": self.name}
        for key in ("full_name", "email"):
            if self.params[key] is not None:
                wanted[key] = self.params[key] or None
        if self.params["uid"] is not None:
            wanted["uid"] = self.params["uid"]
        if current is None and self.params["password"] is not None:
            wanted["password"] = self.params["password"]
        return wanted

    def check_create(self, desired):
        if "password" not in desired:
            raise ValueError("password is required to create the local user %r" % self.name)

    def forced(self, current, desired):
        if current is not None and self.params["update_password"] == "always" and self.params["password"] is not None:
            return {"password": self.params["password"]}
        return {}

    def predict(self, current, changes):
        after = dict(current or {"name": self.name, "full_name": None, "email": None, "uid": None})
        after.update(changes)
        return after

    def create(self, desired, predicted):
        # As cterasdk's users.add: db/add with the five fields (null for the ones not given).
        param = {"username": self.name, "password": desired["password"], "fullName": desired.get("full_name"),
                 "email": desired.get("email"), "uid": desired.get("uid")}
        self.session.database(self.session.path(USERS), "add", param, what="create the local user %r" % self.name)
        return dict(predicted, **self.read())

    def update(self, current, changes, predicted):
        # As cterasdk's users.modify: the whole user, read and sent back with the changed fields.
        user = self.session.get(self.path, what="read the local user %r" % self.name)
        for key, value in changes.items():
            user[FIELDS[key]] = value
        if "password" not in changes:
            user["password"] = None
        self.session.put(self.path, user, what="update the local user %r" % self.name)
        return self.read()

    def delete(self, current):
        self.session.delete(self.path, what="delete the local user %r" % self.name)


def ensure_user(module, scope):
    validate(module.params)
    return ensure(User(module, edge_session(scope, module.params)), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_user, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
