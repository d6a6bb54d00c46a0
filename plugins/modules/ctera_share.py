#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_share
short_description: Manage shares of a CTERA Edge Filer
version_added: 0.1.0
description:
  - Creates, updates and deletes SMB/NFS shares of a CTERA Edge Filer, with their access control list, trusted NFS
    clients and export settings.
  - Only the options you give are managed. An option you leave out is never changed on an existing share; a new
    share gets the filer's defaults for it (Windows ACL emulation, manual client-side caching, no NFS/AFP/FTP
    export, not indexed, no ACL entries, no trusted NFS clients).
  - Lists (O(acl), O(trusted_nfs_clients)) are compared as sets; their order does not matter.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the share and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed share settings before and after.
options:
  name:
    description:
      - Share name. Compared case-insensitively, as SMB does; an existing share keeps the case it was created with.
      - 'Up to 80 characters, none of C(\ / : * ? " < > |). Spaces, C(&), C(#), C(%) and non-ASCII letters are fine.'
    type: str
    required: true
  directory:
    description:
      - Shared folder as C(volume/path), for example C(cloud/users/docs); C(cloud) alone shares the whole volume.
        A leading C(/) is ignored.
      - The first segment must be a volume of the filer (checked before anything is written); the folder must exist.
      - Required to create a share.
    type: str
  acl:
    description:
      - Access control entries of the share. How they combine with the entries already on the share is set by
        O(acl_mode).
      - An entry is identified by O(acl[].type) and O(acl[].name) (names compared case-insensitively).
    type: list
    elements: dict
    suboptions:
      type:
        description: Principal type.
        type: str
        required: true
        choices: [local_user, local_group, domain_user, domain_group]
      name:
        description:
          - Principal name. Local users and groups must exist on the filer; domain principals are given as
            C(DOMAIN\name).
        type: str
        required: true
      permission:
        description: Access granted. Required unless O(acl_mode=remove).
        type: str
        choices: [ReadWrite, ReadOnly, None]
  acl_mode:
    description:
      - V(exact) makes the share's ACL exactly O(acl) (entries not listed are removed; an empty list removes all).
      - V(append) adds the entries of O(acl) and sets the permission of listed principals that already have an
        entry; other entries stay.
      - V(remove) removes the entries of the principals listed in O(acl) (O(acl[].permission) is ignored); other
        entries stay.
    type: str
    choices: [exact, append, remove]
    default: exact
  trusted_nfs_clients:
    description:
      - Hosts or networks allowed to mount the share over NFS. How they combine with the entries already on the share
        is set by O(trusted_nfs_clients_mode). An entry is identified by O(trusted_nfs_clients[].address) and
        O(trusted_nfs_clients[].netmask).
    type: list
    elements: dict
    suboptions:
      address:
        description: IP address or network address.
        type: str
        required: true
      netmask:
        description: Netmask in dotted form, for example C(255.255.255.0); C(255.255.255.255) for one host.
        type: str
        required: true
      access:
        description: Access granted to the client.
        type: str
        choices: [ReadWrite, ReadOnly, None]
        default: ReadWrite
      insecure:
        description: Allow connections from ports above 1023.
        type: bool
        default: false
  trusted_nfs_clients_mode:
    description: Like O(acl_mode), for O(trusted_nfs_clients).
    type: str
    choices: [exact, append, remove]
    default: exact
  access:
    description: V(winAclMode) (Windows ACL emulation) or V(authenticated) (any authenticated user).
    type: str
    choices: [winAclMode, authenticated]
  csc:
    description: Client-side caching (offline files) of SMB clients.
    type: str
    choices: [manual, documents, disable]
  dir_permissions:
    description:
      - Unix permissions of the shared folder as octal digits, for example V(755).
      - Only on firmware before 7.12.5400; giving it for a newer filer is an error.
    type: int
  export_to_nfs:
    description: Export the share over NFS.
    type: bool
  export_to_afp:
    description: Export the share over AFP.
    type: bool
  export_to_ftp:
    description: Export the share over FTP.
    type: bool
  export_to_rsync:
    description: Export the share over rsync. Only on firmware before 7.12.5400; an error for a newer filer.
    type: bool
  export_to_pc_agent:
    description: Make the share available to CTERA PC agents. Only on firmware before 7.12.5400; an error for a newer filer.
    type: bool
  indexed:
    description: Index the share for search.
    type: bool
  comment:
    description: Comment shown to SMB clients. An empty string clears it.
    type: str
  state:
    description:
      - V(present) makes the share exist with the given settings; V(absent) deletes it (other options are ignored).
      - Deleting a share never deletes the shared folder or its files.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Within one task (for example a loop over many shares) the filer's share list is read once.
seealso:
  - module: filefleet.office.ctera_share_info
'''

EXAMPLES = r'''
- name: Team documents share with an exact ACL
  filefleet.office.ctera_share:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    name: docs
    directory: cloud/users/docs
    comment: Team documents
    acl:
      - {type: local_group, name: Administrators, permission: ReadWrite}
      - {type: domain_group, name: 'CORP\Domain Users', permission: ReadOnly}

- name: Grant one more group read access, keeping every other entry
  filefleet.office.ctera_share:
    name: docs
    acl:
      - {type: domain_group, name: 'CORP\Auditors', permission: ReadOnly}
    acl_mode: append

- name: Export over NFS to one subnet; nothing else about the share changes
  filefleet.office.ctera_share:
    name: "Projects & Plans"
    export_to_nfs: true
    trusted_nfs_clients:
      - {address: 10.1.0.0, netmask: 255.255.255.0, access: ReadWrite}

- name: Shares of every filer, connection from the inventory
  module_defaults:
    group/filefleet.office.ctera_edge:
      edge_url: "{{ edge_url }}"
      edge_username: "{{ edge_username }}"
      edge_password: "{{ edge_password }}"
  filefleet.office.ctera_share:
    name: "{{ item.name }}"
    directory: "{{ item.directory }}"
  loop: "{{ office_shares }}"

- name: The old share is gone (its files stay)
  filefleet.office.ctera_share:
    name: old-docs
    state: absent
'''

RETURN = r'''
share:
  description: The share after the task (predicted in check mode); null when it is absent.
  returned: always
  type: dict
  sample:
    name: docs
    directory: cloud/users/docs
    access: winAclMode
    csc: manual
    export_to_nfs: false
    export_to_afp: false
    export_to_ftp: false
    indexed: false
    comment: Team documents
    acl:
      - {type: local_group, name: Administrators, permission: ReadWrite}
    trusted_nfs_clients: []
  contains:
    name:
      description: Share name.
      type: str
    directory:
      description: Shared folder as C(volume/path).
      type: str
    access:
      description: Access mode.
      type: str
    csc:
      description: Client-side caching mode.
      type: str
    export_to_nfs:
      description: Exported over NFS.
      type: bool
    export_to_afp:
      description: Exported over AFP.
      type: bool
    export_to_ftp:
      description: Exported over FTP.
      type: bool
    indexed:
      description: Indexed for search.
      type: bool
    comment:
      description: Comment, or null.
      type: str
    acl:
      description: Access control entries, each with C(type), C(name) and C(permission).
      type: list
      elements: dict
    trusted_nfs_clients:
      description: Trusted NFS clients, each with C(address), C(netmask), C(access) and C(insecure).
      type: list
      elements: dict
    dir_permissions:
      description: Unix permissions of the folder. Only on firmware before 7.12.5400.
      type: int
    export_to_rsync:
      description: Exported over rsync. Only on firmware before 7.12.5400.
      type: bool
    export_to_pc_agent:
      description: Available to PC agents. Only on firmware before 7.12.5400.
      type: bool
diff:
  description: Changed settings before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
'''

import re

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule

from ansible_collections.filefleet.office.plugins.module_utils._common import make_diff, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import (
    CREATE_DEFAULTS, CREATE_DEFAULTS_V1, LIST_MODES, PERMISSIONS, PRINCIPALS, SCALAR_FIELDS, SHARE_NAME_FORBIDDEN,
    SHARES_PATH, V1_FIELDS, ShareDirectory, ace_comparable, ace_from_obj, ace_key, ace_to_obj, as_text,
    nfs_comparable, nfs_from_obj, nfs_key, nfs_to_obj, share_directory, share_view,
)

OCTAL_RE = re.compile(r"^[0-7]{1,3}$")
# ShareConfig attribute -> key of the returned share (for the diff)
VIEW_KEY = dict([(a, o) for o, a in SCALAR_FIELDS + V1_FIELDS],
                volume="directory", directory="directory", acl="acl", trustedNFSClients="trusted_nfs_clients")


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        directory=dict(type="str"),
        acl=dict(type="list", elements="dict", options=dict(
            type=dict(type="str", required=True, choices=sorted(PRINCIPALS)),
            name=dict(type="str", required=True),
            permission=dict(type="str", choices=list(PERMISSIONS)),
        )),
        acl_mode=dict(type="str", choices=list(LIST_MODES), default="exact"),
        trusted_nfs_clients=dict(type="list", elements="dict", options=dict(
            address=dict(type="str", required=True),
            netmask=dict(type="str", required=True),
            access=dict(type="str", choices=list(PERMISSIONS), default="ReadWrite"),
            insecure=dict(type="bool", default=False),
        )),
        trusted_nfs_clients_mode=dict(type="str", choices=list(LIST_MODES), default="exact"),
        access=dict(type="str", choices=["winAclMode", "authenticated"]),
        csc=dict(type="str", choices=["manual", "documents", "disable"]),
        dir_permissions=dict(type="int"),
        export_to_nfs=dict(type="bool"),
        export_to_afp=dict(type="bool"),
        export_to_ftp=dict(type="bool"),
        export_to_rsync=dict(type="bool"),
        export_to_pc_agent=dict(type="bool"),
        indexed=dict(type="bool"),
        comment=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


# -- input validation (before any request) -------------------------------------------------------------------

def _valid_netmask(netmask):
    octets = netmask.split(".")
    if len(octets) != 4 or not all(o.isdigit() and int(o) <= 255 for o in octets):
        return False
    bits = "".join("{0:08b}".format(int(o)) for o in octets)
    return "01" not in bits


def validate(params):
    """Reject bad input before any request; returns (name, (volume, directory) or None)."""
    name = params["name"] or ""
    if not name.strip():
        raise ValueError("name must not be empty")
    if name != name.strip() or len(name) > 80 or any(ch in SHARE_NAME_FORBIDDEN for ch in name):
        raise ValueError("name %r is not a valid share name: up to 80 characters, no leading or trailing spaces, "
                         "none of \\ / : * ? \" < > |" % name)
    location = None
    if params["directory"] is not None:
        path = params["directory"].strip().strip("/")
        segments = path.split("/")
        if not path or any(s in ("", ".", "..") for s in segments):
            raise ValueError("directory %r must be 'volume/path' (for example cloud/users/docs), without empty, "
                             "'.' or '..' segments" % params["directory"])
        location = (segments[0], "/".join(segments[1:]))
    if params["acl"] is not None:
        seen = {}
        for entry in params["acl"]:
            if not (entry["name"] or "").strip():
                raise ValueError("acl: every entry needs a non-empty name")
            if entry["type"] in ("local_user", "local_group") and "#" in entry["name"]:
                raise ValueError("acl: %s name %r must not contain '#'" % (entry["type"], entry["name"]))
            if entry["permission"] is None and params["acl_mode"] != "remove":
                raise ValueError("acl: entry %s %r needs a permission (ReadWrite, ReadOnly or None) unless "
                                 "acl_mode=remove" % (entry["type"], entry["name"]))
            key = ace_key(entry)
            if key in seen and seen[key] != entry["permission"]:
                raise ValueError("acl: %s %r is listed twice with different permissions" % (entry["type"], entry["name"]))
            seen[key] = entry["permission"]
    if params["trusted_nfs_clients"] is not None:
        seen = {}
        for entry in params["trusted_nfs_clients"]:
            address = (entry["address"] or "").strip()
            if not address or " " in address:
                raise ValueError("trusted_nfs_clients: address %r is not a host or network address" % entry["address"])
            if not _valid_netmask(entry["netmask"] or ""):
                raise ValueError("trusted_nfs_clients: netmask %r of %s is not a dotted netmask such as 255.255.255.0"
                                 % (entry["netmask"], address))
            key = nfs_key(entry)
            if key in seen and seen[key] != (entry["access"], entry["insecure"]):
                raise ValueError("trusted_nfs_clients: %s/%s is listed twice with different settings" % key)
            seen[key] = (entry["access"], entry["insecure"])
    if params["dir_permissions"] is not None and not OCTAL_RE.match(str(params["dir_permissions"])):
        raise ValueError("dir_permissions %r must be up to three octal digits (0-7), for example 755"
                         % params["dir_permissions"])
    return name, location


# -- desired state --------------------------------------------------------------------------------------------

def merge_list(current, given, mode, key):
    """Combine the entries on the share with the given ones according to ``mode`` (exact, append, remove)."""
    if given is None:
        return None
    if mode == "exact":
        result, seen = [], set()
        for entry in given:
            if key(entry) not in seen:
                seen.add(key(entry))
                result.append(entry)
        return result
    given_by_key = dict((key(e), e) for e in given)
    if mode == "remove":
        return [e for e in current if key(e) not in given_by_key]
    result, used = [], set()
    for entry in current:
        if key(entry) in given_by_key:
            result.append(given_by_key[key(entry)])
            used.add(key(entry))
        else:
            result.append(entry)
    for entry in given:
        if key(entry) not in used:
            used.add(key(entry))
            result.append(entry)
    return result


def desired_attributes(params, location, current, v1):
    """ShareConfig attributes to converge to (only those the user manages)."""
    wanted = {}
    if location is not None:
        wanted["volume"], wanted["directory"] = location
    for option, attribute in SCALAR_FIELDS + (V1_FIELDS if v1 else ()):
        value = params[option]
        if value is None:
            continue
        if option == "comment" and value == "":
            value = None
        wanted[attribute] = value
    current = current or {}
    if params["acl"] is not None:
        given = [{"type": e["type"], "name": e["name"].strip(), "permission": e["permission"]} for e in params["acl"]]
        have = [ace_from_obj(r) for r in (current.get("acl") or []) if isinstance(r, dict)]
        wanted["acl"] = merge_list(have, given, params["acl_mode"], ace_key)
    if params["trusted_nfs_clients"] is not None:
        given = [{"address": e["address"].strip(), "netmask": e["netmask"], "access": e["access"],
                  "insecure": e["insecure"]} for e in params["trusted_nfs_clients"]]
        have = [nfs_from_obj(o) for o in (current.get("trustedNFSClients") or []) if isinstance(o, dict)]
        wanted["trustedNFSClients"] = merge_list(have, given, params["trusted_nfs_clients_mode"], nfs_key)
    return wanted


def changed_attributes(current, wanted):
    changed = []
    for attribute, value in wanted.items():
        have = current.get(attribute)
        if attribute in ("volume", "directory"):
            if share_directory(current) != share_directory(wanted):
                changed.append(attribute)
        elif attribute == "acl":
            have_set = set(ace_comparable(ace_from_obj(r)) for r in (have or []) if isinstance(r, dict))
            if have_set != set(ace_comparable(e) for e in value):
                changed.append(attribute)
        elif attribute == "trustedNFSClients":
            have_set = set(nfs_comparable(nfs_from_obj(o)) for o in (have or []) if isinstance(o, dict))
            if have_set != set(nfs_comparable(e) for e in value):
                changed.append(attribute)
        elif attribute == "comment":
            if (as_text(have) or None) != value:
                changed.append(attribute)
        elif attribute == "dirPermissions":
            if have is None or int(have) != int(value):
                changed.append(attribute)
        elif attribute in ("access", "clientSideCaching"):
            if as_text(have) != value:
                changed.append(attribute)
        elif bool(have) != bool(value):
            changed.append(attribute)
    return changed


def apply_attributes(obj, wanted, attributes):
    """``obj`` with ``attributes`` of ``wanted`` written the way the filer stores them."""
    out = dict(obj)
    existing_nfs = dict((nfs_key(nfs_from_obj(o)), o) for o in (obj.get("trustedNFSClients") or []) if isinstance(o, dict))
    for attribute in attributes:
        value = wanted[attribute]
        if attribute == "acl":
            value = [ace_to_obj(e) for e in value]
        elif attribute == "trustedNFSClients":
            value = [nfs_to_obj(e, existing_nfs.get(nfs_key(e))) for e in value]
        out[attribute] = value
    return out


# -- the module --------------------------------------------------------------------------------------------

def ensure(module, scope):
    params = module.params
    name, location = validate(params)
    session = edge_session(scope, params)
    v1 = session.shares_v1
    unsupported = [option for option, _a in V1_FIELDS if params[option] is not None]
    if unsupported and not v1 and params["state"] == "present":
        raise ValueError("%s: not available on %s, which runs firmware %s; these options exist only on firmware "
                         "before 7.12.5400" % (", ".join(unsupported), session.hostname, session.firmware))
    directory = ShareDirectory.of(session)
    current = directory.find(name)

    if params["state"] == "absent":
        result = {"changed": False, "share": None}
        if current is not None:
            if not module.check_mode:
                session.delete(session.path(SHARES_PATH, as_text(current["name"])),
                               what="delete share %r" % as_text(current["name"]))
                directory.remove(current)
            result["changed"] = True
            if module._diff:
                result["diff"] = {"before": share_view(current, v1), "after": {}}
        return result

    wanted = desired_attributes(params, location, current, v1)
    if current is None:
        if location is None:
            raise ValueError("share %r does not exist on %s; to create it give directory (volume/path)"
                             % (name, session.hostname))
        check_volume(directory, location, session)
        new = dict(CREATE_DEFAULTS, **(CREATE_DEFAULTS_V1 if v1 else {}))
        new = dict({"name": name}, **new)
        new = apply_attributes(new, wanted, list(wanted))
        after = new
        if not module.check_mode:
            session.database(session.path(SHARES_PATH), "add", new, what="create share %r" % name)
            stored = session.get(session.path(SHARES_PATH, name), what="read share %r" % name)
            after = stored if isinstance(stored, dict) and stored.get("name") else new
            directory.replace(None, after)
        result = {"changed": True, "share": share_view(after, v1)}
        if module._diff:
            result["diff"] = {"before": {}, "after": result["share"]}
        return result

    changed = changed_attributes(current, wanted)
    if "volume" in changed or "directory" in changed:
        check_volume(directory, location, session)
    after = apply_attributes(current, wanted, changed)
    if changed and not module.check_mode:
        stored_name = as_text(current["name"])
        stored = session.put(session.path(SHARES_PATH, stored_name), after, what="update share %r" % stored_name)
        if isinstance(stored, dict) and stored.get("name"):
            after = stored
        directory.replace(current, after)
    result = {"changed": bool(changed), "share": share_view(after, v1)}
    if module._diff and changed:
        keys = list(dict.fromkeys(VIEW_KEY[a] for a in changed))
        result["diff"] = make_diff(share_view(current, v1), result["share"], keys)
    return result


def check_volume(directory, location, session):
    volumes = directory.volumes()
    if location[0] not in volumes:
        raise ValueError("directory %r: %r is not a volume of %s (volumes: %s)"
                         % ("/".join(p for p in location if p), location[0], session.hostname,
                            ", ".join(sorted(volumes)) or "none"))


def run_module(module):
    run(module, ensure, extra_libraries=[XML_LIBRARY])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
