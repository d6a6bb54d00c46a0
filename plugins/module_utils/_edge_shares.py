# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Edge Filer shares (ctera-protocol.md section 5.3): the object mapping shared by ctera_share and ctera_share_info.

A share is a ``ShareConfig`` object under ``/config/fileservices/share``. Firmware before 7.12.5400 (the SDK's
``SharesV1``) adds ``dirPermissions``, ``exportToPCAgent`` and ``exportToRSync``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

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
LIST_MODES = ("exact", "append", "remove")

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
    """Undo the XML decoder's type sniffing for text fields."""
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
    volume = as_text(obj.get("volume")) or ""
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
            found = self.session.get(self.session.path(SHARES_PATH), what="list shares") or []
            self._shares = [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []
        return self._shares

    def volumes(self):
        if self._volumes is None:
            found = self.session.execute(self.session.path("status/fileManager"), "listPhysicalFolders",
                                         {"path": "/"}, what="list volumes") or []
            self._volumes = [as_text(v.get("fullpath") or "").strip("/") for v in found if isinstance(v, dict)]
        return self._volumes

    def find(self, name):
        return find_share(self.shares(), name)

    def replace(self, old, new):
        shares = self.shares()
        for index, share in enumerate(shares):
            if share is old:
                shares[index] = new
                return
        shares.append(new)

    def remove(self, share):
        self._shares = [s for s in self.shares() if s is not share]
