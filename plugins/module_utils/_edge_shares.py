# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Edge Filer shares (docs/protocol-ctera.md#edge-filer-shares): the object mapping shared by ctera_share and ctera_share_info.

A share is a ``ShareConfig`` object under ``/config/fileservices/share``. Firmware before 7.12.5400 (the SDK's
``SharesV1``) adds ``dirPermissions``, ``exportToPCAgent`` and ``exportToRSync``.

The modules see a share as a *view* keyed by ctera_share's option names (``share_view``); changes to a view are
written back onto the ShareConfig object with ``apply_changes``. Input validation lives here too, so that it runs
before any request.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ipaddress
import re

from ansible_collections.filefleet.office.plugins.module_utils._http import UnexpectedAnswer

SHARES_PATH = "config/fileservices/share"
ACCESS_MODES = ("winAclMode", "authenticated")
CSC_MODES = ("manual", "documents", "disable")
PERMISSIONS = ("ReadWrite", "ReadOnly", "None")
# module principal type -> (XML class, local reference prefix or None for domain principals)
PRINCIPALS = {
    "local_user": ("LocalUser", "#config#auth#users#"),
    "local_group": ("LocalGroup", "#config#auth#groups#"),
    "domain_user": ("DomainUser", None),
    "domain_group": ("DomainGroup", None),
}
PRINCIPAL_TYPES = dict((cls, kind) for kind, (cls, _prefix) in PRINCIPALS.items())
SHARE_NAME_FORBIDDEN = '\\/:*?"<>|'
OCTAL_RE = re.compile(r"^[0-7]{1,3}$")

# module option -> ShareConfig attribute (scalars)
SCALAR_FIELDS = (
    ("access", "access"),
    ("csc", "clientSideCaching"),
    ("export_to_nfs", "exportToNFS"),
    ("export_to_afp", "exportToAFP"),
    ("export_to_ftp", "exportToFTP"),
    ("indexed", "indexed"),
    ("comment", "comment"),
)
V1_FIELDS = (
    ("dir_permissions", "dirPermissions"),
    ("export_to_pc_agent", "exportToPCAgent"),
    ("export_to_rsync", "exportToRSync"),
)
# The filer's defaults for a new share (those of cterasdk's shares.add).
CREATE_DEFAULTS = {"access": "winAclMode", "clientSideCaching": "manual", "exportToAFP": False, "exportToFTP": False,
                   "exportToNFS": False, "indexed": False, "comment": None, "acl": [], "trustedNFSClients": []}
CREATE_DEFAULTS_V1 = {"dirPermissions": 777, "exportToPCAgent": False, "exportToRSync": False}


def as_text(value):
    """A decoded scalar as the text the filer sent (the decoder types only what encodes back to the same text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- ACL entries --------------------------------------------------------------------------------------------

def ace_from_obj(rule):
    """``ShareACLRule`` -> ``{type, name, permission}``."""
    principal = rule.get("principal2") or {}
    cls = principal.get("_classname")
    kind = PRINCIPAL_TYPES.get(cls, cls)
    if cls in ("LocalUser", "LocalGroup"):
        name = as_text(principal.get("ref") or "").rsplit("#", maxsplit=1)[-1]
    else:
        name = as_text(principal.get("name"))
    permissions = rule.get("permissions") or {}
    return {"type": kind, "name": name, "permission": as_text(permissions.get("allowedFileAccess"))}


def ace_to_obj(entry):
    cls, prefix = PRINCIPALS[entry["type"]]
    principal = {"_classname": cls}
    if prefix:
        principal["ref"] = prefix + entry["name"]
    else:
        principal["name"] = entry["name"]
    return {"_classname": "ShareACLRule", "principal2": principal,
            "permissions": {"_classname": "FileAccessPermissions", "allowedFileAccess": entry["permission"]}}


def ace_key(entry):
    # Windows principals are case-insensitive.
    return (entry["type"], (entry["name"] or "").lower())


def ace_comparable(entry):
    return ace_key(entry) + (entry["permission"],)


# -- trusted NFS clients ------------------------------------------------------------------------------------

def nfs_from_obj(obj):
    return {"address": as_text(obj.get("address")), "netmask": as_text(obj.get("netmask")),
            "access": as_text(obj.get("accessLevel")), "insecure": bool(obj.get("insecure"))}


def nfs_to_obj(entry, existing=None):
    obj = dict(existing or {})
    obj.update({"address": entry["address"], "netmask": entry["netmask"], "accessLevel": entry["access"],
                "noRootSquash": bool((existing or {}).get("noRootSquash", False)), "insecure": bool(entry["insecure"])})
    return obj


def nfs_key(entry):
    return (entry["address"], entry["netmask"])


def nfs_comparable(entry):
    return nfs_key(entry) + (entry["access"], bool(entry["insecure"]))


# -- whole shares -------------------------------------------------------------------------------------------

def share_directory(obj):
    """``volume/path`` of a ShareConfig object. The filer may answer ``directory`` with a leading ``/``
    (``/users/docs``, as CTERA's own Ansible collection reads it) or without (``users/docs``, as cterasdk's
    ``shares.add`` sends it); both read the same."""
    volume = (as_text(obj.get("volume")) or "").strip("/")
    directory = (as_text(obj.get("directory")) or "").strip("/")
    return volume + ("/" + directory if directory else "")


def share_view(obj, v1):
    """A ShareConfig object as the modules return it."""
    if obj is None:
        return None
    view = {"name": as_text(obj.get("name")), "directory": share_directory(obj)}
    for option, attribute in SCALAR_FIELDS:
        value = obj.get(attribute)
        if option in ("access", "csc", "comment"):
            value = as_text(value) or None
        else:
            value = bool(value)
        view[option] = value
    view["acl"] = [ace_from_obj(rule) for rule in (obj.get("acl") or []) if isinstance(rule, dict)]
    view["trusted_nfs_clients"] = [nfs_from_obj(item) for item in (obj.get("trustedNFSClients") or [])
                                   if isinstance(item, dict)]
    if v1:
        perms = obj.get("dirPermissions")
        view["dir_permissions"] = int(perms) if perms not in (None, "") else None
        view["export_to_pc_agent"] = bool(obj.get("exportToPCAgent"))
        view["export_to_rsync"] = bool(obj.get("exportToRSync"))
    return view


def find_share(shares, name):
    """The share named ``name`` (exact case first, then case-insensitively, as SMB compares names)."""
    for share in shares:
        if as_text(share.get("name")) == name:
            return share
    for share in shares:
        if (as_text(share.get("name")) or "").lower() == name.lower():
            return share
    return None


def listed(found, what, method, path):
    """A listing's answer: a list (an empty answer is an empty list). Anything else is not the filer's answer to a
    listing: taken for "none", it would have a share created again or a volume reported missing."""
    if found is None:
        return []
    if not isinstance(found, list):
        raise UnexpectedAnswer("%s failed: the filer answered %s, not a list: %.200r" % (what, type(found).__name__, found),
                               method, path)
    return found


class ShareDirectory:
    """The filer's shares and volumes, read once per session (one GET for a loop over many shares)."""

    def __init__(self, session):
        self.session = session
        self._shares = None
        self._volumes = None

    @classmethod
    def of(cls, session):
        directory = session.cache.get("shares")
        if directory is None:
            directory = session.cache["shares"] = cls(session)
        return directory

    def shares(self):
        if self._shares is None:
            path = self.session.path(SHARES_PATH)
            found = listed(self.session.get(path, what="list shares"), "list shares", "GET", path)
            self._shares = [s for s in found if isinstance(s, dict)]
        return self._shares

    def volumes(self):
        if self._volumes is None:
            path = self.session.path("status/fileManager")
            found = listed(self.session.execute(path, "listPhysicalFolders", {"path": "/"}, what="list volumes"),
                           "list volumes", "POST", path)
            self._volumes = [as_text(v.get("fullpath") or "").strip("/") for v in found if isinstance(v, dict)]
        return self._volumes

    def find(self, name):
        return find_share(self.shares(), name)

    def forget(self):
        """Read the shares again on next use."""
        self._shares = None

    def replace(self, old, new):
        shares = self.shares()
        for index, share in enumerate(shares):
            if share is old:
                shares[index] = new
                return
        shares.append(new)

    def remove(self, share):
        self._shares = [s for s in self.shares() if s is not share]


def share_names(session):
    """Names of the filer's shares, sorted case-insensitively."""
    shares = ShareDirectory.of(session).shares()
    return sorted((as_text(s.get("name")) for s in shares if s.get("name")), key=str.lower)


# -- writing a view onto a ShareConfig object ---------------------------------------------------------------

def new_share(name, v1):
    """A ShareConfig object with the filer's defaults for a new share (those of cterasdk's shares.add)."""
    obj = {"name": name}
    obj.update(CREATE_DEFAULTS)
    if v1:
        obj.update(CREATE_DEFAULTS_V1)
    return obj


def apply_changes(obj, changes):
    """``obj`` with ``changes`` (keyed like a share view) written the way the filer stores them.

    Trusted NFS clients keep the attributes the view does not hold (``noRootSquash``)."""
    out = dict(obj)
    attributes = dict(SCALAR_FIELDS + V1_FIELDS)
    existing_nfs = dict((nfs_key(nfs_from_obj(o)), o) for o in (obj.get("trustedNFSClients") or []) if isinstance(o, dict))
    for key, value in changes.items():
        if key == "directory":
            # the form cterasdk sends: volume "cloud", directory "users/docs" ("" for the whole volume)
            out["volume"], _sep, out["directory"] = value.partition("/")
        elif key == "acl":
            out["acl"] = [ace_to_obj(e) for e in value]
        elif key == "trusted_nfs_clients":
            out["trustedNFSClients"] = [nfs_to_obj(e, existing_nfs.get(nfs_key(e))) for e in value]
        elif key in attributes:
            out[attributes[key]] = value
    return out


# -- comparison ---------------------------------------------------------------------------------------------

# list options -> the comparable form of one entry; the lists are compared as sets
LIST_COMPARABLE = {"acl": ace_comparable, "trusted_nfs_clients": nfs_comparable}


def lists_equal(key, have, want):
    """Whether two values of the list option ``key`` hold the same entries, in any order."""
    comparable = LIST_COMPARABLE[key]
    return set(comparable(e) for e in have or []) == set(comparable(e) for e in want or [])


# -- the given options --------------------------------------------------------------------------------------

def given_acl(params):
    return [{"type": e["type"], "name": e["name"].strip(), "permission": e["permission"]} for e in params["acl"]]


def given_nfs_clients(params):
    return [{"address": e["address"].strip(), "netmask": e["netmask"], "access": e["access"],
             "insecure": e["insecure"]} for e in params["trusted_nfs_clients"]]


# -- input validation (before any request) -------------------------------------------------------------------

def valid_address(address):
    """A dotted IPv4 address (what the filer's trusted NFS clients hold, next to a dotted netmask)."""
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return True


def valid_netmask(netmask):
    """A dotted IPv4 netmask: contiguous ones, then zeros (255.255.255.0, 255.255.255.255, 0.0.0.0)."""
    if not valid_address(netmask):
        return False
    bits = "{0:032b}".format(int(ipaddress.IPv4Address(netmask)))
    return "01" not in bits


def validate_name(name):
    name = name or ""
    if not name.strip():
        raise ValueError("name must not be empty")
    if name != name.strip() or len(name) > 80 or any(ch in SHARE_NAME_FORBIDDEN for ch in name):
        raise ValueError("name %r is not a valid share name: up to 80 characters, no leading or trailing spaces, "
                         "none of \\ / : * ? \" < > |" % name)
    return name


def validate_directory(directory):
    """``directory`` as a share view holds it (``volume/path``, no leading or trailing ``/``), or None."""
    if directory is None:
        return None
    path = directory.strip().strip("/")
    if not path or any(s in ("", ".", "..") for s in path.split("/")):
        raise ValueError("directory %r must be 'volume/path' (for example cloud/users/docs), without empty, "
                         "'.' or '..' segments" % directory)
    return path


def validate_acl(entries, mode):
    seen = {}
    for entry in entries or []:
        if not (entry["name"] or "").strip():
            raise ValueError("acl: every entry needs a non-empty name")
        if entry["type"] in ("local_user", "local_group") and "#" in entry["name"]:
            raise ValueError("acl: %s name %r must not contain '#'" % (entry["type"], entry["name"]))
        if entry["permission"] is None and mode != "remove":
            raise ValueError("acl: entry %s %r needs a permission (ReadWrite, ReadOnly or None) unless "
                             "acl_mode=remove" % (entry["type"], entry["name"]))
        key = ace_key(entry)
        if key in seen and seen[key] != entry["permission"]:
            raise ValueError("acl: %s %r is listed twice with different permissions" % (entry["type"], entry["name"]))
        seen[key] = entry["permission"]


def validate_nfs_clients(entries):
    seen = {}
    for entry in entries or []:
        address = entry["address"] or ""
        if not valid_address(address):
            raise ValueError("trusted_nfs_clients: address %r is not an IPv4 address; give a host or network address "
                             "such as 10.0.0.0 (four numbers from 0 to 255, no spaces)" % entry["address"])
        if not valid_netmask(entry["netmask"] or ""):
            raise ValueError("trusted_nfs_clients: netmask %r of %s is not a dotted netmask such as 255.255.255.0"
                             % (entry["netmask"], address))
        key = nfs_key(entry)
        if key in seen and seen[key] != (entry["access"], entry["insecure"]):
            raise ValueError("trusted_nfs_clients: %s/%s is listed twice with different settings" % key)
        seen[key] = (entry["access"], entry["insecure"])


def validate(params):
    """Reject bad ctera_share input before any request; returns ``(name, directory or None)``."""
    name = validate_name(params["name"])
    directory = validate_directory(params["directory"])
    validate_acl(params["acl"], params["acl_mode"])
    validate_nfs_clients(params["trusted_nfs_clients"])
    if params["dir_permissions"] is not None and not OCTAL_RE.match(str(params["dir_permissions"])):
        raise ValueError("dir_permissions %r must be up to three octal digits (0-7), for example 755"
                         % params["dir_permissions"])
    return name, directory


def check_v1_options(params, session):
    """Options of firmware before 7.12.5400 are an error for a newer filer."""
    unsupported = [option for option, _attribute in V1_FIELDS if params.get(option) is not None]
    if unsupported and not session.shares_v1:
        raise ValueError("%s: not available on %s, which runs firmware %s; these options exist only on firmware "
                         "before 7.12.5400" % (", ".join(unsupported), session.hostname, session.firmware))


def check_volume(session, directory):
    """``directory`` (``volume/path``) must be on a volume of the filer."""
    volume = directory.split("/")[0]
    volumes = ShareDirectory.of(session).volumes()
    if volume not in volumes:
        raise ValueError("directory %r: %r is not a volume of %s (volumes: %s)"
                         % (directory, volume, session.hostname, ", ".join(sorted(volumes)) or "none"))
