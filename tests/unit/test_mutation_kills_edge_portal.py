# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Edge Filer's portal connection (module_utils/_edge_portal.py) against a scripted filer: the license names the
SDK uses both ways, the connection as edge_portal_connection and edge_info show it, the SDK's checks before
connecting (TCP port 995, isWebSsoEnabled) with the parameters on the wire, the attach task and its failures, the
wait for a connection in progress, and the controller's own certificate check against a real TLS server."""

import socket
import ssl
import threading

import pytest
import trustme

from edge_scripted_filer import Answers, ScriptedFiler
from ansible_collections.filefleet.office.plugins.module_utils import _edge as edge, _edge_portal as portal
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, WaitTimeout

CONNECTED = {"CTERAPortal": {"connectionState": "Connected", "serverList": [{"name": "portal.example.com"}]},
             "userDisplayName": "svc-filer"}


# -- licenses (cterasdk licenses.py) -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,wire", [("EV4", "vGateway4"), ("EV8", "vGateway8"), ("EV16", "vGateway"),
                                       ("EV32", "vGateway32"), ("EV64", "vGateway64"), ("EV128", "vGateway128")])
def test_licenses_both_ways(name, wire):
    assert portal.license_wire(name) == wire
    assert portal.license_name(wire) == name


@pytest.mark.parametrize("wire", [None, "", "NA", "Other", "EV16", "xvGateway"])
def test_no_license(wire):
    assert portal.license_name(wire) is None


def test_the_licenses_offered_are_the_sdks():
    assert portal.LICENSES == ["EV4", "EV8", "EV16", "EV32", "EV64", "EV128"]


# -- reading the connection -----------------------------------------------------------------------------------------

def test_a_connected_filer():
    filer = ScriptedFiler({"status/services": CONNECTED, "config/device/activeLicenseType": "vGateway32"})
    assert portal.read_connection(filer) == {"state": "connected", "server": "portal.example.com",
                                             "portal_user": "svc-filer", "license": "EV32"}
    assert filer.sent() == [("GET", "status/services", None), ("GET", "config/device/activeLicenseType", None)]
    assert portal.read_license(filer) == "EV32"


@pytest.mark.parametrize("status", [None, {}, {"CTERAPortal": {"connectionState": "Disconnected",
                                                               "serverList": [{"name": "portal.example.com"}]},
                                               "userDisplayName": "svc-filer"}])
def test_a_disconnected_filer_names_no_server_or_user(status):
    filer = ScriptedFiler({"status/services": status, "config/device/activeLicenseType": "NA"})
    assert portal.read_connection(filer) == {"state": "disconnected", "server": None, "portal_user": None,
                                             "license": None}


def test_a_filer_without_a_license_attribute_has_no_license():
    filer = ScriptedFiler({"status/services": CONNECTED})
    assert portal.read_connection(filer)["license"] is None
    connected = dict(CONNECTED, userDisplayName="")
    filer = ScriptedFiler({"status/services": connected})
    assert portal.read_connection(filer)["portal_user"] is None


@pytest.mark.parametrize("path,what", [("status/services", "read the portal connection status"),
                                       ("config/device/activeLicenseType", "read the license")])
def test_read_errors_name_what_was_read(path, what):
    filer = ScriptedFiler({"status/services": CONNECTED, "config/device/activeLicenseType": "vGateway"})
    filer.failing.add(path)
    with pytest.raises(ApiError) as caught:
        portal.read_connection(filer)
    assert caught.value.message.startswith(what + " failed")


# -- the SDK's checks before connecting -----------------------------------------------------------------------------

def task(status, **result):
    return {"id": 7, "status": status, "result": result, "progstring": "", "description": ""}


def test_check_server_sends_the_sdks_checks_and_returns_the_answer():
    sso = {"rc": "connectOK", "ssoEnabled": False}
    filer = ScriptedFiler({"proc/bgtasks/7": task("completed", rc="Open")},
                          {"tcpconnect": "/proc/bgtasks/7", "isWebSsoEnabled": sso})
    assert portal.check_server(filer, "portal.example.com", "yes") == sso
    assert filer.sent("POST") == [
        ("POST", "status/network", ("tcpconnect", {"address": "portal.example.com", "port": 995})),
        ("POST", "status/services", ("isWebSsoEnabled", {"server": "portal.example.com", "trustCertificate": True})),
    ]
    assert filer.sent("GET") == [("GET", "proc/bgtasks/7", None)]


def test_check_server_sends_trust_false_and_answers_a_dict_for_no_answer():
    filer = ScriptedFiler({"proc/bgtasks/7": task("completed", rc="Open")},
                          {"tcpconnect": 7, "isWebSsoEnabled": None})
    assert portal.check_server(filer, "portal.example.com", None) == {}
    assert filer.sent("POST")[1][2] == ("isWebSsoEnabled", {"server": "portal.example.com", "trustCertificate": False})


@pytest.mark.parametrize("ended", [task("completed", rc="Closed"), task("failed", rc="Open"), task("completed"),
                                   dict(task("completed"), result=None)])
def test_an_unreachable_port_995_is_an_error_naming_server_and_port(ended):
    filer = ScriptedFiler({"proc/bgtasks/7": ended}, {"tcpconnect": 7, "isWebSsoEnabled": {}})
    with pytest.raises(ApiError) as caught:
        portal.check_server(filer, "portal.example.com", True)
    assert caught.value.message == (
        "check the connection from https://filer.test to portal.example.com: the filer cannot open a TCP connection "
        "to portal.example.com on port 995; check the server address and the network between the filer and the "
        "portal")
    assert [r[2][0] for r in filer.sent("POST")] == ["tcpconnect"]  # isWebSsoEnabled never asked


def test_check_server_names_the_check_when_the_tcp_request_fails():
    filer = ScriptedFiler({}, {"tcpconnect": 7})
    filer.failing.add("status/network")
    with pytest.raises(ApiError, match=r"^check the connection from https://filer.test to portal.example.com "
                                       r"\(TCP port 995\) failed"):
        portal.check_server(filer, "portal.example.com", True)
    filer = ScriptedFiler({"proc/bgtasks/7": task("completed", rc="Open")}, {"tcpconnect": 7})
    filer.failing.add("status/services")
    with pytest.raises(ApiError, match=r"^check the connection from https://filer.test to portal.example.com failed"):
        portal.check_server(filer, "portal.example.com", True)


def test_check_server_waits_for_the_tcp_task_under_the_checks_name():
    filer = ScriptedFiler({}, {"tcpconnect": 7})
    with pytest.raises(ApiError, match=r"^check the connection from https://filer.test to portal.example.com "
                                       r"\(read task 7\) failed"):
        portal.check_server(filer, "portal.example.com", True)


# -- attaching ------------------------------------------------------------------------------------------------------

PARAM = {"server": "portal.example.com", "user": "svc-filer", "password": "pw"}


def attach_filer(*statuses, answer=None, **fields):
    tasks = Answers(*[dict(task(s), **fields) for s in statuses])
    return ScriptedFiler({"proc/bgtasks/9": tasks}, {"attachAndSave": {"id": 9} if answer is None else answer})


def test_attach_sends_attach_and_save_and_waits_for_its_task():
    filer = attach_filer("running", "completed")
    slept = []
    assert portal.attach(filer, PARAM, "connect", interval=0.25, sleep=slept.append) is None
    assert filer.sent("POST") == [("POST", "status/services", ("attachAndSave", PARAM))]
    assert filer.sent("GET") == [("GET", "proc/bgtasks/9", None)] * 2
    assert slept == [0.25]


def test_attach_takes_a_bare_task_reference():
    filer = attach_filer("completed", answer="/proc/bgtasks/9")
    assert portal.attach(filer, PARAM, "connect", sleep=pytest.fail) is None


def test_attach_waits_at_most_its_timeout():
    filer = attach_filer("running")
    with pytest.raises(WaitTimeout, match=r"^connect: task 9 did not finish within 0 s \(last status 'running'\)"):
        portal.attach(filer, PARAM, "connect", timeout=0, sleep=pytest.fail)


class Clock:
    """Stands in for a module's ``time``: ``sleep`` moves the clock on."""

    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_attach_waits_60_s_by_default(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(edge, "time", clock)
    filer = attach_filer("running")
    with pytest.raises(WaitTimeout, match="within 60 s"):
        portal.attach(filer, PARAM, "connect", sleep=clock.sleep)
    assert clock.now == 1060.0


def test_attach_default_wait_polls_every_half_second():
    filer = attach_filer("running", "completed")
    slept = []
    assert portal.attach(filer, PARAM, "connect", sleep=slept.append) is None
    assert slept == [0.5]


@pytest.mark.parametrize("status", ["failed", "stopped", "disabled"])
def test_a_failed_attach_returns_the_reason(status):
    filer = attach_filer(status, description="Wrong user name or password", progstring="step 2")
    assert portal.attach(filer, PARAM, "connect", sleep=pytest.fail) == "Wrong user name or password: step 2"
    filer = attach_filer(status)
    assert portal.attach(filer, PARAM, "connect", sleep=pytest.fail) == \
        "the connection task ended with status %r" % status


def test_an_attach_that_completed_with_warnings_succeeded():
    filer = attach_filer("completed with warnings", description="slow link")
    assert portal.attach(filer, PARAM, "connect", sleep=pytest.fail) is None


def test_attach_errors_name_the_operation():
    filer = attach_filer("completed")
    filer.failing.add("status/services")
    with pytest.raises(ApiError, match="^connect failed"):
        portal.attach(filer, PARAM, "connect", sleep=pytest.fail)


# -- waiting while the filer connects -------------------------------------------------------------------------------

def test_wait_connected_polls_while_connecting():
    filer = ScriptedFiler({"status/services/CTERAPortal/connectionState": Answers(
        "ResolvingServers", "Connecting", "Attaching", "Authenticating", "Connected")})
    slept = []
    assert portal.wait_connected(filer, sleep=slept.append) == "Connected"
    assert slept == [0.5] * 4
    assert filer.sent() == [("GET", "status/services/CTERAPortal/connectionState", None)] * 5


@pytest.mark.parametrize("state", ["Disconnected", "Connected", None])
def test_wait_connected_returns_a_settled_state_at_once(state):
    filer = ScriptedFiler({"status/services/CTERAPortal/connectionState": state})
    assert portal.wait_connected(filer, sleep=pytest.fail) == state


def test_wait_connected_waits_20_s_by_default(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(portal, "time", clock)
    filer = ScriptedFiler({"status/services/CTERAPortal/connectionState": "Connecting"})
    assert portal.wait_connected(filer, sleep=clock.sleep) == "Connecting"
    assert clock.now == 1020.0


def test_wait_connected_gives_up_at_the_deadline_with_the_last_state():
    filer = ScriptedFiler({"status/services/CTERAPortal/connectionState": "Connecting"})
    slept = []
    assert portal.wait_connected(filer, timeout=0, interval=0.1, sleep=slept.append) == "Connecting"
    assert slept == []


def test_wait_connected_names_the_read():
    filer = ScriptedFiler({"status/services/CTERAPortal/connectionState": "Connecting"})
    filer.failing.add("status/services/CTERAPortal/connectionState")
    with pytest.raises(ApiError, match="^read the portal connection state failed"):
        portal.wait_connected(filer, sleep=pytest.fail)


# -- the controller's certificate check (a real TLS server) ---------------------------------------------------------

class TlsServer:
    """Accepts TLS connections on 127.0.0.1 with ``cert`` until closed."""

    def __init__(self, cert):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.context)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    directory = tmp_path_factory.mktemp("edge-portal-tls")
    ca, other_ca = trustme.CA(), trustme.CA()
    ca_path, other_path = str(directory / "ca.pem"), str(directory / "other.pem")
    ca.cert_pem.write_to_path(ca_path)
    other_ca.cert_pem.write_to_path(other_path)
    server = TlsServer(ca.issue_cert("127.0.0.1", "localhost"))
    elsewhere = TlsServer(ca.issue_cert("portal.example.com"))
    yield {"port": server.port, "ca_path": ca_path, "other_path": other_path, "elsewhere": elsewhere.port}
    server.close()
    elsewhere.close()


def test_a_certificate_signed_by_the_ca_and_naming_the_host_is_verified(tls):
    assert portal.certificate_verified("127.0.0.1:%d" % tls["port"], tls["ca_path"]) is True
    assert portal.certificate_verified("localhost:%d" % tls["port"], tls["ca_path"]) is True


def test_a_certificate_of_another_ca_is_not_verified(tls):
    assert portal.certificate_verified("127.0.0.1:%d" % tls["port"], tls["other_path"]) is False


def test_a_certificate_that_does_not_name_the_host_is_not_verified(tls):
    assert portal.certificate_verified("127.0.0.1:%d" % tls["elsewhere"], tls["ca_path"]) is False


def test_an_unreachable_server_is_an_error_naming_the_option(tls):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free = probe.getsockname()[1]
    with pytest.raises(ApiError) as caught:
        portal.certificate_verified("127.0.0.1:%d" % free, tls["ca_path"])
    assert caught.value.message.startswith("cannot check the certificate of 127.0.0.1:%d with portal_ca_path: " % free)


def test_a_server_without_a_port_is_checked_on_443(tls, monkeypatch):
    seen = []

    def connect(address, timeout=None):
        seen.append((address, timeout))
        raise ConnectionRefusedError("refused")
    monkeypatch.setattr(portal.socket, "create_connection", connect)
    for server in ("portal.example.com", "[::1]:x", "fe80::1"):
        with pytest.raises(ApiError, match="cannot check the certificate of %s with portal_ca_path: refused"
                           % server.replace("[", r"\[").replace("]", r"\]")):
            portal.certificate_verified(server, tls["ca_path"])
    with pytest.raises(ApiError):
        portal.certificate_verified("portal.example.com:8443", tls["ca_path"], timeout=3)
    assert seen == [(("portal.example.com", 443), 10), (("[::1]:x", 443), 10), (("fe80::1", 443), 10),
                    (("portal.example.com", 8443), 3)]
