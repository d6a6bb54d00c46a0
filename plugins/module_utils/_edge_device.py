# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Edge Filer as a device: first administrator, host name, location, time, local users and groups, and the
Active Directory join, with the requests cterasdk 2.20.50 sends (edge/users.py, groups.py, config.py, ntp.py,
timezone.py, directoryservice.py). Wire protocol: docs/protocol-ctera.md#edge-filer-device-settings.

The readers here are shared by the device modules and ``edge_info``; the input checks run before any request.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, TransportError, check_answer
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import from_xml
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._portal import decode_error_body, server_message

LOGIN_INFO = "nosession/logininfo"
FIRST_USER = "nosession/createfirstuser"
WIZARD = "config/gui/openFirstTimeWizard"
DEVICE = "config/device"
TIME = "config/time"
USERS = "config/auth/users"
GROUPS = "config/auth/groups"
CIFS = "config/fileservices/cifs"
CIFS_STATUS = "status/fileservices/cifs"
# directoryservice.py disconnect(): back to this workgroup.
DEFAULT_WORKGROUP = "CTERA"
BUILTIN_GROUPS = ("Administrators", "Everyone", "Read Only Administrators")
# Member types as the option names them and as the filer's classes (cterasdk edge/enum.py PrincipalType).
MEMBER_TYPES = {"local_user": "LocalUser", "local_group": "LocalGroup", "domain_user": "DomainUser",
                "domain_group": "DomainGroup"}
MEMBER_OPTION = dict((v, k) for k, v in MEMBER_TYPES.items())
LOCAL_REF = {"LocalUser": "#config#auth#users#", "LocalGroup": "#config#auth#groups#"}

HOSTNAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
TIMEZONE = re.compile(r"\(GMT[+-]\d\d:\d\d\) \S.*")
NTP_SERVER = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]{0,252}")
USERNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
GROUPNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 ._-]{0,63}")
# DNS labels of 1 to 63 characters, none empty (``corp..example.com`` is no domain), 253 characters at most.
DOMAIN = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


# -- input checks (before any request) --------------------------------------------------------------------------
def check_username(name, option="name"):
    if not isinstance(name, str) or not USERNAME.fullmatch(name):
        raise ValueError("%s must be 1 to 64 letters, digits, '.', '_' or '-' (not starting with '.' or '-'), got %r"
                         % (option, name))
    return name


def check_groupname(name, option="name"):
    if not isinstance(name, str) or not GROUPNAME.fullmatch(name) or name != name.strip():
        raise ValueError("%s must be 1 to 64 letters, digits, spaces, '.', '_' or '-', not starting with a space, "
                         "'.' or '-', got %r" % (option, name))
    return name


def check_hostname(name):
    if not isinstance(name, str) or not HOSTNAME.fullmatch(name):
        raise ValueError("hostname must be 1 to 63 letters, digits or '-', not starting or ending with '-', got %r"
                         % (name,))
    return name


def check_timezone(zone):
    if not isinstance(zone, str) or not TIMEZONE.fullmatch(zone):
        raise ValueError("timezone must be a time zone as the filer names it, '(GMT+HH:MM) Name', for example "
                         "'(GMT+01:00) Amsterdam, Berlin, Stockholm', got %r" % (zone,))
    return zone


def check_ntp_servers(servers):
    bad = [s for s in servers if not isinstance(s, str) or not NTP_SERVER.fullmatch(s)]
    if bad:
        raise ValueError("ntp_servers must be host names or addresses, got %s" % ", ".join(repr(b) for b in bad))
    if len(set(s.casefold() for s in servers)) != len(servers):
        raise ValueError("ntp_servers must not name a server twice")
    return list(servers)


def check_domain(domain):
    if not isinstance(domain, str) or not DOMAIN.fullmatch(domain):
        raise ValueError("domain must be the DNS name of an Active Directory domain, for example corp.example.com, "
                         "got %r" % (domain,))
    return domain


# -- a session that can talk to a filer before it has an administrator -----------------------------------------
class SetupSession(EdgeSession):
    """An ``EdgeSession`` that also sends the filer's no-session requests (``nosession/logininfo``,
    ``nosession/createfirstuser``: the paths cterasdk's authenticators.py lets through without a session). It logs in
    only when a request needs a session."""

    def open_call(self, method, path, body=None, what=None):
        what = what or "%s %s" % (method, path)
        try:
            response = self._send(method, self.path(path), body, idempotent=method == "GET")
        except TransportError as exc:  # named after the operation, as in CteraXmlSession.call
            raise type(exc)("%s failed: %s" % (what, exc.message), exc.method, exc.url, exc.status)
        if response.status_code >= 400:
            message = server_message(decode_error_body(response)) or None
            self.http.raise_for_status(response, what, self.http.redact(message) if message else None)
        check_answer(response, "xml", what, self.http.redact, require_body=method == "GET")
        return from_xml(response.content) if response.content else None

    def initialized(self):
        """Whether the filer has its first administrator (``isfirstlogin`` false, as cterasdk's ``initialized``)."""
        info = self.open_call("GET", LOGIN_INFO, what="read the login information of %s" % self.http.base_url)
        if not isinstance(info, dict) or "isfirstlogin" not in info:
            raise ApiError("read the login information of %s: the answer has no isfirstlogin" % self.http.base_url)
        return not as_bool(info.get("isfirstlogin"))

    def create_first_user(self, username, password, email):
        self.open_call("POST", FIRST_USER, {"username": username, "password": password, "email": email or ""},
                       what="create the first administrator %r" % username)


def as_bool(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- readers ----------------------------------------------------------------------------------------------------
def read_wizard(session):
    return as_bool(session.get(session.path(WIZARD), what="read whether the first-time wizard is on"))


def read_settings(session):
    """``{hostname, location, timezone, ntp_servers}``: ``ntp_servers`` is [] while NTP is off."""
    device = session.get(session.path(DEVICE), what="read the device settings") or {}
    time_settings = session.get(session.path(TIME), what="read the time settings") or {}
    servers = time_settings.get("NTPServer")
    servers = [as_text(s) for s in (servers if isinstance(servers, list) else [servers] if servers else [])]
    ntp_on = as_text(time_settings.get("NTPMode")) == "enabled"
    return {"hostname": as_text(device.get("hostname")) or None, "location": as_text(device.get("location")) or None,
            "timezone": as_text(time_settings.get("TimeZone")) or None,
            "ntp_servers": servers if ntp_on else []}


def read_cifs(session):
    cifs = session.get(session.path(CIFS), what="read the SMB settings")
    if not isinstance(cifs, dict):
        raise ApiError("read the SMB settings of %s: the filer answered no settings object" % session.hostname)
    return cifs


def read_domain(session, cifs=None):
    """``{state, domain, workgroup}``: ``joined`` when the join status is 0 (directoryservice.py ``connected``)."""
    cifs = read_cifs(session) if cifs is None else cifs
    status = session.get(session.path(CIFS_STATUS, "joinStatus"), what="read the domain join status")
    joined = as_int(status) == 0 and as_text(cifs.get("type")) == "domain"
    return {"state": "joined" if joined else "left",
            "domain": (as_text(cifs.get("domain")) or None) if joined else None,
            "workgroup": None if joined else (as_text(cifs.get("workgroup")) or None)}


def user_view(user):
    return {"name": as_text(user.get("username")), "full_name": as_text(user.get("fullName")) or None,
            "email": as_text(user.get("email")) or None, "uid": as_int(user.get("uid"))}


def read_users(session):
    users = session.get(session.path(USERS), what="read the local users") or []
    return sorted((user_view(u) for u in (users if isinstance(users, list) else [users]) if isinstance(u, dict)),
                  key=lambda u: u["name"].lower())


def member_view(member):
    """``{type, name}`` of a member object (cterasdk types.py ``UserGroupEntry.from_server_object``)."""
    kind = as_text(member.get("_classname"))
    if kind in LOCAL_REF:
        ref = as_text(member.get("ref")) or ""
        name = ref[ref.rfind("#") + 1:]
    else:
        name = as_text(member.get("name"))
    return {"type": MEMBER_OPTION.get(kind, kind), "name": name}


def member_object(member):
    """The filer's object of a member ``{type, name}`` (types.py ``UserGroupEntry.to_server_object``)."""
    kind = MEMBER_TYPES[member["type"]]
    if kind in LOCAL_REF:
        return {"_classname": kind, "ref": LOCAL_REF[kind] + member["name"]}
    return {"_classname": kind, "name": member["name"]}


def member_key(member):
    """Domain names compare case-insensitively (Active Directory does), local names as written."""
    name = member["name"]
    return (member["type"], name.casefold() if member["type"].startswith("domain") else name)


def sorted_members(members):
    return sorted(members, key=lambda m: (m["type"], m["name"].lower()))


def group_view(group):
    members = group.get("members") or []
    members = members if isinstance(members, list) else [members]
    return {"name": as_text(group.get("name")), "description": as_text(group.get("description")) or None,
            "members": sorted_members(member_view(m) for m in members if isinstance(m, dict))}


def read_groups(session):
    groups = session.get(session.path(GROUPS), what="read the local groups") or []
    return sorted((group_view(g) for g in (groups if isinstance(groups, list) else [groups]) if isinstance(g, dict)),
                  key=lambda g: g["name"].lower())


__all__ = ["SetupSession", "read_settings", "read_domain", "read_users", "read_groups", "read_wizard"]
