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
      - Leading or trailing whitespace is refused (not trimmed), also in O(acl[].name).
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
        description: IPv4 address of a host or a network, for example C(10.0.0.0). Host names and IPv6 are refused.
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

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import (
    LIST_COMPARABLE, PERMISSIONS, PRINCIPALS, SCALAR_FIELDS, SHARES_PATH, V1_FIELDS, ShareDirectory, ace_key,
    apply_changes, as_text, check_v1_options, check_volume, given_acl, given_nfs_clients, lists_equal, new_share, nfs_key,
    share_view, validate,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import LIST_MODES, Resource, ensure, merge_list

# options written as given (an empty comment clears it); the V1 ones only on firmware before 7.12.5400
SCALARS = tuple(option for option, _attribute in SCALAR_FIELDS)
SCALARS_V1 = tuple(option for option, _attribute in V1_FIELDS)


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


MODULE_KWARGS = dict(supports_check_mode=True, names=("name", "acl.name"))


class Share(Resource):
    """A share of the filer, as ``share_view`` shows it; ``self.obj`` is its ShareConfig object."""

    key = "share"

    def __init__(self, module, session, name, directory):
        super(Share, self).__init__(module, session)
        self.name = name
        self.directory = directory
        self.v1 = session.shares_v1
        self.shares = ShareDirectory.of(session)
        self.obj = None

    def read(self):
        self.obj = self.shares.find(self.name)
        return share_view(self.obj, self.v1)

    def desired(self, current):
        have = current or {}
        wanted = {"name": have.get("name", self.name)}
        if self.directory is not None:
            wanted["directory"] = self.directory
            if self.directory != have.get("directory") and not self.assumed:
                check_volume(self.session, self.directory)
        for option in SCALARS + (SCALARS_V1 if self.v1 else ()):
            if self.params[option] is not None:
                wanted[option] = self.params[option] if self.params[option] != "" else None
        if self.params["acl"] is not None:
            wanted["acl"] = merge_list(have.get("acl") or [], given_acl(self.params), self.params["acl_mode"], ace_key)
        if self.params["trusted_nfs_clients"] is not None:
            wanted["trusted_nfs_clients"] = merge_list(have.get("trusted_nfs_clients") or [],
                                                       given_nfs_clients(self.params),
                                                       self.params["trusted_nfs_clients_mode"], nfs_key)
        return wanted

    def check_create(self, desired):
        if self.directory is None:
            raise ValueError("share %r does not exist on %s; to create it give directory (volume/path)"
                             % (self.name, self.session.hostname))

    def equal(self, key, have, want):
        if key in LIST_COMPARABLE:
            return lists_equal(key, have, want)
        return super(Share, self).equal(key, have, want)

    def predict(self, current, changes):
        return super(Share, self).predict(current or share_view(new_share(self.name, self.v1), self.v1), changes)

    def create(self, desired, predicted):
        obj = apply_changes(new_share(self.name, self.v1), desired)
        self.session.database(self.session.path(SHARES_PATH), "add", obj, what="create share %r" % self.name)
        stored = self.session.get(self.session.path(SHARES_PATH, self.name), what="read share %r" % self.name)
        return self._stored(None, stored if isinstance(stored, dict) and stored.get("name") else obj)

    def update(self, current, changes, predicted):
        name = as_text(self.obj["name"])
        obj = apply_changes(self.obj, changes)
        stored = self.session.put(self.session.path(SHARES_PATH, name), obj, what="update share %r" % name)
        return self._stored(self.obj, stored if isinstance(stored, dict) and stored.get("name") else obj)

    def reread(self):
        """The share as the filer has it now (another run may have created it since the listing)."""
        self.shares.forget()
        return self.read()

    def _stored(self, old, new):
        self.shares.replace(old, new)
        return share_view(new, self.v1)

    def delete(self, current):
        name = as_text(self.obj["name"])
        self.session.delete(self.session.path(SHARES_PATH, name), what="delete share %r" % name)
        self.shares.remove(self.obj)


def ensure_share(module, scope):
    name, directory = validate(module.params)
    session = edge_session(scope, module.params)
    if module.params["state"] == "present":
        check_v1_options(module.params, session)
    return ensure(Share(module, session, name, directory), module.params["state"])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_share, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
