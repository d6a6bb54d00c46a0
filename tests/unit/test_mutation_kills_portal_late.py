# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""More of the Portal session of _portal on the wire (mutation testing, docs/mutation/portal.md), through the
scripted portal of test_mutation_kills_portal: a connection lost on a request that is not sent again names the
operation and keeps the kind of failure, method and URL; a db ``add`` of an object without a ``name`` (an Edge
filer's local user is named by ``username``) is sent as given; the API root is chosen by the URL's last segment
exactly; a background task outside a tenant is read at its reference's path, each segment as given (encoded)."""

import pytest
import requests

from ansible_collections.filefleet.office.plugins.module_utils import _portal_tenancy as tenancy
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import from_xml
from ansible_collections.filefleet.office.plugins.module_utils._http import RequestTimeout, TLSError, TransportError

from test_mutation_kills_portal import URL, Portal, logged_in, session, xml


@pytest.fixture(name="server")
def fixture_server(monkeypatch):
    fake = Portal()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda _self, url: fake)
    return fake


@pytest.mark.parametrize("failure, kind, said", [
    (requests.exceptions.ConnectionError("Connection aborted: the peer closed it"), TransportError,
     "Connection failure talking to %s: Connection aborted: the peer closed it" % URL),
    (requests.exceptions.ReadTimeout("read timed out after 30 s"), RequestTimeout,
     "Timeout talking to %s: read timed out after 30 s" % URL),
    (requests.exceptions.SSLError("certificate verify failed: self-signed certificate"), TLSError,
     "TLS verification failed for %s: certificate verify failed: self-signed certificate" % URL),
])
def test_a_lost_connection_names_the_operation_the_method_and_the_url(server, failure, kind, said):
    s = logged_in(server)
    server.routes[("POST", "/admin/api/shares")] = failure
    with pytest.raises(TransportError) as info:
        s.database(s.path("shares"), "add", {"name": "docs"}, what="create share 'docs'")
    error = info.value
    assert type(error) is kind  # pylint: disable=unidiomatic-typecheck
    assert error.message.startswith("create share 'docs' failed: " + said)
    assert (error.method, error.url, error.status) == ("POST", URL + "/admin/api/shares", None)
    assert str(error).startswith("create share 'docs' failed: ")
    assert str(error).endswith("(POST %s/admin/api/shares)" % URL)
    assert server.paths() == [("POST", "/admin/api/shares")]  # a write is never sent twice


def test_a_db_add_of_an_object_named_otherwise_is_sent_as_given(server):
    s = logged_in(server)
    server.routes[("POST", "/admin/api/config/auth/users")] = xml(None)
    user = {"username": "alice", "fullName": "Alice"}  # edge_user's local user: no "name" attribute
    assert s.database(s.path("config", "auth", "users"), "add", user, what="create the local user 'alice'") is None
    assert from_xml(server.sent[-1][2]) == {"type": "db", "name": "add", "param": user}
    assert server.paths() == [("POST", "/admin/api/config/auth/users")]


def test_only_the_exact_last_segment_servicesportal_means_a_tenant_user(server):
    s = session("https://portal.example.com/ServicesPortal /").login()  # "ServicesPortal " is another segment
    assert s.context == "admin" and s.api_root == "/admin/api" and s.is_global_admin
    assert server.paths()[0] == ("POST", "/admin/api/login")


def test_a_task_outside_a_tenant_is_read_at_its_reference_each_segment_encoded(server):
    s = logged_in(server)
    server.routes[("GET", "/admin/api/servers/Main%20DB/bgTasks/7")] = xml({"status": "completed", "id": 7})
    done = tenancy.wait_for_task(s, "/servers/Main DB/bgTasks/7", "apply provisioning changes of plan 'gold'")
    assert done == {"status": "completed", "id": 7}
    assert server.paths() == [("GET", "/admin/api/servers/Main%20DB/bgTasks/7")]
