# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of every CTERA Portal module.
    DOCUMENTATION = r'''
options:
  portal_url:
    description:
      - Base URL of the CTERA Portal, for example C(https://portal.example.com). A bare host name means
        C(https://); a plain C(http://) URL is refused unless O(allow_insecure_http=true).
      - A URL whose path ends in C(/ServicesPortal) (for example C(https://acme.portal.example.com/ServicesPortal))
        signs in as a tenant administrator of that tenant; any other URL signs in as a global administrator,
        who may act in a tenant with the C(tenant) option of the modules that have one.
      - If not set, the environment variable E(CTERA_PORTAL_URL) is used.
    type: str
    required: true
  portal_username:
    description:
      - User name to sign in with.
      - If not set, the environment variable E(CTERA_PORTAL_USERNAME) is used.
    type: str
    required: true
  portal_password:
    description:
      - Password of O(portal_username). Never logged or returned.
      - If not set, the environment variable E(CTERA_PORTAL_PASSWORD) is used.
    type: str
    required: true
'''
