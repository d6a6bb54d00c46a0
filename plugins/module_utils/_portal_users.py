# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Portal local users and their group membership (ctera-protocol.md sections 4.1 to 4.8)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

# Portal role names. The SDK sends the misspelt "ComplianceOffer"; a real portal names the role ComplianceOfficer.
ROLES = ("Disabled", "EndUser", "ReadWriteAdmin", "ReadOnlyAdmin", "Support", "ComplianceOfficer")
ROLE_ALIASES = {"complianceoffer": "ComplianceOfficer"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
NAME_FORBIDDEN = re.compile(r"[/\\#?%]")

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
        if value < 0:
            raise ValueError("password_change must be a date (YYYY-MM-DD), a number of days >= 0, true or false; got %r" % value)
        return ("days", value)
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return ("now", None)
    if lowered in ("false", "no", "off", "", "none"):
        return ("none", None)
    if text.isdigit():
        return ("days", int(text))
    try:
        return ("date", datetime.datetime.strptime(text, "%Y-%m-%d").date())
    except ValueError:
        raise ValueError("password_change must be a date (YYYY-MM-DD), a number of days >= 0, true or false; got %r" % value)


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


def user_reference(session, user, tenant):
    """``(stored name, reference)`` of a user of the tenant, or None when there is no such user."""
    obj = session.get(session.path("users", user), what="read user %r" % user, missing_ok=True)
    if not obj or not obj.get("name"):
        return None
    name = as_text(obj.get("name"))
    return name, obj.get("baseObjectRef") or "objs/%s/%s/PortalUser/%s" % (obj.get("uid"), tenant, name)


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
