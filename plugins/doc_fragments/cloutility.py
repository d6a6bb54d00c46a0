# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of every Cloutility module.
    DOCUMENTATION = r'''
options:
  cloutility_url:
    description:
      - Base URL of the Cloutility API, for example C(https://portal-api.backup.sto2.safedc.net).
        A trailing C(/v1) is accepted and ignored. A bare host name means C(https://); a plain C(http://) URL is
        refused unless O(allow_insecure_http=true).
      - If not set, the environment variable E(CLOUTILITY_URL) is used.
    type: str
    required: true
  cloutility_username:
    description:
      - User name of the Cloutility API user. Use a local user without TOTP; the OAuth password grant cannot
        answer a second factor.
      - If not set, the environment variable E(CLOUTILITY_USERNAME) is used.
    type: str
    required: true
  cloutility_password:
    description:
      - Password of O(cloutility_username). Never logged or returned.
      - If not set, the environment variable E(CLOUTILITY_PASSWORD) is used.
    type: str
    required: true
  cloutility_client_id:
    description:
      - Client ID of the API application registered in Cloutility (Settings, API access).
      - If not set, the environment variable E(CLOUTILITY_CLIENT_ID) is used.
    type: str
    required: true
  cloutility_origin:
    description:
      - Origin registered with the API application, for example C(https://automation.example.com). It is sent
        as the C(Origin) header of every request.
      - If not set, the environment variable E(CLOUTILITY_ORIGIN) is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate. Only set to V(false) on a lab system.
      - If not set, the environment variable E(CLOUTILITY_VALIDATE_CERTS) is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM bundle of the certificate authorities to trust instead of the system store.
      - If not set, the environment variable E(CLOUTILITY_CA_PATH) is used.
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
      - If not set, the environment variable E(CLOUTILITY_ALLOW_INSECURE_HTTP) is used.
    type: bool
    default: false
notes:
  - The module gets one OAuth access token per task (one for every item of a loop when it runs on the
    controller, the default with the collection's action plugin). The token is renewed shortly before it expires
    and when the API answers 401, with the refresh token first and the password as a fallback, so long
    operations outlive the five-minute token lifetime. A refused login is never retried, so a wrong password
    cannot lock the API user out.
  - Requests that are safe to repeat are retried with exponential backoff on connection errors and on HTTP
    429, 502, 503 and 504; creations and node activations are never retried blindly. A creation answered
    502, 503 or 504 or cut by a lost connection is read back; an object that exists is adopted, one that does
    not is sent again (at most twice).
requirements:
  - requests
'''
