#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_config_export
short_description: Save the configuration of a CTERA Edge Filer to a file on the controller
version_added: 0.1.0
description:
  - Exports the Edge Filer's configuration (the XML file of the filer's C(Export configuration) button) and saves it
    as O(dest) on the machine the module runs on (the controller, with the collection's action plugin).
  - The file is streamed to disk, never held whole in memory, and moved into place atomically; an interrupted
    transfer leaves the previous file untouched.
  - Reports a change only when the saved configuration differs from what O(dest) already holds, so it is a
    cheap way to keep a versioned copy of every filer's configuration before and after an office change.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Exports and compares, but does not write O(dest).
  diff_mode:
    support: full
    description:
      - Shows the checksum, size and mode of O(dest) that change, before and after (all three when O(dest) is new).
options:
  dest:
    description:
      - File to write. Its directory must exist.
    type: path
    required: true
  mode:
    description:
      - Permissions of O(dest), as a quoted octal string such as C('0640'); an unquoted number is refused (YAML would
        read C(0644) as the number 420). The configuration may describe users and shares, so it is private by default.
    type: str
    default: '0600'
  max_size_mb:
    description: Refuse an export larger than this many MiB (the transfer stops and nothing is written), from 1 to 4096.
    type: int
    default: 64
'''

EXAMPLES = r'''
- name: Keep a copy of each filer's configuration before onboarding changes
  filefleet.office.edge_config_export:
    edge_url: "{{ edge_url }}"
    edge_username: admin
    edge_password: "{{ vault_edge_password }}"
    dest: "backups/{{ inventory_hostname }}.xml"
'''

RETURN = r'''
dest:
  description: Path of the saved configuration.
  returned: always
  type: str
checksum:
  description: SHA-256 of the exported configuration.
  returned: always
  type: str
size:
  description: Size of the exported configuration in bytes.
  returned: always
  type: int
firmware:
  description: Firmware version of the filer.
  returned: always
  type: str
diff:
  description: The changed C(checksum), C(size) and C(mode) of O(dest) before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {checksum: 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b, size: 8191},
           after: {checksum: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, size: 8207}}
'''

import hashlib
import os

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        dest=dict(type="path", required=True),
        mode=dict(type="str", default="0600"),
        max_size_mb=dict(type="int", default=64),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, bounds={"max_size_mb": (1, 4096, "MiB")}, texts=("mode",))


def validate(params):
    dest = params["dest"]
    directory = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        raise ValueError("dest %r: the directory %r does not exist" % (dest, directory))
    if os.path.isdir(dest):
        raise ValueError("dest %r is a directory; give a file name" % dest)
    try:
        mode = int(params["mode"], 8)
    except ValueError:
        raise ValueError("mode must be an octal string such as '0600'; got %r" % params["mode"])
    if not 0 <= mode <= 0o7777:
        raise ValueError("mode must be between 0000 and 7777; got %r" % params["mode"])
    if params["max_size_mb"] < 1:
        raise ValueError("max_size_mb must be at least 1")
    return os.path.abspath(dest), directory, mode


def file_digest(path):
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class SavedConfiguration(Resource):
    """The file ``dest`` as ``{checksum, size, mode}``; the wanted file is the filer's export, streamed to a
    temporary file next to ``dest`` that a real run moves into place."""

    key = "file"

    def __init__(self, module, session, dest, directory, mode):
        super(SavedConfiguration, self).__init__(module, session)
        self.dest, self.directory, self.mode = dest, directory, mode
        self.temp = None

    def read(self):
        if not os.path.exists(self.dest):
            return None
        checksum, size = file_digest(self.dest)
        return {"checksum": checksum, "size": size, "mode": "%04o" % (os.stat(self.dest).st_mode & 0o7777)}

    def desired(self, current):
        self.temp, checksum, size = self.session.export_configuration(
            self.directory, max_bytes=self.params["max_size_mb"] * 1024 * 1024)
        return {"checksum": checksum, "size": size, "mode": "%04o" % self.mode}

    def create(self, desired, predicted):
        os.chmod(self.temp, self.mode)
        os.replace(self.temp, self.dest)

    def update(self, current, changes, predicted):
        if "checksum" in changes:
            self.create(changes, predicted)
        else:
            os.chmod(self.dest, self.mode)


def ensure_export(module, scope):
    dest, directory, mode = validate(module.params)
    session = edge_session(scope, module.params)
    saved = SavedConfiguration(module, session, dest, directory, mode)
    try:
        result = ensure(saved)
    finally:
        if saved.temp is not None and os.path.exists(saved.temp):
            os.unlink(saved.temp)
    saved_file = result.pop(saved.key)
    result.update(dest=dest, checksum=saved_file["checksum"], size=saved_file["size"],
                  firmware=str(session.firmware) if session.firmware is not None else None)
    return result


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_export, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
