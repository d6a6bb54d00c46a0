#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_settings
short_description: Manage the host name, location, time zone and NTP servers of a CTERA Edge Filer
version_added: 0.2.0
description:
  - Sets the host name, the location, the time zone and the NTP servers of a CTERA Edge Filer.
  - Only the options you give are managed. An option you leave out is never changed.
  - Every value is checked before anything is written.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the settings and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed settings before and after.
options:
  hostname:
    description: Host name of the filer, 1 to 63 letters, digits or C(-), not starting or ending with C(-).
    type: str
  location:
    description: Location of the filer (free text). An empty string clears it.
    type: str
  timezone:
    description:
      - Time zone as the filer names it, C((GMT+HH:MM\) Name), for example C((GMT+01:00\) Amsterdam, Berlin, Stockholm).
      - Compared and written exactly as given.
    type: str
  ntp_servers:
    description:
      - NTP servers, in order of preference. NTP is switched on with these servers.
      - An empty list switches NTP off (the servers the filer knows are kept for later).
    type: list
    elements: str
seealso:
  - module: filefleet.office.edge_setup
  - module: filefleet.office.edge_info
'''

EXAMPLES = r'''
- name: The Stockholm filer's name, place and clock
  filefleet.office.edge_settings:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    hostname: sto-filer-01
    location: Stockholm, 3rd floor
    timezone: "(GMT+01:00) Amsterdam, Berlin, Stockholm"
    ntp_servers: [ntp1.example.com, ntp2.example.com]

- name: NTP off (the filer keeps its clock from the hypervisor)
  filefleet.office.edge_settings:
    ntp_servers: []
'''

RETURN = r'''
settings:
  description: The settings after the task (predicted in check mode).
  returned: always
  type: dict
  sample:
    hostname: sto-filer-01
    location: Stockholm, 3rd floor
    timezone: "(GMT+01:00) Amsterdam, Berlin, Stockholm"
    ntp_servers: [ntp1.example.com, ntp2.example.com]
  contains:
    hostname:
      description: Host name.
      type: str
    location:
      description: Location, or null when empty.
      type: str
    timezone:
      description: Time zone.
      type: str
    ntp_servers:
      description: NTP servers in use; an empty list while NTP is off.
      type: list
      elements: str
diff:
  description: Changed settings before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {hostname: vGateway-0001}, after: {hostname: sto-filer-01}}
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_device import (
    DEVICE, TIME, check_hostname, check_ntp_servers, check_timezone, read_settings,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        hostname=dict(type="str"),
        location=dict(type="str"),
        timezone=dict(type="str"),
        ntp_servers=dict(type="list", elements="str"),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True,
                     required_one_of=[("hostname", "location", "timezone", "ntp_servers")])


def validate(params):
    if params["hostname"] is not None:
        check_hostname(params["hostname"])
    if params["timezone"] is not None:
        check_timezone(params["timezone"])
    if params["ntp_servers"] is not None:
        check_ntp_servers(params["ntp_servers"])


class Settings(Resource):
    """The filer's ``{hostname, location, timezone, ntp_servers}`` (``read_settings``)."""

    key = "settings"

    def read(self):
        return read_settings(self.session)

    def ready_view(self):
        # A factory-fresh filer's settings are not known before its setup: every given setting is predicted as set.
        return {"hostname": None, "location": None, "timezone": None, "ntp_servers": None}

    def desired(self, current):
        wanted = {}
        for key in ("hostname", "location", "timezone", "ntp_servers"):
            if self.params[key] is not None:
                wanted[key] = self.params[key]
        if "location" in wanted:
            wanted["location"] = wanted["location"] or None
        return wanted

    def update(self, current, changes, predicted):
        session = self.session
        if "hostname" in changes:
            session.put(session.path(DEVICE, "hostname"), changes["hostname"], what="set the host name")
        if "location" in changes:
            session.put(session.path(DEVICE, "location"), changes["location"] or "", what="set the location")
        if "timezone" in changes:
            session.put(session.path(TIME, "TimeZone"), changes["timezone"], what="set the time zone")
        if "ntp_servers" in changes:
            servers = changes["ntp_servers"]
            # As cterasdk's ntp.enable(servers) / ntp.disable(): the mode, then the servers.
            session.put(session.path(TIME, "NTPMode"), "enabled" if servers else "disabled",
                        what="switch NTP %s" % ("on" if servers else "off"))
            if servers:
                session.put(session.path(TIME, "NTPServer"), list(servers), what="set the NTP servers")
        return read_settings(session)


def ensure_settings(module, scope):
    validate(module.params)
    return ensure(Settings(module, edge_session(scope, module.params)))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_settings, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
