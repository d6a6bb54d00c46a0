#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_group
short_description: Manage local groups of a CTERA Portal tenant
version_added: 0.1.0
description:
  - Creates, updates and deletes local user groups of a CTERA Portal tenant, and their members.
  - Only the options you give are managed. An option you leave out is never changed on an existing group.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the group and reports exactly what a real run would change, writing nothing.
      - A member that is not a user of the tenant yet is predicted as added, with a warning, as an earlier task of
        the same run may only have predicted creating it; a real run fails for it.
  diff_mode:
    support: full
    description: Shows the changed description and members before and after.
options:
  name:
    description:
      - Group name. Names are not trimmed; a name with leading or trailing whitespace is refused, as are
        C(/), backslash, C(#), C(?), C(%), control characters and the names C(.) and C(..). The same holds for O(members).
    type: str
    required: true
  description:
    description: Description of the group. An empty string clears it.
    type: str
  members:
    description:
      - Local users of the tenant that are members of the group. How they combine with the current members is set
        by O(members_mode). The users must exist.
    type: list
    elements: str
  members_mode:
    description:
      - V(exact) makes the members exactly O(members); V(append) adds O(members) and keeps the others;
        V(remove) removes O(members) and keeps the others.
    type: str
    choices: [exact, append, remove]
    default: exact
  tenant:
    description: Tenant to act in, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
  state:
    description: V(present) makes the group exist with the given settings; V(absent) deletes it (its users stay).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: filefleet.office.ctera_user
'''

EXAMPLES = r'''
- name: The Stockholm office's admins group has exactly these members
  filefleet.office.ctera_group:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: stockholm
    name: office-admins
    description: Administrators of the Stockholm office
    members: [alice, bob]

- name: Carol joins the group; other members stay
  filefleet.office.ctera_group:
    tenant: stockholm
    name: office-admins
    members: [carol]
    members_mode: append

- name: The group is gone
  filefleet.office.ctera_group:
    tenant: stockholm
    name: temp-project
    state: absent
'''

RETURN = r'''
group:
  description: The group after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: office-admins
    description: Administrators of the Stockholm office
    members: [alice, bob]
    tenant: stockholm
  contains:
    name:
      description: Group name.
      type: str
    description:
      description: Description, or null.
      type: str
    members:
      description: User names of the members, sorted.
      type: list
      elements: str
    tenant:
      description: Tenant of the group.
      type: str
diff:
  description: Changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure, merge_list
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    as_text, portal_name, read_members, user_reference,
)


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        members=dict(type="list", elements="str"),
        members_mode=dict(type="str", choices=["exact", "append", "remove"], default="exact"),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "members", "tenant"))


def validate(params):
    name = portal_name(params["name"], "group")
    if params["members"] is not None and any(not m or not m.strip() for m in params["members"]):
        raise ValueError("members must not contain empty names")
    return name


class Group(Resource):
    """A local group of a tenant: ``{name, description, members, tenant}``."""

    key = "group"
    casefold_keys = ("members",)
    set_keys = ("members",)

    def __init__(self, module, session, tenant, name):
        super(Group, self).__init__(module, session)
        self.tenant = tenant
        self.name = name
        self.path = session.path("localGroups", name)
        self.refs = {}  # member name (casefolded) -> (name, reference), of current and of added members

    def read(self):
        # get-multi, as cterasdk's groups.get: a missing group answers name null (or 404), whatever the status a
        # full GET of a missing group would have.
        group = self.session.get_multi(self.path, ["description"], what="read group %r" % self.name, missing_ok=True)
        if not isinstance(group, dict) or group.get("name") in (None, ""):
            return None
        members = read_members(self.session, self.name)
        self.refs.update((member.casefold(), (member, ref)) for member, ref in members)
        return {"name": as_text(group["name"]), "description": as_text(group.get("description")) or None,
                "members": sorted((m for m, _r in members), key=str.lower), "tenant": self.tenant}

    def desired(self, current):
        wanted = {"name": (current or {}).get("name", self.name), "tenant": self.tenant}
        if self.params["description"] is not None:
            wanted["description"] = self.params["description"] or None
        if self.params["members"] is not None:
            given = [m.strip() for m in self.params["members"]]
            have = (current or {}).get("members") or []
            merged = merge_list(have, given, self.params["members_mode"], str.casefold)
            wanted["members"] = sorted(self._known(merged), key=str.lower)
        return wanted

    def _known(self, names):
        """``names`` as the portal spells them; users must exist (checked before any write)."""
        missing, spelled = [], []
        for name in names:
            if name.casefold() not in self.refs:
                found = user_reference(self.session, name)
                if found is None:
                    missing.append(name)
                    spelled.append(name)
                    continue
                self.refs[name.casefold()] = found
            spelled.append(self.refs[name.casefold()][0])
        if missing:
            listing = ", ".join(repr(m) for m in missing)
            self.expect_created_earlier(
                "members %s are not users of tenant %r" % (listing, self.tenant),
                "members %s are not users of tenant %r yet; a real run fails unless an earlier task creates them"
                % (listing, self.tenant))
        return spelled

    def _refs(self, names):
        return [self.refs[name.casefold()][1] for name in names]

    def create(self, desired, predicted):
        param = {"_classname": "AddGroupParam",
                 "groupData": {"_classname": "PortalGroup", "name": self.name, "description": desired.get("description")}}
        if desired.get("members"):
            param["members"] = self._refs(desired["members"])
        self.session.execute(self.session.path(), "addGroup", param, what="create group %r" % self.name)

    def update(self, current, changes, predicted):
        data = self.session.get(self.path, what="read group %r" % self.name)  # the whole group, as groupData
        if not isinstance(data, dict):
            raise ValueError("read group %r: the portal answered no group object" % self.name)
        if "description" in changes:
            data["description"] = changes["description"]
        before = set(m.casefold() for m in current["members"])
        after = set(m.casefold() for m in predicted["members"])
        self.session.execute(self.path, "updateGroup", {
            "_classname": "UpdateGroupParam", "groupData": data,
            "membersToAdd": self._refs(m for m in predicted["members"] if m.casefold() not in before),
            "membersToDelete": self._refs(m for m in current["members"] if m.casefold() not in after)},
            what="update group %r" % self.name)

    def delete(self, current):
        self.session.execute(self.path, "delete", True, what="delete group %r" % self.name)


def ensure_group(module, scope):
    name = validate(module.params)
    session, tenant = portal_tenant_session(scope, module.params)
    return ensure(Group(module, session, tenant, name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_group, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
