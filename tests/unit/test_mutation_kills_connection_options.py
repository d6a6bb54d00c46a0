# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options of the three API families as a module sees them, and the sessions they open (mutation
testing, docs/mutation.md, found them unchecked by the unit tests: _portal.tls_argument_spec,
portal_argument_spec, portal_session, _edge.edge_argument_spec, edge_session, _cloutility.cloutility_argument_spec,
cloutility_session).

Options are resolved by a real ``FilefleetModule`` (ansible-core's validation, env fallbacks and no_log), then
handed to the session factory; the session's HTTP client says how it will verify certificates. TLS: certificates
are verified unless ``validate_certs`` is false (option or environment), ``ca_path`` becomes the trust store;
secrets: passwords are no_log; sessions are shared only between identical connection options.
"""

import json

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _cloutility as clou
from ansible_collections.filefleet.office.plugins.module_utils import _common as common
from ansible_collections.filefleet.office.plugins.module_utils import _edge as edge
from ansible_collections.filefleet.office.plugins.module_utils import _portal as portal

# Per family: argument spec, session factory, option names of url/user/password, their environment variables,
# the prefix of the TLS variables, the extra required options with their variables.
FAMILIES = {
    "portal": dict(spec=portal.portal_argument_spec, session=portal.portal_session, kind="portal",
                   url=("portal_url", "CTERA_PORTAL_URL"), user=("portal_username", "CTERA_PORTAL_USERNAME"),
                   password=("portal_password", "CTERA_PORTAL_PASSWORD"), tls="CTERA", extra={}),
    "edge": dict(spec=edge.edge_argument_spec, session=edge.edge_session, kind="edge",
                 url=("edge_url", "CTERA_EDGE_URL"), user=("edge_username", "CTERA_EDGE_USERNAME"),
                 password=("edge_password", "CTERA_EDGE_PASSWORD"), tls="CTERA", extra={}),
    "cloutility": dict(spec=clou.cloutility_argument_spec, session=clou.cloutility_session, kind="cloutility",
                       url=("cloutility_url", "CLOUTILITY_URL"), user=("cloutility_username", "CLOUTILITY_USERNAME"),
                       password=("cloutility_password", "CLOUTILITY_PASSWORD"), tls="CLOUTILITY",
                       extra={"cloutility_client_id": ("CLOUTILITY_CLIENT_ID", "6d6dfead-c485-4901-8434-75fe9fc72fc9"),
                              "cloutility_origin": ("CLOUTILITY_ORIGIN", "https://automation.example.com")}),
}
ALL_VARIABLES = sorted(set(v for f in FAMILIES.values() for v in (f["url"][1], f["user"][1], f["password"][1]))
                       | set(v for f in FAMILIES.values() for v, _x in f["extra"].values())
                       | set("%s_%s" % (p, s) for p in ("CTERA", "CLOUTILITY") for s in ("VALIDATE_CERTS", "CA_PATH")))


class Done(Exception):
    pass


class Scope(common.SessionScope):
    """A SessionScope that records the keys sessions are asked for."""

    def __init__(self, module):
        common.SessionScope.__init__(self, module)
        self.keys = []

    def get(self, kind, key, factory):
        self.keys.append((kind, key))
        return common.SessionScope.get(self, kind, key, factory)


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    logins = []

    def login(self):
        logins.append(self)
        return self
    # Sessions are built for real; only the network login is skipped (portal and edge log in inside the factory).
    monkeypatch.setattr(portal.PortalSession, "login", login)
    monkeypatch.setattr(edge.EdgeSession, "login", login)
    common._logout_shared_sessions()  # pylint: disable=protected-access
    yield logins
    common._logout_shared_sessions()  # pylint: disable=protected-access


def module_for(family, args=None, in_process=False):
    """A FilefleetModule with the family's connection options, resolved from args and the environment."""
    with common.invocation(dict(args or {})):
        module = common.FilefleetModule(argument_spec=family["spec"](), supports_check_mode=True)
    module.filefleet_in_process = in_process
    return module


def set_connection_env(monkeypatch, family, password="pw-Env-Secret-31"):
    monkeypatch.setenv(family["url"][1], "https://%s.example.com" % family["kind"])
    monkeypatch.setenv(family["user"][1], "admin-%s" % family["kind"])
    monkeypatch.setenv(family["password"][1], password)
    for variable, value in family["extra"].values():
        monkeypatch.setenv(variable, value)


def session_for(family, module):
    scope = Scope(module)
    session = family["session"](scope, module.params)
    return session, scope


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_certificates_are_verified_by_default_with_the_system_trust_store(monkeypatch, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    module = module_for(family)
    assert module.params["validate_certs"] is True and module.params["ca_path"] is None
    assert module.params["timeout"] == 30
    session, _scope = session_for(family, module)
    assert session.http.verify is True
    assert session.http.timeout[1] == 30.0


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_ca_path_and_validate_certs_come_from_the_environment(monkeypatch, tmp_path, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv(family["tls"] + "_CA_PATH", str(ca))
    module = module_for(family)
    assert module.params["validate_certs"] is True and module.params["ca_path"] == str(ca)
    assert session_for(family, module)[0].http.verify == str(ca)

    monkeypatch.setenv(family["tls"] + "_VALIDATE_CERTS", "false")
    module = module_for(family, {"timeout": 7})
    assert module.params["validate_certs"] is False
    session = session_for(family, module)[0]
    assert session.http.verify is False and session.http.timeout[1] == 7.0


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_options_win_over_the_environment(monkeypatch, tmp_path, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    monkeypatch.setenv(family["tls"] + "_VALIDATE_CERTS", "false")
    ca = tmp_path / "given.pem"
    ca.write_text("x")
    args = {family["url"][0]: "https://given.example.com", family["user"][0]: "given-user",
            family["password"][0]: "pw-Given-Secret-52", "validate_certs": True, "ca_path": str(ca)}
    module = module_for(family, args)
    for option, value in args.items():
        assert module.params[option] == value
    session = session_for(family, module)[0]
    assert session.http.verify == str(ca)
    assert session.http.base_url.startswith("https://given.example.com")


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_connection_option_is_required(monkeypatch, capsys, name):
    family = FAMILIES[name]
    with pytest.raises(SystemExit):
        module_for(family)
    failure = json.loads(capsys.readouterr().out)
    names = [family["url"][0], family["user"][0], family["password"][0]] + sorted(family["extra"])
    assert failure["failed"] is True
    for option in names:
        assert option in failure["msg"]


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_password_is_no_log_and_nothing_else_is(monkeypatch, capsys, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family, password="pw-Masked-Secret-73")
    module = module_for(family, in_process=True)  # prints its result itself, as the action plugin reads it
    assert module.no_log_values == {"pw-Masked-Secret-73"}  # the user, URL, client id and origin stay readable
    with pytest.raises(SystemExit):
        module.exit_json(changed=False, seen="login with pw-Masked-Secret-73")
    out = capsys.readouterr().out
    assert "pw-Masked-Secret-73" not in out and "login with ********" in out


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_sessions_are_shared_only_between_identical_connection_options(monkeypatch, tmp_path, clean, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    base = module_for(family, in_process=True)
    first, scope = session_for(family, base)
    assert session_for(family, module_for(family, in_process=True))[0] is first  # the next loop item: shared
    assert scope.keys[0][0] == family["kind"]
    assert "pw-Env-Secret-31" not in repr(scope.keys)  # the key holds a fingerprint, never the password
    variants = [{"validate_certs": False}, {"ca_path": str(ca)}, {family["password"][0]: "pw-Other-Secret-94"},
                {family["user"][0]: "someone-else"}, {family["url"][0]: "https://other.example.com"}]
    variants += [{option: value + "-other"} for option, (_variable, value) in family["extra"].items()]
    others = [session_for(family, module_for(family, args, in_process=True))[0] for args in variants]
    assert all(other is not first for other in others)
    assert len(set(map(id, others))) == len(others)
    if name != "cloutility":  # portal and edge log in when the session is made, once per distinct session
        assert len(clean) == 1 + len(variants)


# -- the Portal's paged query (users, groups, devices are listed through it) ---------------------------------------

class QuerySession(portal.CteraXmlSession):
    """A CteraXmlSession whose ``db`` calls go to an in-memory table of ``count`` objects (no network)."""

    def __init__(self, count, stop_early=False):  # pylint: disable=super-init-not-called
        self.rows = [{"name": "u%03d" % i, "email": "u%03d@example.com" % i} for i in range(count)]
        self.stop_early = stop_early
        self.calls = []

    def database(self, path, name, param=None, what=None, idempotent=False, missing_ok=False):
        self.calls.append(dict(path=path, name=name, param=param, what=what, idempotent=idempotent))
        start, limit = param["startFrom"], param["countLimit"]
        rows = self.rows[start:start + limit]
        more = start + limit < len(self.rows)
        if self.stop_early and start > 0:
            rows = []  # a server that says there is more but answers nothing: no endless loop
        return {"objects": rows, "hasMore": more}


def test_query_reads_every_page_with_the_same_request():
    session = QuerySession(120)
    got = list(session.query("/admin/api/users", include=["email"], filters=[{"field": "role"}], what="list users"))
    assert got == session.rows
    assert [c["param"]["startFrom"] for c in session.calls] == [0, 50, 100]
    for call in session.calls:
        assert call["path"] == "/admin/api/users" and call["name"] == "query" and call["what"] == "list users"
        assert call["idempotent"] is True  # a read: retried like one
        assert call["param"]["countLimit"] == 50
        assert call["param"]["include"] == ["email", "name"]  # the name is always read (objects are found by it)
        assert call["param"]["filters"] == [{"field": "role"}] and call["param"]["orFilter"] is False


def test_query_options():
    session = QuerySession(7)
    assert list(session.query("/p", include=["name", "email"], page_size=3)) == session.rows
    assert [c["param"]["startFrom"] for c in session.calls] == [0, 3, 6]
    assert all(c["param"]["include"] == ["name", "email"] for c in session.calls)
    assert all("filters" not in c["param"] and "orFilter" not in c["param"] for c in session.calls)
    session = QuerySession(4)
    assert list(session.query("/p")) == session.rows
    assert "include" not in session.calls[0]["param"] and len(session.calls) == 1
    session = QuerySession(100, stop_early=True)
    assert len(list(session.query("/p"))) == 50 and len(session.calls) == 2
    session = QuerySession(50)  # exactly one page: hasMore false, no second request
    assert len(list(session.query("/p"))) == 50 and len(session.calls) == 1


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_the_session_gets_every_connection_option(monkeypatch, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family, password="pw-Session-Secret-62")
    session = session_for(family, module_for(family))[0]
    assert session.http.redact("echo pw-Session-Secret-62") == "echo ********"
    assert session.username == "admin-%s" % family["kind"]
    if name == "cloutility":
        assert session.client_id == family["extra"]["cloutility_client_id"][1]
        assert session.origin == family["extra"]["cloutility_origin"][1]
        assert session.redactor("echo pw-Session-Secret-62") == "echo ********"


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_caller_that_leaves_out_the_tls_options_gets_certificates_verified(name):
    family = FAMILIES[name]
    params = {family["url"][0]: "https://h.example.com", family["user"][0]: "u", family["password"][0]: "pw-Bare-1"}
    params.update((option, value) for option, (_variable, value) in family["extra"].items())
    session = family["session"](Scope(FakeModule()), params)
    assert session.http.verify is True and session.http.timeout[1] == 30.0


class FakeModule:
    filefleet_in_process = False


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_plain_http_is_refused_unless_allowed(monkeypatch, capsys, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    assert module_for(family).params["allow_insecure_http"] is False
    with pytest.raises(SystemExit):
        module_for(family, {family["url"][0]: "http://lab.example.com"}, in_process=True)
    failure = json.loads(capsys.readouterr().out)
    assert failure["failed"] is True and "allow_insecure_http" in failure["msg"] and family["url"][0] in failure["msg"]
    assert module_for(family, {family["url"][0]: "http://lab.example.com", "allow_insecure_http": True}).params[
        "allow_insecure_http"] is True
    monkeypatch.setenv(family["tls"] + "_ALLOW_INSECURE_HTTP", "true")
    assert module_for(family, {family["url"][0]: "http://lab.example.com"}).params["allow_insecure_http"] is True


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_ca_path_is_a_path_with_the_home_directory_expanded(monkeypatch, tmp_path, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family)
    monkeypatch.setenv("HOME", str(tmp_path))
    module = module_for(family, {"ca_path": "~/ca.pem"})
    assert module.params["ca_path"] == str(tmp_path / "ca.pem")
    assert session_for(family, module)[0].http.verify == str(tmp_path / "ca.pem")


@pytest.mark.parametrize("name", ["edge", "portal"])
def test_portal_and_edge_sessions_log_in_with_the_given_password(monkeypatch, name):
    family = FAMILIES[name]
    set_connection_env(monkeypatch, family, password="pw-Login-Secret-81")
    session = session_for(family, module_for(family))[0]
    assert session._password == "pw-Login-Secret-81"  # pylint: disable=protected-access  # what _login sends
