# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device part of the Edge Filer simulator: factory state and first administrator, host name and location,
time zone and NTP, local users and groups, and the Active Directory join (a simulated directory).

``EdgeService`` (edge.py) takes these methods from ``DeviceMixin``; the rest of the filer lives there. Every
request is the one cterasdk 2.20.50 sends (edge/users.py, groups.py, config.py, ntp.py, timezone.py,
directoryservice.py). What no vendor source shows is listed, with its evidence, in edge.py's "Inferred behaviour".
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from simulators._base import random_secret

FIRST_UID = 600
# Factory time settings: the format of a time zone is the one of CTERA's own Ansible collection
# (ctera.ctera ctera_filer_timezone: "(GMT-05:00) Eastern Time (US , Canada)").
DEFAULT_TIMEZONE = "(GMT-08:00) Pacific Time (US , Canada)"
DEFAULT_NTP = ["0.pool.ntp.org", "1.pool.ntp.org"]
TIMEZONE_RE = re.compile(r"\(GMT[+-]\d\d:\d\d\) \S.*")
HOSTNAME_RE = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
USERNAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
GROUPNAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 ._-]{0,63}")
NTP_SERVER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]{0,252}")
BUILTIN_GROUPS = ("Administrators", "Everyone", "Read Only Administrators")
MEMBER_CLASSES = ("LocalUser", "LocalGroup", "DomainUser", "DomainGroup")
USER_FIELDS = ("username", "password", "fullName", "email", "uid")
GROUP_FIELDS = ("name", "description", "members")
# The simulated Active Directory every filer of one serve.py run can join (serve.py passes the same password).
DIRECTORY = {"domain": "corp.filefleet.test", "flat": "CORP", "username": "ad-admin",
             "users": ["ad-admin", "alice", "bob", "carol", "dave"],
             "groups": ["Domain Users", "Domain Admins", "Finance", "Sales", "Engineering"],
             "ous": ["OU=Offices,DC=corp,DC=filefleet,DC=test", "OU=Stockholm,OU=Offices,DC=corp,DC=filefleet,DC=test"]}
NOT_JOINED = 1  # joinStatus of a filer that is not joined (0 = joined, as directoryservice.py connected() tests)


class DeviceError(Exception):
    """An error answer of the device part: edge.py turns it into its ApiError."""

    def __init__(self, status, msg):
        Exception.__init__(self, msg)
        self.status = status
        self.msg = msg


def password_hash(salt, password):
    return hashlib.sha256(("%s:%s" % (salt, password)).encode("utf-8")).hexdigest()


def default_hostname(index):
    """A factory host name: the model family and the last digits of the serial number (unknown; see edge.py)."""
    return "vGateway-%04d" % ((index + 1) % 10000)


def directory_state(password=None):
    directory = dict(DIRECTORY, password=password or random_secret())
    return directory


class DeviceMixin:
    """Factory state, settings, local users and groups, Active Directory. Needs ``self.state`` and ``self.lock``."""

    factory = False          # serve.py --edge-factory: this filer starts without an administrator
    directory_password = None  # the simulated directory's administrator password (serve.py, one per run)

    # -- state ---------------------------------------------------------------------------------------------
    def device_initial(self, state, credentials):
        """Fill the device part of a new ``state``; ``credentials``: the administrator (created at once, or the
        one a factory filer's setup is expected to create)."""
        config = state["config"]
        users = config["auth"]["users"]
        admin = users[0] if users else None
        state["expected_credentials"] = dict(credentials)
        state["directory"] = directory_state(self.directory_password or (self.state or {}).get(
            "directory", {}).get("password"))
        state["domain_join"] = {"joined": False, "ou": None, "since": None}
        state["user_secrets"] = {}
        state["initialized"] = not self.factory
        config["time"] = {"_classname": "TimeSettings", "TimeZone": DEFAULT_TIMEZONE, "NTPMode": "enabled",
                          "NTPServer": list(DEFAULT_NTP)}
        config["fileservices"]["cifs"] = {"_classname": "CIFSSettings", "mode": "enabled", "type": "workgroup",
                                          "workgroup": "CTERA", "domain": None, "passwordServer": None,
                                          "packetSigning": "Disabled", "hideUnreadable": False}
        for group in config["auth"]["groups"]:
            group.setdefault("members", [])
        if self.factory:
            # No administrator, the wizard on, a default host name, not connected, unlicensed.
            config["auth"]["users"] = []
            config["gui"]["openFirstTimeWizard"] = True
            config["device"]["hostname"] = default_hostname(self.index)
            config["device"]["location"] = ""
            config["device"]["activeLicenseType"] = "NA"
            config["services"] = None
            state["portal"] = {"connected": False, "since": time.time()}
            state["credentials"] = dict(credentials)
        elif admin is not None:
            self._set_password(state, admin["username"], credentials["password"])
            self._group(state, "Administrators")["members"] = [self._local_ref("LocalUser", admin["username"])]

    def device_on_load(self):
        """State written by an older simulator: a filer that was already set up."""
        state = self.state
        config = state["config"]
        state.setdefault("expected_credentials", dict(state["credentials"]))
        state.setdefault("directory", directory_state(self.directory_password))
        state.setdefault("domain_join", {"joined": False, "ou": None, "since": None})
        state.setdefault("user_secrets", {})
        state.setdefault("initialized", True)
        config.setdefault("time", {"_classname": "TimeSettings", "TimeZone": DEFAULT_TIMEZONE, "NTPMode": "enabled",
                                   "NTPServer": list(DEFAULT_NTP)})
        config["fileservices"].setdefault("cifs", {"_classname": "CIFSSettings", "mode": "enabled",
                                                   "type": "workgroup", "workgroup": "CTERA", "domain": None,
                                                   "passwordServer": None})
        for group in config["auth"]["groups"]:
            group.setdefault("members", [])
        for user in config["auth"]["users"]:
            if user["username"] == state["credentials"]["username"] and user["username"] not in state["user_secrets"]:
                self._set_password(state, user["username"], state["credentials"]["password"])

    def device_credentials_state(self):
        """What survives ``/_sim/reset``: the expected administrator and the directory's password. A reset filer is
        back in its initial state, a factory one without an administrator again."""
        expected = dict(self.state["expected_credentials"])
        return {"credentials": expected, "expected_credentials": expected}

    def directory_credentials(self):
        directory = self.state["directory"]
        return {"domain": directory["domain"], "username": directory["username"], "password": directory["password"]}

    # -- routes ----------------------------------------------------------------------------------------------
    def device_open_routes(self):
        return [("POST", r"nosession/createfirstuser", self._create_first_user)]

    def device_routes(self):
        """Rows placed before edge.py's generic ``config`` rows (the first matching row wins)."""
        users, groups = r"config/auth/users", r"config/auth/groups"
        return [
            ("POST", users, self._users_method),
            ("PUT", users + r"/([^/]+)", self._put_user),
            ("DELETE", users + r"/([^/]+)", self._delete_user),
            ("POST", groups, self._groups_method),
            ("PUT", groups + r"/([^/]+)", self._put_group),
            ("PUT", groups + r"/([^/]+)/members", self._put_members),
            ("DELETE", groups + r"/([^/]+)", self._delete_group),
            ("PUT", r"config/device/(hostname|location)", self._put_device_text),
            ("PUT", r"config/time/(TimeZone|NTPMode|NTPServer)", self._put_time),
            ("PUT", r"config/fileservices/cifs", self._put_cifs),
            ("PUT", r"config/fileservices/cifs/passwordServer", self._put_password_server),
            ("GET", r"status/fileservices/cifs(/.*)?", self._get_cifs_status),
            ("POST", r"status/fileservices/cifs", self._cifs_method),
        ]

    # -- helpers ---------------------------------------------------------------------------------------------
    @staticmethod
    def _group(state, name):
        for group in state["config"]["auth"]["groups"]:
            if group["name"] == name:
                return group
        return None

    @staticmethod
    def _local_ref(kind, name):
        return {"_classname": kind, "ref": ("#config#auth#users#" if kind == "LocalUser" else
                                            "#config#auth#groups#") + name}

    def _users(self):
        return self.state["config"]["auth"]["users"]

    def _groups(self):
        return self.state["config"]["auth"]["groups"]

    def _find_user(self, name):
        for user in self._users():
            if user["username"] == name:
                return user
        raise DeviceError(404, "User does not exist: %s" % name)

    def _find_group(self, name):
        group = self._group(self.state, name)
        if group is None:
            raise DeviceError(404, "Group does not exist: %s" % name)
        return group

    @staticmethod
    def _set_password(state, username, password):
        salt = secrets.token_hex(8)
        state["user_secrets"][username] = {"salt": salt, "hash": password_hash(salt, password)}

    def password_matches(self, username, password):
        """Whether ``password`` is the password of local user ``username`` (any local user may log in)."""
        if not any(user["username"] == username for user in self._users()):
            return False
        secret = self.state["user_secrets"].get(username)
        return bool(secret) and secrets.compare_digest(secret["hash"], password_hash(secret["salt"], password))

    def local_names(self, kind):
        """Names of the local users (``LocalUser``) or groups (``LocalGroup``) that exist now."""
        if kind == "LocalUser":
            return [user["username"] for user in self._users()]
        return [group["name"] for group in self._groups()]

    def domain_principal_problem(self, kind, name):
        """Why a domain principal cannot be named (None when it can): a joined filer knows its directory's users and
        groups, as ``FLAT\\name`` (the flat name and the account compared case-insensitively)."""
        if not self.state["domain_join"]["joined"]:
            return None
        directory = self.state["directory"]
        flat, _sep, account = name.rpartition("\\")
        known = directory["users"] if kind == "DomainUser" else directory["groups"]
        if flat.casefold() != directory["flat"].casefold() or account.casefold() not in [k.casefold() for k in known]:
            label = "Domain user" if kind == "DomainUser" else "Domain group"
            known_as = "%s\\<name>" % directory["flat"]
            return "%s does not exist: %s (the directory %s knows %s)" % (label, name, directory["domain"], known_as)
        return None

    @staticmethod
    def _text(value, field, required=False, limit=256):
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
            raise DeviceError(400, "Invalid value for %s" % field)
        return value

    # -- first administrator ---------------------------------------------------------------------------------
    def device_login_info(self):
        return {"isfirstlogin": not self.state["initialized"]}

    def _create_first_user(self, request):
        """``POST nosession/createfirstuser`` (users.py ``add_first_user``): only on a filer without a user."""
        body = self.parse_body(request)
        if self.state["initialized"]:
            raise DeviceError(403, "The first user was already created")
        if not isinstance(body, dict):
            raise DeviceError(400, "Invalid user")
        username = body.get("username")
        if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
            raise DeviceError(400, "Invalid value for username: %s" % username)
        password = body.get("password")
        if not isinstance(password, str) or not password:
            raise DeviceError(400, "A password is required")
        email = self._text(body.get("email"), "email") or ""
        self._users().append({"_classname": "UserConfig", "username": username, "fullName": None, "email": email,
                              "uid": FIRST_UID, "password": None})
        self._set_password(self.state, username, password)
        self._group(self.state, "Administrators")["members"] = [self._local_ref("LocalUser", username)]
        self.state["credentials"] = {"username": username, "password": password}
        self.state["initialized"] = True
        self.save()
        return self.xml_answer(None)

    # -- device and time -------------------------------------------------------------------------------------
    def _put_device_text(self, request, field):
        value = self.parse_body(request)
        if field == "hostname":
            if not isinstance(value, str) or not HOSTNAME_RE.fullmatch(value):
                raise DeviceError(400, "Invalid value for hostname: %s (letters, digits and '-', up to 63 characters, "
                                       "not starting or ending with '-')" % value)
        else:
            value = self._text(value, "location") or ""
        self.state["config"]["device"][field] = value
        self.save()
        return self.xml_answer(value)

    def _put_time(self, request, field):
        value = self.parse_body(request)
        if field == "TimeZone":
            if not isinstance(value, str) or not TIMEZONE_RE.fullmatch(value):
                raise DeviceError(400, "Invalid value for TimeZone: %s (expected e.g. (GMT+01:00) Stockholm)" % value)
        elif field == "NTPMode":
            if value not in ("enabled", "disabled"):
                raise DeviceError(400, "Invalid value for NTPMode: %s (allowed: enabled, disabled)" % value)
        else:
            value = [] if value is None else value
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or any(not isinstance(v, str) or not NTP_SERVER_RE.fullmatch(v)
                                                  for v in value):
                raise DeviceError(400, "Invalid value for NTPServer: expected a list of host names or addresses")
        self.state["config"]["time"][field] = value
        self.save()
        return self.xml_answer(value)

    # -- local users -----------------------------------------------------------------------------------------
    def _users_method(self, request):
        return self.call_method(request, {"add": self._add_user}, kind="db")

    def _user_fields(self, body, existing):
        unknown = [k for k in body if not k.startswith("_") and k not in USER_FIELDS]
        if unknown:
            raise DeviceError(400, "Unknown user attribute: %s" % ", ".join(sorted(unknown)))
        user = dict(existing or {"_classname": "UserConfig", "fullName": None, "email": None, "uid": None})
        for key in ("fullName", "email"):
            if key in body:
                user[key] = self._text(body[key], key)
        if body.get("uid") not in (None, ""):
            try:
                uid = int(body["uid"])
            except (TypeError, ValueError) as exc:
                raise DeviceError(400, "Invalid value for uid: expected an integer") from exc
            if not 1 <= uid <= 65533:
                raise DeviceError(400, "Invalid value for uid: %s (1 to 65533)" % uid)
            taken = [u["username"] for u in self._users() if u.get("uid") == uid and u is not existing]
            if taken:
                raise DeviceError(400, "uid %s is already used by %s" % (uid, taken[0]))
            user["uid"] = uid
        elif existing is None:
            used = set(u.get("uid") for u in self._users())
            user["uid"] = next(uid for uid in range(FIRST_UID + 1, 65534) if uid not in used)
        user["password"] = None
        return user

    def _add_user(self, param):
        """``db``/``add`` on ``config/auth/users`` (users.py ``add``): ``{username, password, fullName, email, uid}``."""
        if not isinstance(param, dict):
            raise DeviceError(400, "Invalid user")
        username = param.get("username")
        if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
            raise DeviceError(400, "Invalid value for username: %s" % username)
        if any(u["username"].casefold() == username.casefold() for u in self._users()):
            raise DeviceError(409, "User already exists: %s" % username)
        password = param.get("password")
        if not isinstance(password, str) or not password:
            raise DeviceError(400, "A password is required")
        user = self._user_fields(param, None)
        user["username"] = username
        self._users().append(user)
        self._set_password(self.state, username, password)
        self.save()
        return self.xml_answer("#config#auth#users#" + username)

    def _put_user(self, request, name):
        """The whole user, as users.py ``modify`` sends it back: a null password keeps the password."""
        user = self._find_user(name)
        body = self.parse_body(request)
        if not isinstance(body, dict):
            raise DeviceError(400, "Invalid user")
        if body.get("username", name) != name:
            raise DeviceError(400, "A user cannot be renamed")
        password = body.get("password")
        if password is not None and (not isinstance(password, str) or not password):
            raise DeviceError(400, "Invalid value for password")
        updated = self._user_fields(body, user)
        user.clear()
        user.update(updated)
        if password:
            self._set_password(self.state, name, password)
        self.save()
        return self.xml_answer(self.public(user))

    def _delete_user(self, request, name):
        self._find_user(name)
        if self.session_user(request) == name:
            raise DeviceError(400, "You cannot delete the user you are logged in as: %s" % name)
        self.state["config"]["auth"]["users"] = [u for u in self._users() if u["username"] != name]
        self.state["user_secrets"].pop(name, None)
        ref = self._local_ref("LocalUser", name)
        for group in self._groups():
            group["members"] = [m for m in group.get("members", []) if m != ref]
        self.save()
        return self.xml_answer(None)

    # -- local groups ----------------------------------------------------------------------------------------
    def _groups_method(self, request):
        return self.call_method(request, {"add": self._add_group}, kind="db")

    def _validate_members(self, members, group_name):
        if members is None:
            return []
        if not isinstance(members, list):
            raise DeviceError(400, "Invalid value for members: expected a list")
        out, seen = [], set()
        for member in members:
            kind = member.get("_classname") if isinstance(member, dict) else None
            if kind not in MEMBER_CLASSES:
                raise DeviceError(400, "Invalid member type (allowed: %s)" % ", ".join(MEMBER_CLASSES))
            if kind in ("LocalUser", "LocalGroup"):
                ref = member.get("ref")
                prefix = self._local_ref(kind, "")["ref"]
                if not isinstance(ref, str) or not ref.startswith(prefix):
                    raise DeviceError(400, "Invalid %s reference: %s" % (kind, ref))
                name = ref[len(prefix):]
                if name not in self.local_names(kind):
                    raise DeviceError(400, "%s does not exist: %s" % ("Local user" if kind == "LocalUser" else
                                                                      "Local group", name))
                if kind == "LocalGroup" and name == group_name:
                    raise DeviceError(400, "A group cannot be a member of itself: %s" % name)
                entry = {"_classname": kind, "ref": ref}
            else:
                name = member.get("name")
                if not isinstance(name, str) or not name.strip():
                    raise DeviceError(400, "Invalid %s name" % kind)
                if not self.state["domain_join"]["joined"]:
                    raise DeviceError(400, "The filer is not joined to a domain: %s" % name)
                problem = self.domain_principal_problem(kind, name)
                if problem:
                    raise DeviceError(400, problem)
                entry = {"_classname": kind, "name": name}
            key = (kind, name.casefold())
            if key not in seen:
                seen.add(key)
                out.append(entry)
        return out

    def _add_group(self, param):
        """``db``/``add`` on ``config/auth/groups``: ``{name, description, members}`` (inferred; see edge.py)."""
        if not isinstance(param, dict):
            raise DeviceError(400, "Invalid group")
        unknown = [k for k in param if not k.startswith("_") and k not in GROUP_FIELDS]
        if unknown:
            raise DeviceError(400, "Unknown group attribute: %s" % ", ".join(sorted(unknown)))
        name = param.get("name")
        if not isinstance(name, str) or not GROUPNAME_RE.fullmatch(name) or name != name.strip():
            raise DeviceError(400, "Invalid value for name: %s" % name)
        if any(g["name"].casefold() == name.casefold() for g in self._groups()):
            raise DeviceError(409, "Group already exists: %s" % name)
        group = {"_classname": "GroupConfig", "name": name,
                 "description": self._text(param.get("description"), "description") or "",
                 "members": self._validate_members(param.get("members"), name)}
        self._groups().append(group)
        self.save()
        return self.xml_answer("#config#auth#groups#" + name)

    def _put_group(self, request, name):
        group = self._find_group(name)
        body = self.parse_body(request)
        if not isinstance(body, dict):
            raise DeviceError(400, "Invalid group")
        if body.get("name", name) != name:
            raise DeviceError(400, "A group cannot be renamed")
        unknown = [k for k in body if not k.startswith("_") and k not in GROUP_FIELDS]
        if unknown:
            raise DeviceError(400, "Unknown group attribute: %s" % ", ".join(sorted(unknown)))
        description = self._text(body.get("description", group["description"]), "description") or ""
        members = self._validate_members(body.get("members", group["members"]), name)
        group.update(description=description, members=members)
        self.save()
        return self.xml_answer(group)

    def _put_members(self, request, name):
        """``PUT config/auth/groups/NAME/members`` (groups.py ``add_members``/``remove_members``): the whole list."""
        group = self._find_group(name)
        group["members"] = self._validate_members(self.parse_body(request), name)
        self.save()
        return self.xml_answer(group["members"])

    def _delete_group(self, _request, name):
        self._find_group(name)
        if name in BUILTIN_GROUPS:
            raise DeviceError(403, "A built-in group cannot be deleted: %s" % name)
        self.state["config"]["auth"]["groups"] = [g for g in self._groups() if g["name"] != name]
        ref = self._local_ref("LocalGroup", name)
        for group in self._groups():
            group["members"] = [m for m in group.get("members", []) if m != ref]
        self.save()
        return self.xml_answer(None)

    # -- Active Directory ------------------------------------------------------------------------------------
    def _put_cifs(self, request):
        """The whole SMB settings object, as directoryservice.py ``connect``/``disconnect`` send it back with
        ``type``, ``domain`` and ``workgroup`` changed. Leaving the domain (type workgroup, or another domain)
        ends the join."""
        body = self.parse_body(request)
        cifs = self.state["config"]["fileservices"]["cifs"]
        if not isinstance(body, dict):
            raise DeviceError(400, "Invalid SMB settings")
        unknown = [k for k in body if not k.startswith("_") and k not in cifs]
        if unknown:
            raise DeviceError(400, "Unknown SMB settings attribute: %s" % ", ".join(sorted(unknown)))
        kind = body.get("type", cifs["type"])
        if kind not in ("workgroup", "domain"):
            raise DeviceError(400, "Invalid value for type: %s (allowed: workgroup, domain)" % kind)
        domain, workgroup = body.get("domain", cifs["domain"]), body.get("workgroup", cifs["workgroup"])
        if kind == "domain" and (not isinstance(domain, str) or not domain.strip()):
            raise DeviceError(400, "A domain name is required")
        if kind == "workgroup" and (not isinstance(workgroup, str) or not workgroup.strip()):
            raise DeviceError(400, "A workgroup name is required")
        join = self.state["domain_join"]
        if join["joined"] and (kind != "domain" or str(domain).casefold() != str(cifs["domain"]).casefold()):
            join.update(joined=False, ou=None, since=None)
        for key, value in body.items():
            if not key.startswith("_"):
                cifs[key] = value
        self.save()
        return self.xml_answer(cifs)

    def _put_password_server(self, request):
        value = self.parse_body(request)
        self.state["config"]["fileservices"]["cifs"]["passwordServer"] = self._text(value, "passwordServer")
        self.save()
        return self.xml_answer(value)

    def _cifs_status(self):
        join = self.state["domain_join"]
        cifs = self.state["config"]["fileservices"]["cifs"]
        return {"_classname": "CIFSStatus", "joinStatus": 0 if join["joined"] else NOT_JOINED,
                "domain": cifs["domain"] if join["joined"] else None, "ouPath": join["ou"]}

    def _get_cifs_status(self, _request, tail=None):
        return self.walk_answer(self._cifs_status(), tail)

    def _cifs_method(self, request):
        return self.call_method(request, {"joinDomain": self._join_domain,
                                          "enumDiscoveredDomains": self._discovered_domains})

    def _join_domain(self, param):
        """``joinDomain`` ``{username, password[, ouPath]}`` after ``type`` domain was saved: the domain must be the
        simulated directory's, the account its administrator (``name``, ``FLAT\\name`` or ``name@domain``, case-
        insensitive) with its password, and an OU one of its OUs. A refusal leaves the filer not joined."""
        param = param if isinstance(param, dict) else {}
        cifs = self.state["config"]["fileservices"]["cifs"]
        directory = self.state["directory"]
        if cifs["type"] != "domain":
            raise DeviceError(500, "The filer is not configured for a domain (type is %s)" % cifs["type"])
        if str(cifs["domain"]).casefold() != directory["domain"].casefold():
            raise DeviceError(500, "Failed to join the domain %s: no domain controller was found" % cifs["domain"])
        account = str(param.get("username") or "")
        if "\\" in account:
            flat, _sep, account = account.rpartition("\\")
            account = account if flat.casefold() == directory["flat"].casefold() else ""
        elif "@" in account:
            account, _sep, suffix = account.partition("@")
            account = account if suffix.casefold() == directory["domain"].casefold() else ""
        password = param.get("password")
        if account.casefold() != directory["username"].casefold() or not isinstance(password, str) or \
                not secrets.compare_digest(password.encode("utf-8"), directory["password"].encode("utf-8")):
            raise DeviceError(500, "Failed to join the domain %s: wrong user name or password" % cifs["domain"])
        ou = param.get("ouPath")
        if ou not in (None, "") and str(ou).casefold() not in [o.casefold() for o in directory["ous"]]:
            raise DeviceError(500, "Failed to join the domain %s: organizational unit not found: %s"
                              % (cifs["domain"], ou))
        self.state["domain_join"] = {"joined": True, "ou": ou or None, "since": time.time()}
        self.save()
        return self.xml_answer(None)

    def _discovered_domains(self, _param):
        if not self.state["domain_join"]["joined"]:
            return self.xml_answer([])
        directory = self.state["directory"]
        return self.xml_answer([{"_classname": "DiscoveredDomain", "flatName": directory["flat"],
                                 "dnsName": directory["domain"]}])
