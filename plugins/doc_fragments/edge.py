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
        A bare host name means C(https://); a plain C(http://) URL is refused unless O(allow_insecure_http=true).
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
'''
