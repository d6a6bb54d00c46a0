#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_user
short_description: Manage local users of a CTERA Portal tenant
version_added: 0.1.0
description:
  - Creates, updates and deletes local users of a CTERA Portal tenant, and their membership of local groups.
  - Only the options you give are managed. An option you leave out is never changed on an existing user.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the user and reports exactly what a real run would change, writing nothing.
      - A group in O(groups) that does not exist yet is predicted as joined, with a warning, as an earlier task of
        the same run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description:
      - Shows the changed attributes before and after (the whole user when it is created or deleted).
      - The password is only ever shown masked.
options:
  name:
    description:
      - User name. One of O(name) or O(users) is required.
      - Names are not trimmed; a name with leading or trailing whitespace (C(" bob ")) is refused, as are C(/), backslash, C(#), C(?), C(%),
        control characters and the names C(.) and C(..).
    type: str
  concurrency:
    description:
      - With O(users), how many requests may be in flight at once when users are created, changed or deleted
        (each on its own connection, all sharing the task's one login). V(1) processes the entries one by one.
      - From 1 to 16.
    type: int
    default: 4
  users:
    description:
      - Many users in one task, the fast way to onboard a whole office (one request per user that needs a change,
        after one paged listing of the tenant's users).
      - Each entry takes the per-user options below; O(update_password), O(append_groups), O(tenant) and O(state)
        of the task apply to every entry (an entry's own O(users[].state) wins).
      - Every entry is validated before the first request. If a request fails, the other entries are still
        processed and the task fails naming the first failing entry; a rerun converges the rest.
    type: list
    elements: dict
    suboptions:
      name:
        description: User name.
        type: str
        required: true
      email:
        description: See O(email).
        type: str
      first_name:
        description: See O(first_name).
        type: str
      last_name:
        description: See O(last_name).
        type: str
      password:
        description: See O(password).
        type: str
      role:
        description: See O(role).
        type: str
      company:
        description: See O(company).
        type: str
      comment:
        description: See O(comment).
        type: str
      password_change:
        description: See O(password_change).
        type: raw
      groups:
        description: See O(groups).
        type: list
        elements: str
      append_groups:
        description: See O(append_groups); defaults to the task's O(append_groups).
        type: bool
      update_password:
        description: See O(update_password); defaults to the task's O(update_password).
        type: str
        choices: [on_create, always]
      state:
        description: See O(state); defaults to the task's O(state).
        type: str
        choices: [present, absent]
  email:
    description: E-mail address. Required to create a user.
    type: str
  first_name:
    description: First name. Required to create a user.
    type: str
  last_name:
    description: Last name. Required to create a user.
    type: str
  password:
    description:
      - Password. Required to create a user. Write-only on the portal, so it is applied as O(update_password) says.
    type: str
  update_password:
    description:
      - V(on_create) sets O(password) only when the user is created, so a converged run reports no change.
      - V(always) sets O(password) on every run; such a task always reports a change, since the portal never reveals
        the current password to compare with.
    type: str
    choices: [on_create, always]
    default: on_create
  role:
    description:
      - Portal role, case-insensitive. New users get V(EndUser) when not given.
      - One of V(Disabled), V(EndUser), V(ReadWriteAdmin), V(ReadOnlyAdmin), V(Support), V(ComplianceOfficer).
      - V(ComplianceOfficer) is sent as the portal's API client spells it, C(ComplianceOffer); the portal may answer
        either spelling, and both read as V(ComplianceOfficer) (C(ComplianceOffer) is also accepted here).
    type: str
  company:
    description: Company. An empty string clears it.
    type: str
  comment:
    description: Comment. An empty string clears it.
    type: str
  password_change:
    description:
      - Require the user to change the password.
      - V(true) requires a change at the next login (an already due requirement is kept as it is).
      - A number V(N) requires a change within N days (an existing earlier due date is kept).
      - A date C(YYYY-MM-DD) requires a change on that date. V(false) removes the requirement.
    type: raw
  groups:
    description:
      - Local groups of the tenant the user belongs to, compared case-insensitively.
      - The user is removed from local groups not listed, unless O(append_groups=true).
      - The groups must exist.
    type: list
    elements: str
  append_groups:
    description: Only add the user to O(groups); never remove it from other groups.
    type: bool
    default: false
  tenant:
    description:
      - Tenant (team portal) to act in, for a global administrator. Not needed when signed in to the tenant itself.
      - A global administrator who gives no tenant acts in the tenant the session is browsing, and fails if none.
    type: str
  state:
    description: V(present) makes the user exist with the given settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The portal keeps its own copy of user data on CTERA Edge Filers; the portal pushes changes itself.
seealso:
  - module: filefleet.office.ctera_user_info
'''

EXAMPLES = r'''
- name: Alice exists as a tenant administrator of the Stockholm office
  filefleet.office.ctera_user:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: stockholm
    name: alice
    email: alice@example.com
    first_name: Alice
    last_name: Andersson
    password: "{{ vault_initial_password }}"
    role: ReadWriteAdmin
    groups: [office-admins]
    password_change: true

- name: Only move Bob to another company; nothing else about him changes
  filefleet.office.ctera_user:
    tenant: stockholm
    name: bob
    company: Filefleet AB

- name: Many users with one login, connection options from module_defaults
  module_defaults:
    group/filefleet.office.ctera_portal:
      portal_url: https://portal.example.com
      portal_username: admin
      portal_password: "{{ vault_portal_password }}"
  filefleet.office.ctera_user:
    tenant: stockholm
    name: "{{ item.name }}"
    email: "{{ item.email }}"
    first_name: "{{ item.first }}"
    last_name: "{{ item.last }}"
    password: "{{ item.password }}"
  loop: "{{ office_users }}"
  loop_control:
    label: "{{ item.name }}"

- name: A whole office in one task (validated as a whole before anything is written)
  filefleet.office.ctera_user:
    tenant: stockholm
    users: "{{ office_users }}"
  no_log: true  # the entries hold initial passwords

- name: Carol is gone
  filefleet.office.ctera_user:
    tenant: stockholm
    name: carol
    state: absent
'''

RETURN = r'''
users:
  description: With O(users), each user after the task in the same order (an absent user as C({name, absent=true})).
  returned: when O(users) was given
  type: list
  elements: dict
changed_users:
  description: With O(users), the names of the entries that changed (or would change, in check mode).
  returned: when O(users) was given
  type: list
  elements: str
user:
  description: The user after the task (predicted in check mode); absent users give null. Never holds a password.
  returned: when O(name) was given
  type: dict
  sample:
    name: alice
    email: alice@example.com
    first_name: Alice
    last_name: Andersson
    role: ReadWriteAdmin
    company: null
    comment: null
    password_change: "2026-11-21"
    groups: [office-admins]
    uid: 1021
    tenant: stockholm
  contains:
    name:
      description: User name.
      type: str
    email:
      description: E-mail address.
      type: str
    first_name:
      description: First name.
      type: str
    last_name:
      description: Last name.
      type: str
    role:
      description: Portal role.
      type: str
    company:
      description: Company, or null.
      type: str
    comment:
      description: Comment, or null.
      type: str
    password_change:
      description: Date (YYYY-MM-DD) from which a password change is required, or null.
      type: str
    groups:
      description: Local groups of the user. Only returned when O(groups) was given.
      type: list
      elements: str
    uid:
      description: Numeric id on the portal (null for a user only predicted in check mode).
      type: int
    tenant:
      description: Tenant the user belongs to.
      type: str
diff:
  description:
    - Changed attributes before and after, with O(password) masked. Only with C(--diff).
    - A created user is the whole user in C(after) (C(before) empty), a deleted one the whole user in C(before).
    - With O(users), C(before) and C(after) map the name of each changed entry to its own before and after.
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure, ensure_each, merge_list
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    blank_user, create_user, delete_user, desired_user, group_directory, missing_for_create, read_user, reference_of,
    update_user, user_entries, user_index, user_view,
)

PER_USER = dict(email=dict(type="str"), first_name=dict(type="str"), last_name=dict(type="str"),
                password=dict(type="str", no_log=True), role=dict(type="str"), company=dict(type="str"),
                comment=dict(type="str"), password_change=dict(type="raw", no_log=False),
                groups=dict(type="list", elements="str"))


def argument_spec():
    entry = dict((option, dict(definition)) for option, definition in PER_USER.items())
    entry.update(name=dict(type="str", required=True), append_groups=dict(type="bool"),
                 update_password=dict(type="str", choices=["on_create", "always"], no_log=False),
                 state=dict(type="str", choices=["present", "absent"]))
    spec = portal_argument_spec()
    spec.update((option, dict(definition)) for option, definition in PER_USER.items())
    spec.update(
        users=dict(type="list", elements="dict", options=entry),
        name=dict(type="str"),
        concurrency=dict(type="int", default=4),
        update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        append_groups=dict(type="bool", default=False),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, mutually_exclusive=[("name", "users")],
                     required_one_of=[("name", "users")], bounds={"concurrency": (1, 16, "")},
                     names=("name", "users.name", "groups", "users.groups", "tenant"))


class User(Resource):
    """A local user of a tenant: the options of ``user_view`` (``groups`` only when managed), password write-only."""

    key = "user"
    write_only = ("password",)
    casefold_keys = ("name", "email", "role", "groups")
    set_keys = ("groups",)

    def __init__(self, module, session, tenant, params, index=None):
        super(User, self).__init__(module, session, params)
        self.tenant = tenant
        self.index = index  # the tenant's users from one listing (in a loop or with users:), else None
        self.name = params["name"].strip()
        self.groups = group_directory(session) if params["groups"] is not None else None
        self.obj = None

    def read(self):
        self.obj = self.index.get(self.name) if self.index is not None else read_user(self.session, self.name)
        if self.obj is None:
            return None
        return user_view(self.obj, self.tenant, self.groups.groups_of(self.name) if self.groups else None)

    def desired(self, current):
        wanted = desired_user(self.params, current)
        wanted["name"] = self.name
        if current is None and self.params["password"] is not None:
            wanted["password"] = self.params["password"]
        if self.groups is not None:
            spelled, problem = self.groups.spell(self.params["groups"], self.tenant)
            if problem:
                self.expect_created_earlier(*problem)
            mode = "append" if self.params["append_groups"] else "exact"
            wanted["groups"] = sorted(merge_list((current or {}).get("groups") or [], spelled, mode, str.lower),
                                      key=str.lower)
        return wanted

    def check_create(self, desired):
        problem = missing_for_create(self.name, desired)
        if problem:
            raise ValueError(problem)

    def forced(self, current, desired):
        if current is not None and self.params["update_password"] == "always" and self.params["password"] is not None:
            return {"password": self.params["password"]}
        return {}

    def predict(self, current, changes):
        after = dict(current or dict(blank_user(self.tenant), role="EndUser"))
        after.update(changes)
        return after

    def create(self, desired, predicted):
        self._remember(create_user(self.session, self.name, desired))
        if desired.get("groups"):
            self.groups.set_groups(reference_of(self.session, self.obj), self.name, [], desired["groups"], self.session)
        return dict(predicted, **user_view(self.obj, self.tenant))

    def update(self, current, changes, predicted):
        fields = dict((k, v) for k, v in changes.items() if k != "groups")
        if fields:
            self._remember(update_user(self.session, self.name, self.obj, fields))
        if "groups" in changes:
            self.groups.set_groups(reference_of(self.session, self.obj), current["name"], current["groups"],
                                   predicted["groups"], self.session)

    def delete(self, current):
        delete_user(self.session, self.name)
        if self.index is not None:
            self.index.pop(self.name, None)

    def reread(self):
        """The user as the portal has it now (another run may have created it since the listing)."""
        obj = read_user(self.session, self.name)
        if obj is None:
            return None
        self._remember(obj)
        return user_view(obj, self.tenant, self.groups.groups_of(self.name) if self.groups else None)

    def _remember(self, obj):
        self.obj = obj
        if self.index is not None:
            self.index[self.name] = obj


def ensure_users(module, scope):
    params = module.params
    entries = user_entries(params)  # every entry validated before the first request
    session, tenant = portal_tenant_session(scope, params)
    bulk = params["users"] is not None
    index = user_index(session, tenant) if bulk or module.filefleet_loop else None
    if bulk and any(entry["groups"] is not None for entry in entries):
        group_directory(session, load=True)  # read once here, before any thread needs it

    def handle(entry, worker):
        return ensure(User(module, worker, tenant, entry, index), entry["state"])
    if not bulk:
        return handle(entries[0], session)
    return ensure_each(module, entries, handle, session, params["concurrency"], "user", "users", lambda e: e["name"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_users, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
