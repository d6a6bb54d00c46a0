# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # TLS options, session behaviour and requirements shared by every CTERA Portal and Edge Filer module.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set to V(false) on a lab system.
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
      - Seconds to wait for the server to answer one request, from 1 to 3600.
    type: int
    default: 30
  allow_insecure_http:
    description:
      - Allow a plain C(http://) URL. Without it such a URL is refused before anything is sent, because the
        password (and the session) would travel in clear text. Only set it on a lab system.
      - If not set, the environment variable E(CTERA_ALLOW_INSECURE_HTTP) is used.
    type: bool
    default: false
notes:
  - The module signs in once per task and out at the end of the task. Run on the controller (the default with
    the collection's action plugin), a loop over many items reuses one session for every item.
  - Requests that are safe to repeat are retried with exponential backoff on connection errors and on HTTP
    429, 502, 503 and 504; creations and other side-effecting calls are never retried blindly. A creation
    answered 502, 503 or 504 or cut by a lost connection is read back; an object that exists is adopted, one
    that does not is sent again (at most twice).
  - An expired session is renewed once transparently.
requirements:
  - requests
  - defusedxml
'''
