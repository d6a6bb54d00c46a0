#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_group
short_description: Manage local groups of a CTERA Edge Filer and their members
version_added: 0.2.0
description:
  - Creates, updates and deletes local groups of a CTERA Edge Filer, and sets their members; local users and
    groups, and, on a filer joined to a domain, domain users and groups.
  - Works on the built-in groups too (C(Administrators), C(Everyone), C(Read Only Administrators)), which cannot be
    deleted.
  - Only the options you give are managed. An option you leave out is never changed on an existing group.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description:
      - Reads the group and reports exactly what a real run would change, writing nothing.
      - A local member that does not exist yet is predicted as added, with a warning, as an earlier task of the same
        run may only have predicted creating it; a real run fails for it. The same holds for domain members of a
        filer that is not joined yet.
  diff_mode:
    support: full
    description: Shows the changed description and members before and after.
options:
  name:
    description: Group name, 1 to 64 letters, digits, spaces, C(.), C(_) or C(-).
    type: str
    required: true
  description:
    description: Description. An empty string clears it.
    type: str
  members:
    description:
      - Members of the group. How they combine with the current members is set by O(members_mode).
      - Local users and groups must exist. Domain members need a filer joined to a domain, and are named
        C(DOMAIN\name) (compared case-insensitively).
    type: list
    elements: dict
    suboptions:
      name:
        description: User or group name (C(DOMAIN\name) for a domain member).
        type: str
        required: true
      type:
        description: What the member is.
        type: str
        choices: [local_user, local_group, domain_user, domain_group]
        default: local_user
  members_mode:
    description:
      - V(exact) makes the members exactly O(members); V(append) adds O(members) and keeps the others;
        V(remove) removes O(members) and keeps the others.
    type: str
    choices: [exact, append, remove]
    default: exact
  state:
    description: V(present) makes the group exist with the given settings; V(absent) deletes it (its members stay).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: filefleet.office.edge_user
  - module: filefleet.office.edge_domain
'''

EXAMPLES = r'''
- name: The office's scanner group
  filefleet.office.edge_group:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    name: scanners
    description: Devices that drop scans on the filer
    members:
      - name: scanner

- name: Domain admins administer the filer too (others stay)
  filefleet.office.edge_group:
    name: Administrators
    members:
      - name: CORP\Domain Admins
        type: domain_group
    members_mode: append

- name: The group is gone
  filefleet.office.edge_group:
    name: scanners
    state: absent
'''

RETURN = r'''
group:
  description: The group after the task (predicted in check mode); null when absent.
  returned: always
  type: dict
  sample:
    name: scanners
    description: Devices that drop scans on the filer
    members: [{type: local_user, name: scanner}]
  contains:
    name:
      description: Group name.
      type: str
    description:
      description: Description, or null.
      type: str
    members:
      description: Members as C({type, name}), sorted by type and name.
      type: list
      elements: dict
diff:
  description: Changed description and members before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import (
    BUILTIN_GROUPS, CIFS_STATUS, GROUPS, USERS, as_int, check_groupname, check_username, group_view, member_key,
    member_object, sorted_members,
)
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure, merge_list


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        members=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            type=dict(type="str", choices=["local_user", "local_group", "domain_user", "domain_group"],
                      default="local_user"))),
        members_mode=dict(type="str", choices=["exact", "append", "remove"], default="exact"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


def validate(params):
    name = check_groupname(params["name"])
    if params["state"] == "absent" and name in BUILTIN_GROUPS:
        raise ValueError("name %r is a built-in group of the filer; it cannot be deleted" % name)
    for index, member in enumerate(params["members"] or []):
        option = "members[%d].name" % index
        if member["type"] == "local_user":
            check_username(member["name"], option)
        elif member["type"] == "local_group":
            check_groupname(member["name"], option)
            if member["name"] == name:
                raise ValueError("%s: a group cannot be a member of itself" % option)
        else:
            flat, _sep, account = member["name"].rpartition("\\")
            if not flat.strip() or not account.strip():
                raise ValueError("%s must name a domain member as DOMAIN\\name, got %r" % (option, member["name"]))
    return name


class Group(Resource):
    """A local group: ``{name, description, members}``; members are ``{type, name}``."""

    key = "group"

    def __init__(self, module, session, name):
        super(Group, self).__init__(module, session)
        self.name = name
        self.path = session.path(GROUPS, name)

    def read(self):
        group = self.session.get(self.path, what="read the local group %r" % self.name, missing_ok=True)
        return group_view(group) if isinstance(group, dict) and group.get("name") else None

    def ready_view(self):
        """Right after edge_setup a filer has its built-in groups, the administrator in ``Administrators``."""
        if self.name not in BUILTIN_GROUPS:
            return None
        admin = self.params["edge_username"]
        members = [{"type": "local_user", "name": admin}] if self.name == "Administrators" and admin else []
        return {"name": self.name, "description": None, "members": members}

    def equal(self, key, have, want):
        if key == "members":
            return sorted(member_key(m) for m in have or []) == sorted(member_key(m) for m in want or [])
        return super(Group, self).equal(key, have, want)

    def desired(self, current):
        wanted = {"name": self.name}
        if self.params["description"] is not None:
            wanted["description"] = self.params["description"] or None
        if self.params["members"] is not None:
            given = [{"type": m["type"], "name": m["name"]} for m in self.params["members"]]
            merged = merge_list((current or {}).get("members") or [], given, self.params["members_mode"], member_key)
            self._check_members([m for m in merged if m in given])
            wanted["members"] = sorted_members(merged)
        return wanted

    def _check_members(self, members):
        """Local members must exist, domain members need a joined filer (before any write). Not checked in check
        mode on a filer that cannot be read yet (the engine warned that the prediction depends on earlier tasks)."""
        if self.assumed:
            return
        missing = []
        for kind, path in (("local_user", USERS), ("local_group", GROUPS)):
            names = [m["name"] for m in members if m["type"] == kind]
            if names:
                listing = self.session.get(self.session.path(path), what="read the local %ss" % kind[6:]) or []
                field = "username" if kind == "local_user" else "name"
                known = set(as_text(o.get(field)) for o in (listing if isinstance(listing, list) else [listing])
                            if isinstance(o, dict))
                missing += ["%s %r" % (kind.replace("_", " "), n) for n in names if n not in known]
        if missing:
            self.expect_created_earlier(
                "members of the group %r do not exist on the filer: %s" % (self.name, ", ".join(missing)),
                "members of the group %r do not exist on the filer yet: %s; a real run fails unless an earlier task "
                "creates them" % (self.name, ", ".join(missing)))
        domain = [m["name"] for m in members if m["type"].startswith("domain")]
        if domain:
            status = self.session.get(self.session.path(CIFS_STATUS, "joinStatus"), what="read the domain join status")
            if as_int(status) != 0:
                listing = ", ".join(repr(n) for n in domain)
                self.expect_created_earlier(
                    "domain members %s need a filer joined to a domain (see filefleet.office.edge_domain)" % listing,
                    "domain members %s need a filer joined to a domain; a real run fails unless an earlier task joins "
                    "it" % listing)

    def predict(self, current, changes):
        after = dict(current or {"name": self.name, "description": None, "members": []})
        after.update(changes)
        return after

    def create(self, desired, predicted):
        param = {"name": self.name, "description": desired.get("description"),
                 "members": [member_object(m) for m in desired.get("members") or []]}
        self.session.database(self.session.path(GROUPS), "add", param, what="create the local group %r" % self.name)
        return self.read()

    def update(self, current, changes, predicted):
        if "description" in changes:
            group = self.session.get(self.path, what="read the local group %r" % self.name)
            group["description"] = changes["description"] or ""
            self.session.put(self.path, group, what="update the local group %r" % self.name)
        if "members" in changes:
            # As cterasdk's groups.add_members/remove_members: the whole member list.
            self.session.put(self.session.path(GROUPS, self.name, "members"),
                             [member_object(m) for m in changes["members"]],
                             what="set the members of the local group %r" % self.name)
        return self.read()

    def delete(self, current):
        self.session.delete(self.path, what="delete the local group %r" % self.name)


def ensure_group(module, scope):
    name = validate(module.params)
    return ensure(Group(module, edge_session(scope, module.params), name), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_group, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
