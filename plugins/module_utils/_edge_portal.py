# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Edge Filer's connection to its CTERA Portal, as cterasdk 2.20.50 drives it (edge/services.py, licenses.py).

Wire protocol: docs/protocol-ctera.md#edge-filer-portal-connection. Connecting is ``attachAndSave`` on
``status/services`` (a background task), after the SDK's checks: a TCP connection to the server's port 995
(``status/network`` ``tcpconnect``) and ``isWebSsoEnabled`` (reachable, certificate trusted, no activation code
required). Disconnecting is ``PUT config/services`` with no body. The license is ``config/device/activeLicenseType``
(``EV16`` is ``vGateway``, the others ``vGateway`` + their number).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import socket
import ssl
import time

from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError
from ansible_collections.filefleet.office.plugins.module_utils._edge import TASK_FAILED, task_status
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text
from ansible_collections.filefleet.office.plugins.module_utils._edge_status import (
    PORTAL_STATE_PATH, portal_status_view, task_message,
)

LICENSES = ["EV4", "EV8", "EV16", "EV32", "EV64", "EV128"]
LICENSE_PATH = "config/device/activeLicenseType"
SERVICES_PATH = "status/services"
UNTRUSTED = ("UntrustedCert", "UntrustedCA", "UntrustedCertExpired", "UntrustedCertSelfSigned", "UntrustedCertDNS")
CTTP_PORT = 995
# Connection states while a connection is being made (cterasdk edge/enum.py ServicesConnectionState).
CONNECTING = ("ResolvingServers", "Connecting", "Attaching", "Authenticating")


def license_wire(name):
    """``EV16`` -> ``vGateway``, ``EV32`` -> ``vGateway32`` (cterasdk licenses.py ``infer``)."""
    return "vGateway" + ("" if name == "EV16" else name[2:])


def license_name(wire):
    """The filer's ``activeLicenseType`` as the SDK's ``licenses.get`` names it; None for ``NA`` (no license)."""
    wire = as_text(wire)
    if not wire or wire == "NA" or not wire.startswith("vGateway"):
        return None
    return "EV" + (wire[8:] or "16")


def read_connection(session):
    """The connection as the module shows it: ``state``, ``server``, ``portal_user``, ``license``."""
    status = session.get(session.path(SERVICES_PATH), what="read the portal connection status") or {}
    portal = portal_status_view(status)
    return {"state": "connected" if portal["connected"] else "disconnected",
            "server": portal["server"] if portal["connected"] else None,
            "portal_user": (as_text(status.get("userDisplayName")) or None) if portal["connected"] else None,
            "license": read_license(session)}


def read_license(session):
    """The filer's license (``EV4`` ... ``EV128``), or None."""
    return license_name(session.get(session.path(LICENSE_PATH), what="read the license", missing_ok=True))


def certificate_verified(server, ca_path, timeout=10):
    """Whether the TLS certificate ``server`` (``host[:port]``, port 443 by default) presents is signed by the CA
    in ``ca_path`` and names the host: the controller's own check, which lets the filer trust the certificate."""
    host, _sep, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
    host, port = (host, int(port)) if port.isdigit() else (server, 443)
    context = ssl.create_default_context(cafile=ca_path)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                return True
    except (ssl.SSLError, ssl.CertificateError):
        return False
    except OSError as exc:
        raise ApiError("cannot check the certificate of %s with portal_ca_path: %s" % (server, exc))


def check_server(session, server, trust):
    """The SDK's checks before connecting: a TCP connection to port 995 and ``isWebSsoEnabled``. Returns the
    ``rc`` (``connectOK``, an ``Untrusted*`` name, or another reason); raises for an unreachable server."""
    what = "check the connection from %s to %s" % (session.hostname, server)
    ref = session.execute(session.path("status/network"), "tcpconnect", {"address": server, "port": CTTP_PORT},
                          what=what + " (TCP port %d)" % CTTP_PORT)
    task = session.wait_task(ref, what)
    if task_status(task) in TASK_FAILED or as_text((task.get("result") or {}).get("rc")) != "Open":
        raise ApiError("%s: the filer cannot open a TCP connection to %s on port %d; check the server address and "
                       "the network between the filer and the portal" % (what, server, CTTP_PORT))
    answer = session.execute(session.path(SERVICES_PATH), "isWebSsoEnabled",
                             {"server": server, "trustCertificate": bool(trust)}, what=what) or {}
    return answer


def attach(session, param, what, timeout=60, interval=0.5, sleep=time.sleep):
    """``attachAndSave`` and wait for its task; returns None on success or the reason it failed."""
    answer = session.execute(session.path(SERVICES_PATH), "attachAndSave", param, what=what) or {}
    ref = answer.get("id") if isinstance(answer, dict) else answer
    task = session.wait_task(ref, what, timeout=timeout, interval=interval, sleep=sleep)
    if task_status(task) in TASK_FAILED:
        return (as_text(task.get("description")) or "the connection task ended with status %r" % task.get("status")) \
            + task_message(task)
    return None


def wait_connected(session, timeout=20, interval=0.5, sleep=time.sleep):
    """Poll the connection state while it is one of ``CONNECTING`` (as the SDK's tracker does); return it."""
    deadline = time.time() + timeout
    while True:
        state = as_text(session.get(session.path(PORTAL_STATE_PATH), what="read the portal connection state"))
        if state not in CONNECTING or time.time() >= deadline:
            return state
        sleep(interval)
