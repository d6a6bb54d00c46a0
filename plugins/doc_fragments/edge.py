# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of every CTERA Edge Filer module.
    DOCUMENTATION = r'''
options:
  edge_url:
    description:
      - Base URL of the CTERA Edge Filer's web interface, for example C(https://filer1.example.com).
        A bare host name means C(https://).
      - If not set, the environment variable E(CTERA_EDGE_URL) is used.
      - For a fleet, set it per host in the inventory and pass it with
        C(module_defaults) for C(group/filefleet.office.ctera_edge).
    type: str
    required: true
  edge_username:
    description:
      - Local administrator of the filer to sign in as.
      - If not set, the environment variable E(CTERA_EDGE_USERNAME) is used.
    type: str
    required: true
  edge_password:
    description:
      - Password of O(edge_username). Never logged or returned.
      - If not set, the environment variable E(CTERA_EDGE_PASSWORD) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the filer's TLS certificate. Only set to V(false) on a lab system.
      - If not set, the environment variable E(CTERA_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM bundle of the certificate authorities to trust instead of the system store.
      - If not set, the environment variable E(CTERA_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the filer to answer one request.
    type: int
    default: 30
notes:
  - The module signs in once per task and out at the end of the task. Run on the controller (the default with
    the collection's action plugin), a loop over many items reuses one session for every item.
  - Requests that are safe to repeat are retried with exponential backoff on connection errors and on HTTP
    429, 502, 503 and 504; creations and other side-effecting calls are never retried blindly.
  - An expired session is renewed once transparently.
requirements:
  - requests
  - defusedxml
'''
