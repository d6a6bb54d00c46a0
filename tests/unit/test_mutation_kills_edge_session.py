# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EdgeSession and edge_session (module_utils/_edge.py) against simulated filers, one factory-fresh and one set up:
the exact messages of a factory-fresh filer in a real run and in check mode, what a session that expires during its
login says, and the requests of a login as the filer counts them."""

import pytest

from module_double import ModuleDouble
from simulators.harness import Simulators
from ansible_collections.filefleet.office.plugins.module_utils import _engine as engine
from ansible_collections.filefleet.office.plugins.module_utils._common import SessionScope
from ansible_collections.filefleet.office.plugins.module_utils._edge import EdgeSession, edge_session
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import ShareDirectory
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, SessionExpired, TLSError, UnexpectedAnswer,
)


@pytest.fixture(scope="module")
def filers(tmp_path_factory):
    with Simulators(str(tmp_path_factory.mktemp("edge-session")), edges=2, edge_factory=1) as running:
        yield running


def params_for(edge, **options):
    params = {"edge_url": edge["url"], "edge_username": edge["username"], "edge_password": edge["password"],
              "validate_certs": True, "ca_path": edge["ca_path"], "timeout": 10}
    params.update(options)
    return params


def test_a_real_run_on_a_factory_fresh_filer_says_what_to_run(filers):
    fresh = filers.info["edges"][0]
    with SessionScope(ModuleDouble(check_mode=False)) as scope:
        with pytest.raises(engine.NotReadyYet) as caught:
            edge_session(scope, params_for(fresh))
    expected = ("the Edge Filer %s has no administrator yet (factory-fresh), so %r cannot log in: "
                "filefleet.office.edge_setup creates the first administrator (role office_onboarding: "
                "office_device.setup)" % (fresh["url"], fresh["username"]))
    assert str(caught.value) == expected


def test_check_mode_on_a_factory_fresh_filer_warns_what_was_predicted(filers):
    fresh = filers.info["edges"][0]
    with SessionScope(ModuleDouble(check_mode=True)) as scope:
        session = edge_session(scope, params_for(fresh))
    assert session.not_ready.warning == (
        "check mode: the Edge Filer %s has no administrator yet (factory-fresh), so nothing on it can be read; "
        "predicted as on a filer that earlier tasks of the play set up (filefleet.office.edge_setup) and "
        "connected to its portal (filefleet.office.edge_portal_connection). A real run fails here unless they "
        "do" % fresh["url"])
    assert str(session.not_ready).startswith("the Edge Filer %s has no administrator yet" % fresh["url"])
    with pytest.raises(engine.NotReadyYet):
        session.login()
    # Predicted as current firmware, and the per-session share list is there to be asked (and says not ready).
    assert session.shares_v1 is False
    with pytest.raises(engine.NotReadyYet):
        ShareDirectory.of(session).shares()


def test_a_set_up_filer_logs_in_with_the_given_timeout(filers):
    ready = filers.info["edges"][1]
    with SessionScope(ModuleDouble(check_mode=False)) as scope:
        session = edge_session(scope, params_for(ready, timeout=7))
        assert session.logged_in and session.not_ready is None
        assert session.http.timeout == (10.0, 7.0)  # (connect, read) as requests gets it
    with SessionScope(ModuleDouble(check_mode=False)) as scope:
        assert edge_session(scope, params_for(ready, timeout=None)).http.timeout == (10.0, 30.0)
    assert EdgeSession(ready["url"], "u", "p", ca_path=ready["ca_path"]).http.timeout == (10.0, 30.0)


LOGIN = "/admingui/api/login"
MIGRATE = "/migration/rest/v1/auth/user"


def seen(sims, edge, before, key):
    return sims.stats(edge)["requests"].get(key, 0) - before["requests"].get(key, 0)


def test_a_login_reads_the_token_the_user_and_the_firmware_once(filers):
    ready = filers.info["edges"][1]
    before = filers.stats(ready)
    session = EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
    try:
        assert session.current_user["username"] == ready["username"]
        assert session.firmware and session.shares_v1 is False
        assert "cloud" in [share["name"] for share in ShareDirectory.of(session).shares()]
        for key in ("POST /admingui/api/login", "GET /migration/rest/v1/auth/user", "GET /admingui/api/currentuser",
                    "GET /admingui/api/status/device/runningFirmware"):
            assert seen(filers, ready, before, key) == 1, key
    finally:
        session.close()
    assert seen(filers, ready, before, "POST /admingui/api/logout") == 1


def test_a_refused_login_names_the_user_and_the_filer_never_the_password(filers):
    ready = filers.info["edges"][1]
    wrong = "Not-The-Password-77"
    with pytest.raises(AuthenticationError) as caught:
        EdgeSession(ready["url"], ready["username"], wrong, ca_path=ready["ca_path"], retries=0).login()
    assert caught.value.message == "Edge Filer login refused for user %r at %s: wrong username or password" % (
        ready["username"], ready["url"].rstrip("/"))
    assert wrong not in repr(caught.value.to_result())
    assert (caught.value.method, caught.value.status) == ("POST", 500) and caught.value.url.endswith(LOGIN)


@pytest.mark.parametrize("status", [401, 403])
def test_a_login_answered_unauthorized_or_forbidden_is_refused(filers, status):
    ready = filers.info["edges"][1]
    filers.faults(ready, {"errors": [{"status": status, "count": 1, "path": LOGIN}]})
    try:
        with pytest.raises(AuthenticationError) as caught:
            EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
    finally:
        filers.faults(ready, {})
    assert caught.value.message.endswith(": wrong username or password") and caught.value.status == status


def test_another_server_error_at_login_does_not_blame_the_credentials(filers):
    ready = filers.info["edges"][1]
    body = '<obj><att id="msg"><val>Internal error</val></att></obj>'
    filers.faults(ready, {"errors": [{"status": 500, "count": 1, "path": LOGIN, "body": body}]})
    try:
        with pytest.raises(ApiError) as caught:
            EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
    finally:
        filers.faults(ready, {})
    assert not isinstance(caught.value, AuthenticationError)
    assert "wrong username or password" not in str(caught.value)


@pytest.mark.parametrize("path,step", [
    ("/migration/rest/v1/auth/user", "read the CTERA Migrate token after the Edge Filer login"),
    ("/admingui/api/currentuser", "read the current user"),
    ("/admingui/api/status/device/runningFirmware", "read the firmware version"),
])
def test_a_session_expiring_twice_during_the_login_names_the_step(filers, path, step):
    ready = filers.info["edges"][1]
    before = filers.stats(ready)
    filers.faults(ready, {"errors": [{"status": 401, "count": 2, "path": path}]})
    try:
        with pytest.raises(SessionExpired) as caught:
            EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
    finally:
        filers.faults(ready, {})
    assert caught.value.message == ("Edge Filer login for user %r at %s: the new session expired again before %s"
                                    % (ready["username"], ready["url"].rstrip("/"), step))
    assert caught.value.status == 401 and caught.value.url.endswith(path) and caught.value.method == "GET"
    assert filers.stats(ready)["logins"] - before["logins"] == 2


def test_certificates_are_verified_by_default(filers, monkeypatch):
    ready = filers.info["edges"][1]
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(TLSError):
        EdgeSession(ready["url"], ready["username"], ready["password"], retries=0).login()
    EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login().close()


@pytest.mark.parametrize("retries,sent", [(None, 4), (0, 1), (1, 2)])
def test_a_busy_filer_is_asked_again_as_often_as_allowed(filers, retries, sent):
    ready = filers.info["edges"][1]
    before = filers.stats(ready)
    filers.faults(ready, {"errors": [{"status": 429, "retry_after": 0, "count": 10, "path": LOGIN}]})
    options = {} if retries is None else {"retries": retries}
    try:
        with pytest.raises(ApiError):
            EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"], **options).login()
    finally:
        filers.faults(ready, {})
    assert seen(filers, ready, before, "POST " + LOGIN) == sent


def test_the_migrate_token_is_read_again_after_a_gateway_error(filers):
    ready = filers.info["edges"][1]
    before = filers.stats(ready)
    filers.faults(ready, {"errors": [{"status": 503, "count": 1, "path": MIGRATE}]})
    try:
        session = EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
        session.close()
    finally:
        filers.faults(ready, {})
    assert seen(filers, ready, before, "GET " + MIGRATE) == 2


def test_a_failed_migrate_token_read_names_the_step(filers):
    ready = filers.info["edges"][1]
    for plan, error in (({"errors": [{"status": 500, "count": 1, "path": MIGRATE}]}, ApiError),
                        ({"foreign": [{"kind": "xml", "count": 1, "path": MIGRATE}]}, UnexpectedAnswer)):
        filers.faults(ready, plan)
        try:
            with pytest.raises(error) as caught:
                EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"],
                            retries=0).login()
        finally:
            filers.faults(ready, {})
        assert caught.value.message.startswith("read the CTERA Migrate token after the Edge Filer login failed")
    assert "not the API's JSON answer" in caught.value.message


def test_an_empty_migrate_answer_is_accepted_and_a_foreign_one_is_shown_redacted(filers):
    ready = filers.info["edges"][1]
    filers.faults(ready, {"foreign": [{"kind": "empty", "count": 1, "path": MIGRATE}]})
    try:
        EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login().close()
    finally:
        filers.faults(ready, {})
    body = "<html><body>token for %s</body></html>" % ready["password"]
    filers.faults(ready, {"errors": [{"status": 200, "count": 1, "path": MIGRATE, "body": body}]})
    try:
        with pytest.raises(UnexpectedAnswer) as caught:
            EdgeSession(ready["url"], ready["username"], ready["password"], ca_path=ready["ca_path"]).login()
    finally:
        filers.faults(ready, {})
    assert "token for ********" in caught.value.message and ready["password"] not in caught.value.message


def login_failure(filers, edge, plan, error=ApiError, **options):
    filers.faults(edge, plan)
    try:
        with pytest.raises(error) as caught:
            EdgeSession(edge["url"], edge["username"], edge["password"], ca_path=edge["ca_path"], **options).login()
    finally:
        filers.faults(edge, {})
    return caught.value


def test_a_failed_login_names_the_user_and_shows_the_server(filers):
    ready = filers.info["edges"][1]
    body = '<obj><att id="msg"><val>Maintenance in progress</val></att></obj>'
    error = login_failure(filers, ready, {"errors": [{"status": 503, "count": 1, "path": LOGIN, "body": body}]},
                          retries=0)
    assert error.message.startswith("Edge Filer login for user %r failed" % ready["username"])
    assert error.server_message == "Maintenance in progress"


@pytest.mark.parametrize("kind", ["json", "html"])
def test_a_login_answer_that_is_not_the_filers_is_an_error_naming_the_login(filers, kind):
    ready = filers.info["edges"][1]
    error = login_failure(filers, ready, {"foreign": [{"kind": kind, "count": 1, "path": LOGIN}]}, UnexpectedAnswer)
    assert error.message.startswith("Edge Filer login for user %r failed: the server answered" % ready["username"])


def test_a_login_answer_echoing_the_password_is_shown_redacted(filers):
    ready = filers.info["edges"][1]
    body = "<html>welcome %s</html>" % ready["password"]
    error = login_failure(filers, ready, {"errors": [{"status": 200, "count": 1, "path": LOGIN, "body": body}]},
                          UnexpectedAnswer)
    assert "welcome ********" in error.message and ready["password"] not in error.message


def test_a_login_without_a_session_cookie_asks_whether_this_is_an_edge_filer(filers):
    ready = filers.info["edges"][1]
    body = "<val>ok</val>"
    error = login_failure(filers, ready, {"errors": [{"status": 200, "count": 1, "path": LOGIN, "body": body}]})
    assert error.message == ("Edge Filer login for user %r at %s returned no _cteraSessionId_ cookie; is this an Edge "
                             "Filer?" % (ready["username"], ready["url"].rstrip("/")))
    assert error.method == "POST" and error.url.endswith(LOGIN) and error.status == 200


def test_factory_fresh_only_when_the_filer_says_so(filers):
    fresh, ready = filers.info["edges"]
    info = "/admingui/api/nosession/logininfo"
    filers.faults(fresh, {"errors": [{"status": 503, "count": 1, "path": info}]})
    try:
        assert EdgeSession(fresh["url"], "x", "y", ca_path=fresh["ca_path"]).factory_fresh() is True
    finally:
        filers.faults(fresh, {})
    body = '<obj><att id="isfirstlogin"><val>true</val></att></obj>'
    for plan in ({"errors": [{"status": 500, "count": 1, "path": info, "body": body}]},
                 {"drop": [{"count": 5, "path": info}]}):
        filers.faults(ready, plan)
        try:
            assert EdgeSession(ready["url"], "x", "y", ca_path=ready["ca_path"], retries=0).factory_fresh() is False
        finally:
            filers.faults(ready, {})


@pytest.mark.parametrize("path, what", [("/admingui/api/currentuser", "read the current user"),
                                        ("/admingui/api/status/device/runningFirmware", "read the firmware version")])
def test_the_reads_after_the_login_name_their_step_show_the_server_and_refuse_foreign_answers(filers, path, what):
    ready = filers.info["edges"][1]
    body = '<obj><att id="msg"><val>Maintenance in progress</val></att></obj>'
    error = login_failure(filers, ready, {"errors": [{"status": 500, "count": 9, "path": path, "body": body}]},
                          retries=0)
    assert error.message == what + " failed" and error.server_message == "Maintenance in progress"
    assert (error.method, error.status) == ("GET", 500) and error.url.endswith(path)
    for kind in ("json", "html"):
        error = login_failure(filers, ready, {"foreign": [{"kind": kind, "count": 1, "path": path}]}, UnexpectedAnswer)
        assert error.message.startswith(what + " failed: the server answered"), error.message
        assert "not the API's XML answer" in error.message
    echo = "<html>hello %s</html>" % ready["password"]
    error = login_failure(filers, ready, {"errors": [{"status": 200, "count": 1, "path": path, "body": echo}]},
                          UnexpectedAnswer)
    assert "hello ********" in error.message and ready["password"] not in repr(error.to_result())


class _Answer:
    def __init__(self, status, location=None):
        self.status_code = status
        self.headers = {"Location": location} if location is not None else {}


@pytest.mark.parametrize("status, location, expired", [
    (401, None, True),
    (200, None, False), (403, None, False), (500, None, False),
    (302, "/admingui/login.html", True), (301, "/LOGIN", True), (303, "/admingui/api/login", True),
    (307, "https://FILER.example:8443/admingui/login", True),
    (302, "https://captive.example/login", False),
    (302, "https://filer.example:9999/login", False),
    (302, "/admingui/api/status", False), (302, None, False),
    (308, "/admingui/login.html", False), (304, "/login", False),
])
def test_an_expired_session_is_a_401_or_a_redirect_to_the_filers_own_login_page(status, location, expired):
    """What decides a new login (and nothing else): a captive portal's login page is not the filer's."""
    session = EdgeSession("https://filer.example:8443", "admin", "pw")
    try:
        assert session._is_expired(_Answer(status, location)) is expired  # pylint: disable=protected-access
    finally:
        session.http.session.close()
