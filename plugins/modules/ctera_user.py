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
    description: Reads the user and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed attributes before and after; the password never appears.
options:
  name:
    description:
      - User name. One of O(name) or O(users) is required.
    type: str
  concurrency:
    description:
      - With O(users), how many requests may be in flight at once when users are created, changed or deleted
        (each on its own connection, all sharing the task's one login). V(1) processes the entries one by one.
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
  description: Changed attributes before and after, with O(password) masked. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

import queue
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule

from ansible_collections.filefleet.office.plugins.module_utils._common import make_diff, run
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._portal_users import (
    EMAIL_RE, EMPTY_IS_NONE, NAME_FORBIDDEN, ROLES, USER_FIELDS, GroupDirectory, canonical_role,
    desired_password_change, parse_password_change, user_view,
)

OPTION_TO_ATTRIBUTE = dict(USER_FIELDS)


ENTRY_OPTIONS = ("name", "email", "first_name", "last_name", "password", "role", "company", "comment",
                 "password_change", "groups", "state", "update_password", "append_groups")


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        users=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            email=dict(type="str"),
            first_name=dict(type="str"),
            last_name=dict(type="str"),
            password=dict(type="str", no_log=True),
            role=dict(type="str"),
            company=dict(type="str"),
            comment=dict(type="str"),
            password_change=dict(type="raw", no_log=False),
            groups=dict(type="list", elements="str"),
            append_groups=dict(type="bool"),
            update_password=dict(type="str", choices=["on_create", "always"], no_log=False),
            state=dict(type="str", choices=["present", "absent"]),
        )),
        name=dict(type="str"),
        concurrency=dict(type="int", default=4),
        email=dict(type="str"),
        first_name=dict(type="str"),
        last_name=dict(type="str"),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
        role=dict(type="str"),
        company=dict(type="str"),
        comment=dict(type="str"),
        password_change=dict(type="raw", no_log=False),
        groups=dict(type="list", elements="str"),
        append_groups=dict(type="bool", default=False),
        tenant=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, mutually_exclusive=[("name", "users")],
                     required_one_of=[("name", "users")])


def validate(params):
    """Reject bad input before any request."""
    name = (params["name"] or "").strip()
    if not name:
        raise ValueError("name must not be empty")
    if NAME_FORBIDDEN.search(name):
        raise ValueError("name %r holds a character the portal does not allow in user names (/ \\ # ? %%)" % name)
    if params["email"] is not None and not EMAIL_RE.match(params["email"]):
        raise ValueError("email %r is not a valid e-mail address (expected name@domain.tld)" % params["email"])
    if params["role"] is not None and canonical_role(params["role"]) is None:
        raise ValueError("role %r is not a portal role; allowed (case-insensitive): %s" % (params["role"], ", ".join(ROLES)))
    for option in ("first_name", "last_name"):
        if params[option] is not None and not params[option].strip():
            raise ValueError("%s must not be empty" % option)
    if params["groups"] is not None and any(not g or not g.strip() for g in params["groups"]):
        raise ValueError("groups must not contain empty names")
    return parse_password_change(params["password_change"])


LISTED_ATTRIBUTES = [attribute for _option, attribute in USER_FIELDS] + ["uid", "baseObjectRef"]


def user_index(module, session, tenant, force=False):
    """In a loop (or for ``users``), every user of the tenant read once per task (pages of 50), not one GET each."""
    if not force and not getattr(module, "filefleet_loop", False):
        return None
    key = ("users", tenant)
    index = session.cache.get(key)
    if index is None:
        index = {}
        for obj in session.query(session.path("users"), include=LISTED_ATTRIBUTES, what="list users"):
            if obj.get("name") is not None:
                index[str(obj["name"])] = obj
        session.cache[key] = index
    return index


def uid_from_reference(reference):
    """``objs/1021/acme/PortalUser/alice`` (the answer to ``add``) -> 1021."""
    parts = str(reference or "").split("/")
    if len(parts) >= 5 and parts[0] == "objs" and parts[1].isdigit() and parts[3] == "PortalUser":
        return int(parts[1])
    return None


def desired_attributes(params, password_change_spec, current):
    """PortalUser attributes the user asked for, normalised like the portal stores them."""
    wanted = {}
    for option, attribute in USER_FIELDS:
        value = params.get(option)
        if option == "password_change":
            if password_change_spec is not None:
                wanted[attribute] = desired_password_change(
                    password_change_spec, current.get(attribute) if current else None)
            continue
        if value is None:
            continue
        if option == "role":
            value = canonical_role(value)
        if option in EMPTY_IS_NONE and value == "":
            value = None
        wanted[attribute] = value
    return wanted


def comparable(attribute, value):
    if value is None or value == "":
        return None
    if attribute == "requirePasswordChangeOn":
        return str(value)[:10]
    if attribute in ("name", "email", "role"):
        return str(value).lower()
    return str(value) if not isinstance(value, bool) else ("true" if value else "false")


def entry_params(params, entry):
    """One entry of ``users`` with the task-level options as defaults."""
    merged = dict(params)
    for key in ENTRY_OPTIONS:
        merged[key] = entry.get(key)
    for key in ("state", "update_password", "append_groups"):  # the task's value unless the entry has its own
        if merged[key] is None:
            merged[key] = params[key]
    return merged


def ensure(module, scope):
    params = module.params
    # Every entry is checked before the first request, so bad input anywhere writes nothing.
    if params["concurrency"] < 1 or params["concurrency"] > 16:
        raise ValueError("concurrency must be between 1 and 16; got %d" % params["concurrency"])
    if params["users"] is not None:
        if not params["users"]:
            raise ValueError("users must list at least one user")
        entries = [entry_params(params, entry) for entry in params["users"]]
        names = [e["name"].strip().lower() for e in entries if e.get("name")]
        duplicates = sorted(set(n for n in names if names.count(n) > 1))
        if duplicates:
            raise ValueError("users lists %s more than once" % ", ".join(repr(d) for d in duplicates))
        specs = []
        for position, entry in enumerate(entries):
            try:
                specs.append(validate(entry))
            except ValueError as exc:
                raise ValueError("users[%d]: %s" % (position, exc))
    else:
        if params["name"] is None:
            raise ValueError("one of name or users is required")
        entries, specs = [params], [validate(params)]
    session = portal_session(scope, params)
    tenant = params["tenant"]
    session.browse(tenant)
    tenant = tenant or session.current_tenant
    if session.is_global_admin and not tenant:
        raise ValueError("tenant is required: %r is a global administrator and is not browsing a tenant" % params["portal_username"])
    bulk = params["users"] is not None
    index = user_index(module, session, tenant, force=bulk)
    if not bulk:
        return ensure_user(module, session, params, specs[0], tenant, index)
    if any(e["groups"] is not None for e in entries):
        directory = session.cache.get("groups")
        if directory is None:
            directory = session.cache["groups"] = GroupDirectory(session)
        directory.load()  # read once here, before any thread needs it
    outcomes = run_entries(module, session, entries, specs, tenant, index, params["concurrency"])
    failures = [(position, exc) for position, (_result, exc) in enumerate(outcomes) if exc is not None]
    if failures:
        position, exc = failures[0]
        # Entries that did not fail are done; a rerun converges the rest.
        where = "users[%d] %r" % (position, entries[position]["name"])
        summary = "%d of %d users failed, the others were processed" % (len(failures), len(entries))
        if isinstance(exc, ApiError):
            exc.message = "%s: %s (%s)" % (where, exc.message, summary)
            raise exc
        raise ValueError("%s: %s (%s)" % (where, exc, summary))
    results = [result for result, _exc in outcomes]
    result = {"changed": any(r["changed"] for r in results),
              "changed_users": [e["name"] for r, e in zip(results, entries) if r["changed"]],
              "users": [r.get("user") if r.get("user") is not None else {"name": e["name"], "absent": True}
                        for r, e in zip(results, entries)]}
    if module._diff and result["changed"]:
        result["diff"] = {"before": dict((e["name"], r["diff"]["before"]) for r, e in zip(results, entries) if "diff" in r),
                          "after": dict((e["name"], r["diff"]["after"]) for r, e in zip(results, entries) if "diff" in r)}
    return result


def run_entries(module, session, entries, specs, tenant, index, concurrency):
    """``[(result, exception)]`` per entry, in order; writes go out on up to ``concurrency`` connections.

    The worker connections share the task's one login (the server-side session, so the browsed tenant too).
    """
    def one(worker, entry, spec):
        try:
            return ensure_user(module, worker, entry, spec, tenant, index), None
        except (ApiError, ValueError) as exc:
            return None, exc

    if module.check_mode or concurrency <= 1 or len(entries) < 2:
        return [one(session, entry, spec) for entry, spec in zip(entries, specs)]
    count = min(concurrency, len(entries))
    spare = queue.Queue()
    for _index in range(count):
        spare.put(session.worker())

    def task(entry, spec):
        worker = spare.get()
        try:
            return one(worker, entry, spec)
        finally:
            spare.put(worker)
    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(task, entries, specs))
    finally:
        while not spare.empty():
            spare.get().close()


def ensure_user(module, session, params, password_change_spec, tenant, index):
    name = params["name"].strip()
    user_path = session.path("users", name)
    if index is not None:
        current = index.get(name)
    else:
        current = session.get(user_path, what="read user %r" % name, missing_ok=True)
        if current is not None and not current.get("name"):
            current = None

    directory = None
    if params["groups"] is not None:
        directory = session.cache.get("groups")
        if directory is None:
            directory = session.cache["groups"] = GroupDirectory(session)
        unknown = [g for g in params["groups"] if directory.find(g) is None]
        if unknown and params["state"] == "present":
            listing = ", ".join(repr(g) for g in unknown)
            if not module.check_mode:
                raise ValueError("groups %s do not exist in tenant %r; create them first (existing: %s)"
                                 % (listing, tenant, ", ".join(sorted(directory.load())) or "none"))
            # In check mode an earlier task of the same play may only have predicted these groups.
            module.warn("groups %s do not exist in tenant %r yet; predicting membership as if an earlier task "
                        "created them (a real run fails if they still do not exist)" % (listing, tenant))

    if params["state"] == "absent":
        return ensure_absent(module, session, current, user_path, name, tenant, directory, index)

    wanted = desired_attributes(params, password_change_spec, current)
    before_groups = directory.groups_of(name) if (directory is not None and current is not None) else set()
    want_groups = None
    if directory is not None:
        want_groups = set(directory.find(g) or g for g in params["groups"])
        if params["append_groups"]:
            want_groups |= before_groups
    result = {"changed": False}

    if current is None:
        missing = [opt for opt in ("email", "first_name", "last_name", "password") if not params.get(opt)]
        if missing:
            raise ValueError("user %r does not exist; to create it give %s" % (name, ", ".join(missing)))
        new = {"_classname": "PortalUser", "name": name, "email": wanted["email"], "firstName": wanted["firstName"],
               "lastName": wanted["lastName"], "password": params["password"], "role": wanted.get("role", "EndUser"),
               "company": wanted.get("company"), "comment": wanted.get("comment")}
        if wanted.get("requirePasswordChangeOn"):
            new["requirePasswordChangeOn"] = wanted["requirePasswordChangeOn"]
        after = dict(new, uid=None)
        if not module.check_mode:
            reference = session.database(session.path("users"), "add", new, what="create user %r" % name)
            uid = uid_from_reference(reference)
            if uid is None:  # the portal did not answer with a reference: read the user back instead
                after = session.get(user_path, what="read user %r" % name) or after
            else:
                after = dict(new, uid=uid, baseObjectRef=reference)
            if index is not None:
                index[name] = after
            if want_groups:
                ref = after.get("baseObjectRef") or "objs/%s/%s/PortalUser/%s" % (after.get("uid"), tenant, name)
                for group in sorted(want_groups):
                    directory.update(group, ref, name, add=True, session=session)
        result["changed"] = True
        result["user"] = user_view(after, tenant, want_groups)
        if module._diff:
            keys = [o for o, _a in USER_FIELDS] + (["groups"] if want_groups is not None else [])
            after_view = dict(result["user"], password="********")
            result["diff"] = make_diff({}, after_view, keys + ["password"])
            result["diff"]["before"] = {}
        return result

    changed_attributes = [a for a, v in wanted.items() if comparable(a, current.get(a)) != comparable(a, v)]
    set_password = params["update_password"] == "always" and params["password"] is not None
    after = dict(current)
    for attribute in changed_attributes:
        after[attribute] = wanted[attribute]
    group_changes = (want_groups is not None) and (set(g.lower() for g in want_groups) != set(g.lower() for g in before_groups))

    if changed_attributes or set_password:
        if index is not None and not module.check_mode:
            # The listing holds only the managed attributes; a PUT replaces the whole object, so read it all.
            full = session.get(user_path, what="read user %r" % name)
            after = dict(full, **dict((a, after[a]) for a in changed_attributes))
        body = dict(after)
        body["password"] = params["password"] if set_password else None
        if not module.check_mode:
            session.put(user_path, body, what="update user %r" % name)
            if index is not None:
                index[name] = after
    if group_changes and not module.check_mode:
        ref = current.get("baseObjectRef") or "objs/%s/%s/PortalUser/%s" % (current.get("uid"), tenant, current.get("name"))
        lowered_before = set(g.lower() for g in before_groups)
        lowered_want = set(g.lower() for g in want_groups)
        for group in sorted(want_groups):
            if group.lower() not in lowered_before:
                directory.update(group, ref, current.get("name"), add=True, session=session)
        for group in sorted(before_groups):
            if group.lower() not in lowered_want:
                directory.update(group, ref, current.get("name"), add=False, session=session)

    result["changed"] = bool(changed_attributes or set_password or group_changes)
    result["user"] = user_view(after, tenant, want_groups if want_groups is not None else None)
    if module._diff and result["changed"]:
        before_view = user_view(current, tenant, before_groups if want_groups is not None else None)
        keys = [o for o, a in USER_FIELDS if a in changed_attributes]
        if group_changes:
            keys.append("groups")
        if set_password:
            before_view["password"] = "********"
            result["user_password_set"] = True
            keys.append("password")
        after_view = dict(result["user"])
        if set_password:
            after_view["password"] = "******** (new)"
        result["diff"] = make_diff(before_view, after_view, keys)
        result.pop("user_password_set", None)
    return result


def ensure_absent(module, session, current, user_path, name, tenant, directory, index):
    result = {"changed": False, "user": None}
    if current is None:
        return result
    if not module.check_mode:
        session.execute(user_path, "delete", True, what="delete user %r" % name)
        if index is not None:
            index.pop(name, None)
        if directory is not None and directory.members is not None:
            for users in directory.members.values():
                for existing in list(users):
                    if existing.lower() == name.lower():
                        users.discard(existing)
    result["changed"] = True
    if module._diff:
        result["diff"] = {"before": user_view(current, tenant), "after": {}}
    return result


def run_module(module):
    run(module, ensure, extra_libraries=[XML_LIBRARY])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
