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
    description: Shows the checksum and size of the saved configuration before and after.
options:
  dest:
    description:
      - File to write. Its directory must exist.
    type: path
    required: true
  mode:
    description:
      - Permissions of O(dest), as an octal string. The configuration may describe users and shares, so it is
        private by default.
    type: str
    default: '0600'
  max_size_mb:
    description: Refuse an export larger than this many MiB (the transfer stops and nothing is written).
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
'''

import hashlib
import os

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule

from ansible_collections.filefleet.office.plugins.module_utils._common import run
from ansible_collections.filefleet.office.plugins.module_utils._edge import edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._portal import XML_LIBRARY

EXPORT_PATH = "/admingui/api/export"


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        dest=dict(type="path", required=True),
        mode=dict(type="str", default="0600"),
        max_size_mb=dict(type="int", default=64),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True)


def file_digest(path):
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


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


def export(module, scope):
    params = module.params
    dest, directory, mode = validate(params)
    session = edge_session(scope, params)
    before = file_digest(dest) if os.path.exists(dest) else None
    temp_path, checksum, size = session.download(EXPORT_PATH, directory,
                                                 "export the configuration of %s" % session.http.base_url,
                                                 max_bytes=params["max_size_mb"] * 1024 * 1024)
    try:
        content_changed = before is None or before[0] != checksum
        mode_changed = before is not None and (os.stat(dest).st_mode & 0o7777) != mode
        if not module.check_mode:
            if content_changed:
                os.chmod(temp_path, mode)
                os.replace(temp_path, dest)
            elif mode_changed:
                os.chmod(dest, mode)
    finally:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
    result = {"changed": bool(content_changed or mode_changed), "dest": dest, "checksum": checksum, "size": size,
              "firmware": str(session.firmware) if getattr(session, "firmware", None) is not None else None}
    if module._diff and result["changed"]:
        result["diff"] = {"before": {"checksum": before[0], "size": before[1]} if before else {},
                          "after": {"checksum": checksum, "size": size, "mode": params["mode"]}}
    return result


def run_module(module):
    run(module, export, extra_libraries=[XML_LIBRARY])


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run_module(module)


if __name__ == "__main__":
    main()
