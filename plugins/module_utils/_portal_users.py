# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Portal local users and their group membership (docs/protocol-ctera.md#portal-users and #portal-groups-and-members)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._validate import number_text

# Portal roles as the modules show them. The compliance officer goes on the wire as cterasdk sends it,
# "ComplianceOffer" (sic: cterasdk/core/enum.py Role, also what it expects back from currentSession); either
# spelling is read as ComplianceOfficer, so a task converges whichever one the portal answers.
ROLES = ("Disabled", "EndUser", "ReadWriteAdmin", "ReadOnlyAdmin", "Support", "ComplianceOfficer")
ROLE_ALIASES = {"complianceoffer": "ComplianceOfficer"}
WIRE_ROLES = {"ComplianceOfficer": "ComplianceOffer"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
NAME_FORBIDDEN = re.compile(r"[/\\#?%]")
MAX_PASSWORD_DAYS = 3650  # ten years: a later date is no requirement at all (and past the year 9999 no date)

# module option -> PortalUser attribute
USER_FIELDS = (
    ("name", "name"),
    ("email", "email"),
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("role", "role"),
    ("company", "company"),
    ("comment", "comment"),
    ("password_change", "requirePasswordChangeOn"),
)
EMPTY_IS_NONE = ("company", "comment")


def canonical_role(value):
    """The portal's spelling of a role given in any case; ``None`` if unknown."""
    if value is None:
        return None
    folded = str(value).strip().lower()
    for role in ROLES:
        if role.lower() == folded:
            return role
    return ROLE_ALIASES.get(folded)


def wire_role(role):
    """The role value to send: cterasdk's spelling."""
    return WIRE_ROLES.get(role, role)


def as_text(value):
    """Undo the CTERA decoder's type sniffing for text fields."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_password_change(value, today=None):
    """``password_change`` -> ``(kind, date)``: ``('none', None)``, ``('now', None)``, ``('days', n)`` or ``('date', d)``.

    Raises ValueError with a message naming the option.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return ("now", None) if value else ("none", None)
    if isinstance(value, int):
        return ("days", _days(value))
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return ("now", None)
    if lowered in ("false", "no", "off", "", "none"):
        return ("none", None)
    if text.isdigit():
        return ("days", _days(int(text)))
    try:
        return ("date", datetime.datetime.strptime(text, "%Y-%m-%d").date())
    except ValueError:
        raise ValueError("password_change must be a date (YYYY-MM-DD), a number of days >= 0, true or false; got %r" % value)


def _days(value):
    if not 0 <= value <= MAX_PASSWORD_DAYS:
        raise ValueError("password_change must be a date (YYYY-MM-DD), a number of days from 0 to %d, true or false; "
                         "got %s" % (MAX_PASSWORD_DAYS, number_text(value)))
    return value


def desired_password_change(spec, current, today=None):
    """The ``requirePasswordChangeOn`` value to converge to, given what the portal has now (string or None).

    * ``false``: no date.  * a date: exactly that date.
    * ``true``: a change is required now; a date already in the past (or today) satisfies it, else yesterday.
    * ``N`` days: a change is required within N days; an existing date no later than today+N satisfies it.
    """
    today = today or datetime.date.today()
    kind, arg = spec
    current_date = None
    if current:
        try:
            current_date = datetime.datetime.strptime(str(current)[:10], "%Y-%m-%d").date()
        except ValueError:
            current_date = None
    if kind == "none":
        return None
    if kind == "date":
        return arg.isoformat()
    if kind == "now":
        if current_date is not None and current_date <= today:
            return current_date.isoformat()
        return (today - datetime.timedelta(days=1)).isoformat()
    limit = today + datetime.timedelta(days=arg)
    if current_date is not None and current_date <= limit:
        return current_date.isoformat()
    return limit.isoformat()


def user_view(obj, tenant=None, groups=None):
    """A PortalUser object as the modules return it (never a password)."""
    if obj is None:
        return None
    view = {}
    for option, attribute in USER_FIELDS:
        value = as_text(obj.get(attribute))
        if option in EMPTY_IS_NONE and value == "":
            value = None
        elif option == "role":
            value = canonical_role(value) or value
        view[option] = value
    if view.get("password_change"):
        view["password_change"] = view["password_change"][:10]
    view["uid"] = obj.get("uid")
    view["tenant"] = tenant
    if groups is not None:
        view["groups"] = sorted(groups, key=str.lower)
    return view


def name_of_ref(ref):
    """``objs/12/acme/PortalUser/alice`` -> ``alice``."""
    if not ref:
        return None
    return str(ref).rstrip("/").rsplit("/", 1)[-1]


def read_members(session, group):
    """``[(user name, reference)]`` of the members of a local group, every page of ``getMembers``."""
    members = []
    start = 0
    group_path = session.path("localGroups", group)
    while True:
        page = session.execute(group_path, "getMembers", {"startFrom": start, "countLimit": 50},
                               what="list members of group %r" % group) or {}
        items = (page.get("objects") or []) if isinstance(page, dict) else list(page or [])
        for item in items:
            ref = item.get("baseObjectRef") if isinstance(item, dict) else item
            member = (item.get("name") if isinstance(item, dict) else None) or name_of_ref(ref)
            if member is not None:
                members.append((as_text(member), ref))
        if not (isinstance(page, dict) and page.get("hasMore")) or not items:
            return members
        start += 50


def user_reference(session, user):
    """``(stored name, reference)`` of a user of the current tenant, or None when there is no such user.

    The reference is the portal's own ``baseObjectRef``, read with get-multi as cterasdk's
    ``groups._members_reference`` reads it (never built from uid, tenant and name).
    """
    obj = read_user(session, user, ["baseObjectRef"])
    if obj is None:
        return None
    if not obj.get("baseObjectRef"):
        raise ApiError("read user %r: the portal answered no reference (baseObjectRef) for it" % user)
    return as_text(obj["name"]), obj["baseObjectRef"]


class GroupDirectory:
    """Local groups of the current tenant and their members, read once per session and kept up to date."""

    def __init__(self, session):
        self.session = session
        self.members = None  # group name -> set of user names (case as stored)
        self.reads = 0

    def load(self):
        if self.members is not None:
            return self.members
        members = {}
        for group in self.session.query(self.session.path("localGroups"), include=["name"], what="list local groups"):
            name = as_text(group.get("name"))
            members[name] = set(member for member, _ref in read_members(self.session, name))
        self.members = members
        return members

    def find(self, group):
        for name in self.load():
            if name.lower() == group.lower():
                return name
        return None

    def groups_of(self, user):
        return set(g for g, users in self.load().items() if any(u.lower() == user.lower() for u in users))

    def update(self, group, user_ref, user_name, add, session=None):
        """Add or remove one member (``session``: the calling thread's own session in a bulk run)."""
        session = session or self.session
        param = {"membersToAdd": [user_ref] if add else [], "membersToDelete": [] if add else [user_ref]}
        group_path = session.path("localGroups", group)
        current = session.get(group_path, what="read group %r" % group)
        param = dict({"groupData": current}, **param)
        action = "add user %r to group %r" if add else "remove user %r from group %r"
        session.execute(group_path, "updateGroup", param, what=action % (user_name, group))
        users = self.members.setdefault(group, set())
        if add:
            users.add(user_name)
        else:
            users.discard(user_name)
            for existing in list(users):
                if existing.lower() == user_name.lower():
                    users.discard(existing)

    def forget(self, user_name):
        """Drop a deleted user from every group it was a member of (if the groups were read)."""
        for users in (self.members or {}).values():
            for existing in list(users):
                if existing.lower() == user_name.lower():
                    users.discard(existing)

    def spell(self, groups, tenant):
        """``(names as the portal spells them, problem)``: ``problem`` is None, or ``(error, warning)`` naming the
        groups that do not exist (kept as given), for ``Resource.expect_created_earlier``."""
        spelled = [self.find(group) or group for group in groups]
        unknown = [group for group in groups if self.find(group) is None]
        if not unknown:
            return spelled, None
        listing = ", ".join(repr(g) for g in unknown)
        return spelled, ("groups %s do not exist in tenant %r; create them first (existing: %s)"
                         % (listing, tenant, ", ".join(sorted(self.load())) or "none"),
                         "groups %s do not exist in tenant %r yet; predicting membership as if an earlier task "
                         "created them (a real run fails if they still do not exist)" % (listing, tenant))

    def set_groups(self, user_ref, user_name, before, after, session=None):
        """Make a user a member of exactly the groups ``after`` (it is now in ``before``), one update per group."""
        lowered_before = set(g.lower() for g in before)
        lowered_after = set(g.lower() for g in after)
        for group in sorted(after):
            if group.lower() not in lowered_before:
                self.update(group, user_ref, user_name, add=True, session=session)
        for group in sorted(before):
            if group.lower() not in lowered_after:
                self.update(group, user_ref, user_name, add=False, session=session)


def group_directory(session, load=False):
    """The session's ``GroupDirectory`` (shared by the items of a loop and the threads of a bulk run)."""
    directory = session.cache.get("groups")
    if directory is None:
        directory = session.cache["groups"] = GroupDirectory(session)
    if load:
        directory.load()
    return directory


# -- validation (before any request) ----------------------------------------------------------------------

ENTRY_OPTIONS = ("name", "email", "first_name", "last_name", "password", "role", "company", "comment",
                 "password_change", "groups", "state", "update_password", "append_groups")
TASK_DEFAULTS = ("state", "update_password", "append_groups")  # an entry's own value wins
CREATE_NEEDS = ("email", "first_name", "last_name", "password")


def portal_name(value, kind, option="name"):
    """``value``; ValueError naming ``option`` if it is empty, has leading or trailing whitespace (never trimmed:
    the portal would keep or trim it, and either way the name would not be the one given) or holds a character
    the portal refuses."""
    name = value or ""
    if not name.strip():
        raise ValueError("%s must not be empty" % option)
    if name != name.strip():
        raise ValueError("%s %r has leading or trailing whitespace; %s names are not trimmed, give the name "
                         "without it" % (option, name, kind))
    if NAME_FORBIDDEN.search(name):
        raise ValueError("%s %r holds a character the portal does not allow in %s names (/ \\ # ? %%)"
                         % (option, name, kind))
    return name


def validate_user(params):
    """Reject bad options of one user before any request; returns the stripped name."""
    name = portal_name(params["name"], "user")
    if params["email"] is not None and not EMAIL_RE.match(params["email"]):
        raise ValueError("email %r is not a valid e-mail address (expected name@domain.tld)" % params["email"])
    if params["role"] is not None and canonical_role(params["role"]) is None:
        raise ValueError("role %r is not a portal role; allowed (case-insensitive): %s" % (params["role"], ", ".join(ROLES)))
    for option in ("first_name", "last_name"):
        if params[option] is not None and not params[option].strip():
            raise ValueError("%s must not be empty" % option)
    if params["groups"] is not None and any(not g or not g.strip() for g in params["groups"]):
        raise ValueError("groups must not contain empty names")
    parse_password_change(params["password_change"])
    return name


def entry_params(params, entry):
    """One entry of ``users`` with the task-level options as defaults."""
    merged = dict(params)
    for key in ENTRY_OPTIONS:
        merged[key] = entry.get(key)
    for key in TASK_DEFAULTS:
        if merged[key] is None:
            merged[key] = params[key]
    return merged


def user_entries(params):
    """The users a ``ctera_user`` task manages, as option dicts, every one validated before the first request."""
    if params["concurrency"] < 1 or params["concurrency"] > 16:
        raise ValueError("concurrency must be between 1 and 16; got %d" % params["concurrency"])
    if params["users"] is None:
        if params["name"] is None:
            raise ValueError("one of name or users is required")
        validate_user(params)
        return [params]
    if not params["users"]:
        raise ValueError("users must list at least one user")
    entries = [entry_params(params, entry) for entry in params["users"]]
    names = [e["name"].strip().lower() for e in entries if e.get("name")]
    duplicates = sorted(set(n for n in names if names.count(n) > 1))
    if duplicates:
        raise ValueError("users lists %s more than once" % ", ".join(repr(d) for d in duplicates))
    for position, entry in enumerate(entries):
        try:
            validate_user(entry)
        except ValueError as exc:
            raise ValueError("users[%d]: %s" % (position, exc))
    return entries


def missing_for_create(name, desired):
    """The error for a user that does not exist and cannot be created from ``desired``, or None."""
    missing = [option for option in CREATE_NEEDS if not desired.get(option)]
    if missing:
        return "user %r does not exist; to create it give %s" % (name, ", ".join(missing))
    return None


# -- reading ------------------------------------------------------------------------------------------------

LISTED_ATTRIBUTES = [attribute for _option, attribute in USER_FIELDS] + ["uid", "baseObjectRef"]


def read_user(session, name, attributes=None):
    """``attributes`` (default: the listed ones) of the user named ``name``, or None when there is no such user.

    One get-multi, as cterasdk's ``users.get``: a missing user answers ``name`` null (or 404). The status a real
    portal gives a full GET of a missing user is unknown, so existence never depends on it.
    """
    obj = session.get_multi(session.path("users", name), LISTED_ATTRIBUTES if attributes is None else attributes,
                            what="read user %r" % name, missing_ok=True)
    return obj if isinstance(obj, dict) and obj.get("name") not in (None, "") else None


def user_index(session, tenant):
    """Every user of the tenant by name, read once per session (one paged listing, not one GET per user).

    Holds only the listed attributes; writers keep it up to date.
    """
    key = ("users", tenant)
    index = session.cache.get(key)
    if index is None:
        index = {}
        for obj in session.query(session.path("users"), include=LISTED_ATTRIBUTES, what="list users"):
            if obj.get("name") is not None:
                index[str(obj["name"])] = obj
        session.cache[key] = index
    return index


def list_users(session, attributes, name_contains=None):
    """Every user of the tenant (paged), with ``attributes``; only names containing ``name_contains`` if given."""
    filters = None
    if name_contains:
        filters = [{"_classname": "StringFilter", "field": "name", "restriction": "like", "value": name_contains}]
    return list(session.query(session.path("users"), include=attributes, filters=filters, what="list users"))


def blank_user(tenant):
    """The view of a user with nothing set yet (what a creation starts from)."""
    view = dict((option, None) for option, _attribute in USER_FIELDS)
    view.update(uid=None, tenant=tenant)
    return view


def desired_user(params, current):
    """The user options given in ``params``, normalised the way ``user_view`` reads them (omitted: not managed)."""
    wanted = {}
    for option, _attribute in USER_FIELDS:
        value = params.get(option)
        if value is None:
            continue
        if option == "password_change":
            value = desired_password_change(parse_password_change(value), (current or {}).get(option))
        elif option == "role":
            value = canonical_role(value)
        elif option in EMPTY_IS_NONE and value == "":
            value = None
        wanted[option] = value
    return wanted


# -- writing ------------------------------------------------------------------------------------------------

def uid_from_reference(reference):
    """``objs/1021/acme/PortalUser/alice`` (the answer to ``add``) -> 1021."""
    parts = str(reference or "").split("/")
    if len(parts) >= 5 and parts[0] == "objs" and parts[1].isdigit() and parts[3] == "PortalUser":
        return int(parts[1])
    return None


def reference_of(session, obj):
    """The portal's reference of the user ``obj`` (as group membership calls take it): its ``baseObjectRef`` as
    listed or read with get-multi, else read now with get-multi."""
    if obj.get("baseObjectRef"):
        return obj["baseObjectRef"]
    found = user_reference(session, as_text(obj["name"]))
    if found is None:
        raise ApiError("user %r is not a user of the tenant (any more)" % as_text(obj["name"]))
    obj["baseObjectRef"] = found[1]
    return found[1]


def create_user(session, name, desired):
    """Create a user from its desired view (which holds the password); returns the new PortalUser object."""
    body = {"_classname": "PortalUser", "name": name, "email": desired["email"], "firstName": desired["first_name"],
            "lastName": desired["last_name"], "password": desired["password"],
            "role": wire_role(desired.get("role") or "EndUser"), "company": desired.get("company"),
            "comment": desired.get("comment")}
    if desired.get("password_change"):
        body["requirePasswordChangeOn"] = desired["password_change"]
    answer = session.database(session.path("users"), "add", body, what="create user %r" % name)
    # The answer is not documented (cterasdk never reads it): only its uid is taken, never a reference.
    uid = uid_from_reference(answer)
    if uid is None:  # not a reference: read the user back instead
        return read_user(session, name) or dict(body, password=None, uid=None)
    return dict(body, password=None, uid=uid)


def update_user(session, name, obj, changes):
    """Write ``changes`` (options of a view, ``password`` included when it is to be set) to the user ``obj``.

    A PUT replaces the whole object, so the whole object is read first (as cterasdk's ``users.modify`` does; a
    listing or get-multi holds only some attributes). Returns what is known of the user after the PUT (``obj``
    updated by the object as written), without the password.
    """
    path = session.path("users", name)
    body = session.get(path, what="read user %r" % name)
    if not isinstance(body, dict):
        raise ApiError("read user %r: the portal answered no user object" % name)
    attributes = dict(USER_FIELDS)
    for option, value in changes.items():
        if option in attributes:
            body[attributes[option]] = wire_role(value) if option == "role" else value
    body["password"] = changes.get("password")
    session.put(path, body, what="update user %r" % name)
    after = dict(obj)
    after.update(body, password=None)
    return after


def delete_user(session, name):
    session.execute(session.path("users", name), "delete", True, what="delete user %r" % name)
    directory = session.cache.get("groups")
    if directory is not None:
        directory.forget(name)
