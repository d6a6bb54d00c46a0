#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: edge_portal_connection
short_description: Connect a CTERA Edge Filer to a CTERA Portal, or disconnect it
version_added: 0.2.0
description:
  - Connects a CTERA Edge Filer to a CTERA Portal as a portal user (with the user's password or an activation code
    the portal issued), sets its license, or disconnects it.
  - A filer already connected to O(server) as O(portal_user) is left alone (the password is not checked again).
  - A filer connected to another server or as another user is reconnected only with O(force=true). Before that,
    the new server is checked from the filer (a TCP connection to port 995 and the portal's connection check, as
    the CTERA SDK does); when the new connection still fails, the filer keeps (or gets back) its old connection
    and the task fails saying why. A filer is never left disconnected because a new connection failed.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.edge
  - filefleet.office.ctera
attributes:
  check_mode:
    support: full
    description: Reads the connection, runs the portal's connection check (which changes nothing) and reports what
      a real run would do.
  diff_mode:
    support: full
    description: Shows the connection (state, server, user, license) before and after; secrets never.
options:
  state:
    description: V(connected) or V(disconnected).
    type: str
    choices: [connected, disconnected]
    default: connected
  server:
    description:
      - The portal's address as an administrator types it on the filer (a host name, or C(host:port)); for the
        bundled simulator the C(host:port) of the portal URL.
      - Required with O(state=connected).
    type: str
  portal_user:
    description: The portal user the filer connects as. Required with O(state=connected).
    type: str
  portal_password:
    description: The password of O(portal_user). Used only when the filer connects; never shown.
    type: str
  activation_code:
    description: An activation code the portal issued for O(portal_user), instead of O(portal_password).
    type: str
  license:
    description: The filer's license, as the CTERA SDK names them. Omitted = unmanaged.
    type: str
    choices: [EV4, EV8, EV16, EV32, EV64, EV128]
  trust_certificate:
    description: Trust the portal's TLS certificate even if the filer cannot verify it (a private CA).
    type: bool
    default: false
  portal_ca_path:
    description:
      - A CA certificate file on the controller. The controller checks that the certificate O(server) presents is
        signed by it (and names the host); only then is the filer told to trust it.
      - Mutually exclusive with O(trust_certificate).
    type: path
  force:
    description: Reconnect a filer that is connected to another server or as another user.
    type: bool
    default: false
  connect_timeout:
    description: Seconds to wait for the connection task and for the filer to report C(Connected), from 1 to 86400.
    type: int
    default: 60
notes:
  - The CTERA SDK waits for the connection task without reading how it ended and then waits for the connection
    state, so with the SDK a failed reconnection of a filer that stays connected to its old portal looks like a
    success. This module reads how the task ended and checks the server and user the filer reports afterwards.
'''

EXAMPLES = r'''
- name: The filer is connected to the company portal
  filefleet.office.edge_portal_connection:
    edge_url: https://filer1.example.com
    edge_username: admin
    edge_password: "{{ vault_filer_password }}"
    server: stockholm.portal.example.com
    portal_user: edge-connect
    portal_password: "{{ vault_edge_connect_password }}"
    license: EV32

- name: Move the filer to the new portal (checked first; the old connection stays if this fails)
  filefleet.office.edge_portal_connection:
    server: portal2.example.com
    portal_user: edge-connect
    activation_code: "{{ vault_activation_code }}"
    force: true

- name: The filer is disconnected
  filefleet.office.edge_portal_connection:
    state: disconnected
'''

RETURN = r'''
portal_connection:
  description: The connection after the task (predicted in check mode). Never holds a password or a code.
  returned: always
  type: dict
  contains:
    state:
      description: C(connected) or C(disconnected).
      type: str
      sample: connected
    server:
      description: The portal server the filer is connected to, or null.
      type: str
      sample: portal.example.com
    portal_user:
      description: The portal user the filer is connected as, or null.
      type: str
      sample: edge-connect
    license:
      description: The filer's license (C(EV4) ... C(EV128)), or null when it has none.
      type: str
      sample: EV16
diff:
  description: The changed keys before and after. Only with C(--diff).
  returned: changed and diff mode
  type: dict
  sample: {before: {state: disconnected}, after: {state: connected, server: portal.example.com, portal_user: edge-connect}}
'''

import ipaddress
import re
from urllib.parse import urlsplit

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._edge import XML_LIBRARY, edge_argument_spec, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_portal import (
    LICENSES, LICENSE_PATH, UNTRUSTED, attach, certificate_verified, check_server, license_wire, read_connection,
    wait_connected,
)
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError


def argument_spec():
    spec = edge_argument_spec()
    spec.update(
        state=dict(type="str", default="connected", choices=["connected", "disconnected"]),
        server=dict(type="str"),
        portal_user=dict(type="str"),
        portal_password=dict(type="str", no_log=True),
        activation_code=dict(type="str", no_log=True),
        license=dict(type="str", choices=LICENSES),
        trust_certificate=dict(type="bool", default=False),
        portal_ca_path=dict(type="path"),
        force=dict(type="bool", default=False),
        connect_timeout=dict(type="int", default=60),
    )
    return spec


MODULE_KWARGS = dict(
    supports_check_mode=True,
    required_if=[("state", "connected", ("server", "portal_user"))],
    mutually_exclusive=[("portal_password", "activation_code"), ("trust_certificate", "portal_ca_path")],
    bounds={"connect_timeout": (1, 86400, "seconds")},
)
HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")


def check_server_address(server):
    """ValueError unless ``server`` is a host name or an IP address, with an optional port: the filer sends it
    to the portal as typed, so ``..`` or a path would be a connection to somewhere else, or nowhere."""
    parts = urlsplit("//" + server)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("server %r has a port that is not a number from 1 to 65535" % server)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        is_address = True
    except ValueError:
        is_address = False
    if parts.path or parts.query or parts.fragment or parts.username is not None or \
            not (is_address or HOST_NAME.fullmatch(host)):
        raise ValueError("server must be the portal's host name or address, optionally with :port (host or "
                         "host:port), got %r" % server)


def validate(params):
    for key in ("server", "portal_user"):
        value = params.get(key)
        if value is not None and (not value.strip() or value != value.strip() or any(c.isspace() for c in value)):
            raise ValueError("%s must be a non-empty value without spaces, got %r" % (key, value))
    if params.get("server") and "://" in params["server"]:
        raise ValueError("server is the portal's address as typed on the filer (host or host:port), without a "
                         "scheme, got %r" % params["server"])
    if params.get("server"):
        check_server_address(params["server"])


class Connection(Resource):
    """The filer's portal connection: ``state``, ``server``, ``portal_user`` and ``license``."""

    key = "portal_connection"
    casefold_keys = ("server",)
    trust = False

    def read(self):
        return read_connection(self.session)

    def ready_view(self):
        # A factory-fresh filer is connected to no portal and has no license.
        return {"state": "disconnected", "server": None, "portal_user": None, "license": None}

    def desired(self, current):
        params = self.params
        want = {"state": params["state"]}
        if params["license"] is not None:
            want["license"] = params["license"]
        if params["state"] == "disconnected":
            want.update(server=None, portal_user=None)
            return want
        want.update(server=params["server"], portal_user=params["portal_user"])
        connected_elsewhere = current["state"] == "connected" and not (
            self.equal("server", current["server"], params["server"]) and current["portal_user"] == params["portal_user"])
        if connected_elsewhere:
            if not params["force"]:
                raise ValueError("the filer %s is connected to %s as %s, not to %s as %s: set force: true to "
                                 "reconnect it (the new connection is checked first, and the old one kept if it "
                                 "fails)" % (self.session.hostname, current["server"], current["portal_user"],
                                             params["server"], params["portal_user"]))
        reconnect = current["state"] != "connected" or not self.equal("server", current["server"], params["server"]) \
            or current["portal_user"] != params["portal_user"]
        if reconnect:
            if not params["portal_password"] and not params["activation_code"]:
                raise ValueError("connecting %s to %s needs portal_password or activation_code"
                                 % (self.session.hostname, params["server"]))
            self.trust = self._trust()
            if not self.assumed:  # the filer cannot run the check before its setup (check mode predicts)
                self._check(self.trust)
        return want

    def _trust(self):
        if self.params["portal_ca_path"]:
            if not certificate_verified(self.params["server"], self.params["portal_ca_path"]):
                raise ValueError("the certificate of %s is not signed by the CA in portal_ca_path (%s), or does not "
                                 "name the host" % (self.params["server"], self.params["portal_ca_path"]))
            return True
        return self.params["trust_certificate"]

    def _check(self, trust):
        """The SDK's connection check; changes nothing on the filer, so check mode runs it too."""
        server = self.params["server"]
        answer = check_server(self.session, server, trust)
        code = as_text(answer.get("rc"))
        result = answer.get("result") if isinstance(answer.get("result"), dict) else {}
        if result.get("hasWebSSO") is True and not self.params["activation_code"]:
            raise ValueError("%s requires an activation code to connect %s: give activation_code"
                             % (server, self.session.hostname))
        if code in UNTRUSTED:
            raise ValueError("the filer %s does not trust the certificate of %s (%s): set trust_certificate: true, or "
                             "portal_ca_path to the CA that signed it" % (self.session.hostname, server, code))
        if code != "connectOK":
            raise ValueError("the filer %s cannot connect to %s: %s%s" % (
                self.session.hostname, server, code or "no answer",
                ": %s" % as_text(answer.get("msg")) if answer.get("msg") else ""))

    def update(self, current, changes, predicted):
        if self.params["state"] == "disconnected":
            if "state" in changes:
                self.session.put(self.session.path("config/services"), None,
                                 what="disconnect %s from its portal" % self.session.hostname)
        elif set(changes) & set(("state", "server", "portal_user")):
            self._connect(current)
        if "license" in changes:
            self.session.put(self.session.path(LICENSE_PATH), license_wire(changes["license"]),
                             what="set the license of %s to %s" % (self.session.hostname, changes["license"]))
        return self.read()

    def _connect(self, current):
        params = self.params
        param = {"server": params["server"], "user": params["portal_user"], "trustCertificate": bool(self.trust)}
        if params["activation_code"]:
            param["activationCode"] = params["activation_code"]
        else:
            param["password"] = params["portal_password"]
        what = "connect %s to %s as %s" % (self.session.hostname, params["server"], params["portal_user"])
        failure = attach(self.session, param, what, timeout=params["connect_timeout"])
        state = wait_connected(self.session, timeout=params["connect_timeout"])
        now = read_connection(self.session)
        if failure is None and now["state"] == "connected" and self.equal("server", now["server"], params["server"]) \
                and now["portal_user"] == params["portal_user"]:
            return
        if current["state"] == "connected" and now["state"] != "connected":
            # The old settings are still saved (the attach failed): connect with them again.
            self.session.execute(self.session.path("status/services"), "reconnect", None,
                                 what="reconnect %s to %s" % (self.session.hostname, current["server"]))
            wait_connected(self.session, timeout=params["connect_timeout"])
            now = read_connection(self.session)
        kept = (" The filer is still connected to %s as %s." % (now["server"], now["portal_user"])
                if now["state"] == "connected" else " The filer is %s." % (state or "not connected"))
        raise ApiError("%s failed: %s.%s" % (what, failure or "the filer reports %s" % (state or "no state"), kept))


def ensure_connection(module, scope):
    validate(module.params)
    return ensure(Connection(module, edge_session(scope, module.params)))


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_connection, extra_libraries=[XML_LIBRARY])


if __name__ == "__main__":
    main()
