#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_setup
short_description: Set up a factory-fresh CTERA Edge Filer (first administrator, wizard off)
version_added: 0.2.0
description:
  - Creates the first administrator of a CTERA Edge Filer that has none yet (a filer fresh from the factory or
    after a reset), logs in as that administrator and switches the first-time wizard off.
  - On a filer that is already set up it creates nobody and changes no administrator (it says so in RV(msg)); it
    only switches the wizard off if it is still on, logged in with O(username) and O(password).
  - Talks to the filer before it has any user, so O(edge_username) and O(edge_password) are optional here; the
    administrator is O(username) and O(password), which default to them.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads whether the filer has an administrator and reports what a real run would do, writing nothing.
  diff_mode:
    support: full
    description: Shows the administrator created and the wizard switched off. The password is masked.
options:
  edge_username:
    description:
      - User name to connect with; the default of O(username). Optional for this module.
      - If not set then the value of the E(CTERA_EDGE_USERNAME) environment variable is used.
    type: str
    required: false
  edge_password:
    description:
      - Password to connect with; the default of O(password). Optional for this module.
      - If not set then the value of the E(CTERA_EDGE_PASSWORD) environment variable is used.
    type: str
    required: false
  username:
    description:
      - User name of the first administrator; O(edge_username) when not given. One of the two is required.
      - 1 to 64 letters, digits, C(.), C(_) or C(-).
    type: str
  password:
    description:
      - Password of the first administrator; O(edge_password) when not given. One of the two is required.
      - Used only to create the administrator and to log in; never changed on a filer that is already set up.
    type: str
  email:
    description: E-mail address of the first administrator (only used when creating it).
    type: str
seealso:
  - module: filefleet.office.edge_settings
  - module: filefleet.office.edge_user
'''

EXAMPLES = r'''
- name: The new filer gets its administrator (the connection options name it)
  filefleet.office.edge_setup:
    edge_url: https://192.0.2.41
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    email: it@example.com

- name: The same with the administrator named explicitly
  filefleet.office.edge_setup:
    edge_url: https://192.0.2.41
    username: admin
    password: "{{ vault_filer_password }}"
'''

RETURN = r'''
setup:
  description: The filer after the task (predicted in check mode). Never holds the password.
  returned: always
  type: dict
  sample: {initialized: true, username: admin, email: it@example.com, wizard: false}
  contains:
    initialized:
      description: Whether the filer has its first administrator.
      type: bool
    username:
      description: The administrator created, or the one the module logged in as on a filer already set up.
      type: str
    email:
      description: E-mail address given for the administrator created; null otherwise.
      type: str
    wizard:
      description: Whether the first-time wizard is on.
      type: bool
created:
  description: Whether this run created the first administrator (would create it, in check mode).
  returned: always
  type: bool
msg:
  description: What was done, for example that the filer was already set up and no administrator was changed.
  returned: always
  type: str
diff:
  description: Before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible.module_utils.basic import env_fallback

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import (
    WIZARD, SetupSession, check_username, read_wizard,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._http import AuthenticationError


def argument_spec():
    spec = edge_argument_spec()
    spec["edge_username"] = dict(type="str", required=False, fallback=(env_fallback, ["CTERA_EDGE_USERNAME"]))
    spec["edge_password"] = dict(type="str", required=False, no_log=True,
                                 fallback=(env_fallback, ["CTERA_EDGE_PASSWORD"]))
    spec.update(
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        email=dict(type="str"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


def administrator(params):
    """``(username, password)`` of the administrator, checked before any request."""
    username = params["username"] if params["username"] is not None else params["edge_username"]
    password = params["password"] if params["password"] is not None else params["edge_password"]
    if username is None:
        raise ValueError("username (or edge_username) is required: the first administrator's user name")
    if not password:
        raise ValueError("password (or edge_password) is required: the first administrator's password")
    check_username(username, "username")
    if params["email"] is not None and (not params["email"] or "@" not in params["email"]):
        raise ValueError("email must be an e-mail address, got %r" % params["email"])
    return username, password


class Setup(Resource):
    """``{initialized, username, email, wizard}``; the password is write-only (used on creation only)."""

    key = "setup"
    write_only = ("password",)

    def __init__(self, module, session, username, password):
        super(Setup, self).__init__(module, session)
        self.username = username
        self.password = password
        self.was_set_up = None

    def read(self):
        self.was_set_up = self.session.initialized()
        if not self.was_set_up:
            return None
        # Already set up: nobody is created; only the wizard is looked at, as this administrator.
        try:
            wizard = read_wizard(self.session)
        except AuthenticationError:
            raise ValueError("the Edge Filer %s is already set up, and %r cannot log in to it with the password "
                             "given: edge_setup never creates or changes an administrator on a filer that has one "
                             "(check username/password or edge_username/edge_password)"
                             % (self.session.hostname, self.username))
        return {"initialized": True, "username": self.username, "email": None, "wizard": wizard}

    def desired(self, current):
        if current is not None:
            return {"wizard": False}
        return {"initialized": True, "username": self.username, "email": self.params["email"], "password": self.password,
                "wizard": False}

    def create(self, desired, predicted):
        self.session.create_first_user(self.username, self.password, desired.get("email"))
        # As cterasdk's add_first_user: log in as the new administrator, then switch the wizard off.
        self.session.put(self.session.path(WIZARD), False, what="switch the first-time wizard off")
        return dict(predicted, wizard=read_wizard(self.session))

    def update(self, current, changes, predicted):
        self.session.put(self.session.path(WIZARD), False, what="switch the first-time wizard off")
        return dict(current, wizard=read_wizard(self.session))


def ensure_setup(module, scope):
    username, password = administrator(module.params)
    params = module.params
    session = SetupSession(params["edge_url"], username, password, validate_certs=params["validate_certs"],
                           ca_path=params.get("ca_path"), timeout=params.get("timeout") or 30)
    scope.opened.append(session)  # logged out at the end of the task (never shared: it may not be logged in)
    resource = Setup(module, session, username, password)
    result = ensure(resource)
    result["created"] = not resource.was_set_up
    if resource.was_set_up:
        result["msg"] = ("The filer was already set up: no administrator was created or changed%s"
                         % ("; the first-time wizard was switched off" if result["changed"] else ""))
    else:
        result["msg"] = "Created the first administrator %r and switched the first-time wizard off" % username
    return result


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_setup, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
