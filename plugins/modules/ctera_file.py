#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: ctera_file
short_description: Transfer files and folder trees to and from CTERA Portal cloud folders
version_added: 0.2.0
description:
  - Uploads a local file or directory tree into a cloud folder (O(src)), downloads a file or folder tree of a cloud
    folder (O(dest)), makes a folder exist (O(state=directory)) or deletes a file or folder (O(state=absent)).
  - A file is transferred only when the other side differs, by size and modification time (O(compare=size_mtime))
    or by content (O(compare=checksum)), or always with O(force=true). A second run transfers nothing.
  - Downloads read the blocks straight from object storage (Direct IO) when the user's S3 key pair is given, with a
    bounded number of parallel block fetches; otherwise, and when the storage is not in direct mode, through the
    portal. A download goes to a temporary file renamed into place only once every block was verified; an upload
    is kept by the portal only when it arrived whole. An interrupted transfer leaves no partial file.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.portal
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Compares both sides and reports the files that would move and their size, transferring nothing.
  diff_mode:
    support: full
    description: Shows the files out of date before and after.
options:
  path:
    description:
      - The cloud folder path as the portal's file API names it for the session. A tenant user (a O(portal_url)
        ending in C(/ServicesPortal)) gives C(<cloud folder>/<path>); an administrator gives
        C(Users/<owner's display name>/<cloud folder>/<path>).
      - With O(src) a file, the remote file; with O(src) a directory, the remote folder that mirrors it.
    type: str
    required: true
  src:
    description: Local file or directory to upload to O(path) (missing folders above it are made). Mutually exclusive with O(dest).
    type: path
  dest:
    description:
      - Local file or directory to download O(path) to. A folder O(path) is downloaded as a tree into the
        directory O(dest) (created if needed). A file O(path) with an existing directory O(dest) lands in it
        under its own name.
    type: path
  state:
    description:
      - V(present) transfers (needs O(src) or O(dest)). V(directory) makes the folder O(path) exist, with its
        parents inside the cloud folder. V(absent) deletes the file or folder O(path).
    type: str
    choices: [present, absent, directory]
    default: present
  force:
    description: Transfer every file even when the other side looks up to date.
    type: bool
    default: false
  compare:
    description:
      - V(size_mtime) treats a file as up to date when the sizes match and the destination is not older (an upload
        is newer than the local file it came from; a download takes the portal's modification time).
      - V(checksum) compares the SHA-256 of the contents (the remote side is read to compute it).
    type: str
    choices: [size_mtime, checksum]
    default: size_mtime
  s3_access_key_id:
    description: Access key id of the user's S3 credentials, for Direct IO downloads.
    type: str
  s3_secret_access_key:
    description: Secret access key of the same key pair (it unwraps the file keys; it is never sent).
    type: str
  workers:
    description:
      - Parallel block fetches of a Direct IO download. Each holds one block in memory at a time (two buffers of
        the block size, reused), so memory grows with O(workers), not with the file. From 1 to 64.
    type: int
    default: 6
  files_in_flight:
    description: Files uploaded at the same time when O(src) is a directory, from 1 to 32.
    type: int
    default: 4
  tenant:
    description: Tenant to act in, for a global administrator. See M(filefleet.office.ctera_user).
    type: str
notes:
  - File modification times are not carried by the portal's upload; the portal stamps the upload time.
seealso:
  - module: filefleet.office.ctera_cloud_folder
'''

EXAMPLES = r'''
- name: Seed the Stockholm office's folder with the template tree
  filefleet.office.ctera_file:
    portal_url: https://acme.portal.example.com/ServicesPortal
    portal_username: svc-stockholm
    portal_password: "{{ vault_svc_password }}"
    src: templates/office/
    path: Projects/Templates

- name: Pull an audit folder back with Direct IO
  filefleet.office.ctera_file:
    portal_url: https://portal.example.com
    portal_username: admin
    portal_password: "{{ vault_portal_password }}"
    tenant: acme
    path: Users/Stockholm Service/Projects/Audit
    dest: /srv/audit/stockholm
    s3_access_key_id: "{{ svc_s3.access_key_id }}"
    s3_secret_access_key: "{{ vault_svc_s3_secret }}"
'''

RETURN = r'''
transfer:
  description: What moved (in check mode, what would move); null after O(state=absent).
  returned: always
  type: dict
  contains:
    path:
      description: The cloud folder path.
      type: str
    direction:
      description: C(upload), C(download) or C(none).
      type: str
    files:
      description: Files moved (relative to O(path) for a tree), sorted.
      type: list
      elements: str
    files_moved:
      description: Number of files moved.
      type: int
    bytes_moved:
      description: Bytes moved.
      type: int
    seconds:
      description: Wall time of the transfers.
      type: float
    throughput_mb_s:
      description: Bytes moved per second, in MB (10^6 bytes).
      type: float
'''

import os
import time

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    XML_LIBRARY, portal_argument_spec, portal_tenant_session,
)
from ansible_collections.filefleet.office.plugins.module_utils._transfer import (
    CRAMJAM_LIBRARY, CRYPTOGRAPHY_LIBRARY, CloudFiles, clean_path, local_sha256, remote_mtime,
)


def argument_spec():
    spec = portal_argument_spec()
    spec.update(
        path=dict(type="str", required=True),
        src=dict(type="path"),
        dest=dict(type="path"),
        state=dict(type="str", choices=["present", "absent", "directory"], default="present"),
        force=dict(type="bool", default=False),
        compare=dict(type="str", choices=["size_mtime", "checksum"], default="size_mtime"),
        s3_access_key_id=dict(type="str", no_log=False),
        s3_secret_access_key=dict(type="str", no_log=True),
        workers=dict(type="int", default=6),
        files_in_flight=dict(type="int", default=4),
        tenant=dict(type="str"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, mutually_exclusive=[["src", "dest"]],
                     required_together=[["s3_access_key_id", "s3_secret_access_key"]], names=("tenant",),
                     bounds={"workers": (1, 64, ""), "files_in_flight": (1, 32, "")})


def validate(params):
    path = clean_path(params["path"])
    if params["state"] == "present" and not (params["src"] or params["dest"]):
        raise ValueError("state=present needs src (upload) or dest (download)")
    if params["state"] != "present" and (params["src"] or params["dest"]):
        raise ValueError("src and dest are only for state=present, got state=%s" % params["state"])
    if params["src"] and not os.path.exists(params["src"]):
        raise ValueError("src %r does not exist" % params["src"])
    return path


class RemotePath(Resource):
    """``state=absent``/``directory``: the file or folder ``path`` (``{path, type}``)."""

    key = "transfer"

    def __init__(self, module, files, path):
        super(RemotePath, self).__init__(module)
        self.files = files
        self.path = path

    def read(self):
        info = self.files.stat(self.path)
        if info is None:
            return None
        if self.params["state"] == "directory" and not info.get("isFolder"):
            raise ValueError("%r is a file, state=directory needs a folder" % self.path)
        return {"path": self.path, "type": "directory" if info.get("isFolder") else "file"}

    def desired(self, current):
        return {"path": self.path, "type": "directory"} if current is None else dict(current)

    def create(self, desired, predicted):
        self.files.makedirs(self.path)

    def delete(self, current):
        self.files.delete(self.path)

    def finish(self, after, changed):
        return None if self.params["state"] == "absent" else _summary(self.path, "none", [], 0, 0.0)


def _summary(path, direction, names, size, seconds):
    return {"path": path, "direction": direction, "files": sorted(names), "files_moved": len(names),
            "bytes_moved": size, "seconds": round(seconds, 3),
            "throughput_mb_s": round(size / seconds / 1e6, 2) if seconds > 0 and size else 0.0}


class Transfer(Resource):
    """``state=present``: the files out of date between ``src``/``dest`` and ``path`` (``{out_of_date}``); an
    update moves them."""

    key = "transfer"

    def __init__(self, module, files, path):
        super(Transfer, self).__init__(module)
        self.files = files
        self.path = path
        self.jobs = []       # (local, remote path, size, info)
        self.dirs = []       # remote folders to create, parents first
        self.direction = "upload" if self.params["src"] else "download"
        self.folder_uid = None

    # -- comparison ----------------------------------------------------------------------------------------
    def _remote_digest(self, info, path):
        class Hasher:
            def write(self, data):
                pass
        return self.files.read_into(info, path, Hasher())[1]

    def _upload_needed(self, local, info, path):
        if info is None or self.params["force"]:
            return True
        if info.get("isFolder"):
            raise ValueError("cannot upload %r over the folder %r" % (local, path))
        if self.params["compare"] == "checksum":
            return self._remote_digest(info, path) != local_sha256(local)
        stamp = remote_mtime(info)
        return int(info.get("size") or 0) != os.path.getsize(local) or stamp is None or \
            stamp + 1 < os.path.getmtime(local)

    def _download_needed(self, info, local, path):
        if not os.path.isfile(local) or self.params["force"]:
            return True
        if self.params["compare"] == "checksum":
            return self._remote_digest(info, path) != local_sha256(local)
        stamp = remote_mtime(info)
        return int(info.get("size") or 0) != os.path.getsize(local) or stamp is None or \
            int(stamp) != int(os.path.getmtime(local))

    def _plan_upload(self):
        src = self.params["src"]
        root = self.files.stat(self.path)
        if os.path.isdir(src):
            if root is not None and not root.get("isFolder"):
                raise ValueError("src %r is a directory but %r is a file" % (src, self.path))
            remote = dict(self.files.walk(self.path)) if root is not None else {}
            if root is None:
                self.dirs.append(self.path)
            for top, dirnames, filenames in os.walk(src):
                dirnames.sort()
                rel_top = os.path.relpath(top, src).replace(os.sep, "/")
                rel_top = "" if rel_top == "." else rel_top + "/"
                for name in dirnames:
                    if rel_top + name not in remote:
                        self.dirs.append(self.path + "/" + rel_top + name)
                for name in sorted(filenames):
                    local = os.path.join(top, name)
                    rel = rel_top + name
                    if self._upload_needed(local, remote.get(rel), self.path + "/" + rel):
                        self.jobs.append((local, self.path + "/" + rel, os.path.getsize(local), rel))
            parent = self.path
        else:
            parent = self.path.rpartition("/")[0]
            if self._upload_needed(src, root, self.path):
                self.jobs.append((src, self.path, os.path.getsize(src), self.path.rpartition("/")[2]))
                if root is None and "/" in parent and self.files.stat(parent) is None:
                    self.dirs.append(parent)  # made with its missing parents before the upload
        if self.jobs or self.dirs:
            self.folder_uid = self._folder_uid(parent)

    def _folder_uid(self, path):
        """The cloud folder uid of ``path`` (or of its closest existing parent)."""
        probe = path
        while probe:
            info = self.files.stat(probe)
            if info is not None:
                folder = info.get("cloudFolderInfo") or {}
                if folder.get("uid") is None:
                    raise ValueError("%r is not inside a cloud folder" % path)
                return folder["uid"]
            probe = probe.rpartition("/")[0]
        raise ValueError("no cloud folder holds %r" % path)

    def _plan_download(self):
        dest = self.params["dest"]
        info = self.files.stat(self.path)
        if info is None:
            raise ValueError("%r does not exist on the portal" % self.path)
        if info.get("isFolder"):
            if os.path.isfile(dest):
                raise ValueError("%r is a folder but dest %r is a file" % (self.path, dest))
            for rel, item in self.files.walk(self.path):
                local = os.path.join(dest, *rel.split("/"))
                if item.get("isFolder"):
                    if not os.path.isdir(local):
                        self.dirs.append(local)
                elif self._download_needed(item, local, self.path + "/" + rel):
                    self.jobs.append((local, self.path + "/" + rel, int(item.get("size") or 0), rel, item))
            if not os.path.isdir(dest):
                self.dirs.insert(0, dest)
        else:
            local = os.path.join(dest, str(info.get("name"))) if os.path.isdir(dest) else dest
            if self._download_needed(info, local, self.path):
                self.jobs.append((local, self.path, int(info.get("size") or 0), self.path.rpartition("/")[2], info))

    # -- engine ----------------------------------------------------------------------------------------------
    def read(self):
        if self.direction == "upload":
            self._plan_upload()
        else:
            self._plan_download()
        pending = sorted(set([j[3] for j in self.jobs] + list(self.dirs)))
        return {"path": self.path, "out_of_date": pending}

    def desired(self, current):
        return {"path": self.path, "out_of_date": []}

    def predict(self, current, changes):
        if not changes:
            return _summary(self.path, "none", [], 0, 0.0)
        return _summary(self.path, self.direction, [j[3] for j in self.jobs], sum(j[2] for j in self.jobs), 0.0)

    def update(self, current, changes, predicted):
        started = time.time()
        moved = 0
        if self.direction == "upload":
            for folder in self.dirs:
                if folder in (self.path, self.path.rpartition("/")[0]):
                    self.files.makedirs(folder)
                else:
                    self.files.mkdir(folder)
            moved = self.files.upload_many([(j[0], j[1]) for j in self.jobs], self.folder_uid)
        else:
            for folder in self.dirs:
                os.makedirs(folder, exist_ok=True)
            for local, path, _size, _rel, info in self.jobs:
                parent = os.path.dirname(os.path.abspath(local))
                os.makedirs(parent, exist_ok=True)
                moved += self.files.download(info, path, local, remote_mtime(info))[0]
        return _summary(self.path, self.direction if self.jobs else "none", [j[3] for j in self.jobs], moved,
                        time.time() - started)


def ensure_file(module, scope):
    path = validate(module.params)
    session, _tenant = portal_tenant_session(scope, module.params)
    files = CloudFiles(session, module.params["s3_access_key_id"], module.params["s3_secret_access_key"],
                       workers=module.params["workers"], files_in_flight=module.params["files_in_flight"])
    if module.params["s3_secret_access_key"]:
        session.http.redact.add(module.params["s3_secret_access_key"])
    if module.params["state"] == "present":
        return ensure(Transfer(module, files, path), "present")
    resource = RemotePath(module, files, path)
    result = ensure(resource, "absent" if module.params["state"] == "absent" else "present")
    if module.params["state"] == "absent":
        result["transfer"] = None
    return result


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_file, extra_libraries=[XML_LIBRARY, CRYPTOGRAPHY_LIBRARY, CRAMJAM_LIBRARY])


if __name__ == "__main__":
    main()
