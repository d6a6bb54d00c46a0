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
    description: Group name.
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.filefleet.office.plugins.module_utils._common import make_diff, run
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import NAME_FORBIDDEN, as_text, name_of_ref


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


MODULE_KWARGS = dict(supports_check_mode=True)


def validate(params):
    name = (params["name"] or "").strip()
    if not name:
        raise ValueError("name must not be empty")
    if NAME_FORBIDDEN.search(name):
        raise ValueError("name %r holds a character the portal does not allow in group names (/ \\ # ? %%)" % name)
    if params["members"] is not None and any(not m or not m.strip() for m in params["members"]):
        raise ValueError("members must not contain empty names")
    return name


def read_members(session, group_path, name):
    members = []
    start = 0
    while True:
        page = session.execute(group_path, "getMembers", {"startFrom": start, "countLimit": 50},
                               what="list members of group %r" % name) or {}
        items = (page.get("objects") or []) if isinstance(page, dict) else list(page or [])
        for item in items:
            ref = item.get("baseObjectRef") if isinstance(item, dict) else item
            member = (item.get("name") if isinstance(item, dict) else None) or name_of_ref(ref)
            if member is not None:
                members.append((as_text(member), ref))
        if not (isinstance(page, dict) and page.get("hasMore")) or not items:
            return members
        start += 50


def group_view(name, description, members, tenant):
    return {"name": name, "description": description or None, "members": sorted(members, key=str.lower),
            "tenant": tenant}


def ensure(module, scope):
    params = module.params
    name = validate(params)
    session = portal_session(scope, params)
    session.browse(params["tenant"])
    tenant = params["tenant"] or session.current_tenant
    if session.is_global_admin and not tenant:
        raise ValueError("tenant is required: %r is a global administrator and is not browsing a tenant" % params["portal_username"])
    group_path = session.path("localGroups", name)
    current = session.get(group_path, what="read group %r" % name, missing_ok=True)
    if current is not None and not current.get("name"):
        current = None
    current_members = read_members(session, group_path, name) if current is not None else []
    have = dict((m.lower(), (m, ref)) for m, ref in current_members)

    if params["state"] == "absent":
        if current is None:
            return {"changed": False, "group": None}
        if not module.check_mode:
            session.execute(group_path, "delete", True, what="delete group %r" % name)
        result = {"changed": True, "group": None}
        if module._diff:
            result["diff"] = {"before": group_view(name, as_text(current.get("description")), [m for m, _r in current_members],
                                                   tenant), "after": {}}
        return result

    # Which users to add and remove, and their references (users must exist: checked before any write).
    wanted = params["members"]
    to_add, to_remove = [], []
    if wanted is not None:
        wanted_lower = dict((m.strip().lower(), m.strip()) for m in wanted)
        if params["members_mode"] == "remove":
            to_remove = [have[key] for key in wanted_lower if key in have]
        else:
            to_add = [wanted_lower[key] for key in wanted_lower if key not in have]
            if params["members_mode"] == "exact":
                to_remove = [have[key] for key in have if key not in wanted_lower]
    add_refs = []
    missing = []
    for user in to_add:
        obj = session.get(session.path("users", user), what="read user %r" % user, missing_ok=True)
        if not obj or not obj.get("name"):
            missing.append(user)
            continue
        ref = obj.get("baseObjectRef") or "objs/%s/%s/PortalUser/%s" % (obj.get("uid"), tenant, obj.get("name"))
        add_refs.append((as_text(obj.get("name")), ref))
    if missing:
        names = ", ".join(repr(m) for m in missing)
        if not module.check_mode:
            raise ValueError("members %s are not users of tenant %r" % (names, tenant))
        # In check mode an earlier task of the same run may only have predicted creating these users.
        module.warn("members %s are not users of tenant %r yet; a real run fails unless an earlier task creates them"
                    % (names, tenant))
        add_refs.extend((user, None) for user in missing)

    description = params["description"]
    current_description = as_text(current.get("description")) if current is not None else None
    description_changes = description is not None and (description or None) != (current_description or None)
    before_names = [m for m, _r in current_members]
    after_names = [m for m in before_names if m.lower() not in set(r[0].lower() for r in to_remove)] + [n for n, _r in add_refs]
    after_description = (description if description is not None else current_description)
    result = {"changed": False, "group": group_view(name, after_description, after_names, tenant)}

    if current is None:
        if not module.check_mode:
            param = {"_classname": "AddGroupParam",
                     "groupData": {"_classname": "PortalGroup", "name": name, "description": description or None}}
            if add_refs:
                param["members"] = [ref for _n, ref in add_refs]
            session.execute(session.path(), "addGroup", param, what="create group %r" % name)
        result["changed"] = True
        if module._diff:
            result["diff"] = {"before": {}, "after": result["group"]}
        return result

    if description_changes or add_refs or to_remove:
        if not module.check_mode:
            data = dict(current)
            if description_changes:
                data["description"] = description or None
            session.execute(group_path, "updateGroup",
                            {"_classname": "UpdateGroupParam", "groupData": data,
                             "membersToAdd": [ref for _n, ref in add_refs],
                             "membersToDelete": [ref for _n, ref in to_remove]},
                            what="update group %r" % name)
        result["changed"] = True
        if module._diff:
            keys = (["description"] if description_changes else []) + (["members"] if (add_refs or to_remove) else [])
            result["diff"] = make_diff(group_view(name, current_description, before_names, tenant), result["group"], keys)
    return result


def run_module(module):
    run(module, ensure, extra_libraries=[XML_LIBRARY])


def main():
    module = AnsibleModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
