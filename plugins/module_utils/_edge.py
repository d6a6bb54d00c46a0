# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Edge Filer session: form login, Migrate token, bootstrap, XML calls, re-login on expiry, logout.

Wire protocol: docs/protocol-ctera.md#edge-filer-login-and-session. The session cookie is ``_cteraSessionId_``; right after the login
the filer's CTERA Migrate service is asked for the ``x-mt-x`` token (``GET /migration/rest/v1/auth/user``), which
is then sent on every later request. The firmware version read at login selects the share object shape.

An expired or unknown session answers HTTP 401 (or redirects to the login page); the session logs in again once
and repeats the request.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import time

from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, HttpClient, LOGIN_IS_SAFE, Redactor, SessionExpired, WaitTimeout, check_answer,
    normalize_base_url,
)
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import from_xml
from ansible_collections.filefleet.office.plugins.module_utils._portal import (
    CteraXmlSession, XML_LIBRARY, decode_error_body, server_message, tls_argument_spec,
)
from ansible_collections.filefleet.office.plugins.module_utils._common import secret_fingerprint
from ansible_collections.filefleet.office.plugins.module_utils._engine import NotReadyYet

API_ROOT = "/admingui/api"
MIGRATE_AUTH = "/migration/rest/v1/auth/user"
SESSION_COOKIE = "_cteraSessionId_"
MIGRATE_HEADER = "x-mt-x"
WRONG_CREDENTIALS = "Wrong username or password"
# Shares change shape at this firmware (cterasdk/common/modules.py): older firmware adds three V1-only attributes.
SHARES_V7_FIRMWARE = (7, 12, 5400)
# How a background task ends (cterasdk/common/enum.py TaskRunningStatus; lib/tasks.py waits for exactly these five).
# Any other status (running, waiting, retrying, stopping, or one this list does not know) means "not done yet".
TASK_SUCCEEDED = "completed"
TASK_WARNINGS = "completed with warnings"
TASK_FAILED = ("failed", "stopped", "disabled")
TASK_TERMINAL = (TASK_SUCCEEDED, TASK_WARNINGS) + TASK_FAILED
TASK_NUMBER = re.compile(r"[1-9][0-9]*")
EXPORT_PATH = API_ROOT + "/export"
# Answers without a session whether the filer has its first administrator (cterasdk edge/login.py ``initialized``).
LOGIN_INFO_PATH = API_ROOT + "/nosession/logininfo"


def edge_argument_spec():
    spec = dict(
        edge_url=dict(type="str", required=True, fallback=(env_fallback, ["CTERA_EDGE_URL"])),
        edge_username=dict(type="str", required=True, fallback=(env_fallback, ["CTERA_EDGE_USERNAME"])),
        edge_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CTERA_EDGE_PASSWORD"])),
    )
    spec.update(tls_argument_spec("CTERA"))
    return spec


class _ExpiredDuringLogin(Exception):
    """The session of a login in progress expired (the filer answered 401 or redirected to its login page)."""

    def __init__(self, step, url, status):
        Exception.__init__(self, step)
        self.step = step
        self.url = url
        self.status = status


def firmware_tuple(version):
    """``7.12.5600.3`` -> ``(7, 12, 5600, 3)``; unknown parts count as 0."""
    parts = []
    for part in str(version or "").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


class EdgeSession(CteraXmlSession):
    kind = "edge"

    def __init__(self, url, username, password, validate_certs=True, ca_path=None, timeout=30, retries=3):
        base = normalize_base_url(url)
        http = HttpClient(base, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout, retries=retries,
                          redactor=Redactor([password], username=username))
        CteraXmlSession.__init__(self, http, API_ROOT, username, password)
        self.firmware = None
        self.current_user = None
        self.cache = {}
        self.not_ready = None  # NotReadyYet: a factory-fresh filer, read in check mode (see ``edge_session``)

    def login(self):
        if self.not_ready is not None:
            raise self.not_ready
        return CteraXmlSession.login(self)

    def factory_fresh(self):
        """Whether the filer has no administrator yet (``nosession/logininfo`` ``isfirstlogin``); False when it
        does not say."""
        try:
            response = self.http.request("GET", LOGIN_INFO_PATH)
            info = from_xml(response.content) if response.status_code == 200 and response.content else None
        except (ApiError, ValueError):
            return False
        return isinstance(info, dict) and str(info.get("isfirstlogin")).strip().lower() == "true"

    # -- hooks of CteraXmlSession ---------------------------------------------------------------------
    def _login(self):
        """Log in, read the Migrate token and bootstrap; a session that expires before that is done is renewed
        once (the whole login again), then ``SessionExpired``."""
        for attempt in (1, 2):
            try:
                return self._login_once()
            except _ExpiredDuringLogin as gone:
                if attempt == 2:
                    raise SessionExpired("Edge Filer login for user %r at %s: the new session expired again before "
                                         "%s" % (self.username, self.http.base_url, gone.step), "GET",
                                         self.http.redact(gone.url), gone.status)

    def _login_once(self):
        self.http.session.headers.pop(MIGRATE_HEADER, None)
        self.http.session.cookies.clear()
        url = self.path("login")
        # Retried like a read on 429/502/503/504 and dropped connections; a refusal (401/403, or the filer's
        # 500 "Wrong username or password") never is, so a wrong password costs one attempt.
        response = self.http.request("POST", url, data={"username": self.username, "password": self._password},
                                     idempotent=LOGIN_IS_SAFE)
        parsed = decode_error_body(response)
        message = server_message(parsed)
        if response.status_code in (401, 403) or (response.status_code == 500 and message == WRONG_CREDENTIALS):
            raise AuthenticationError(
                "Edge Filer login refused for user %r at %s: wrong username or password"
                % (self.username, self.http.base_url), "POST", self.http.url(url), response.status_code)
        self.http.raise_for_status(response, "Edge Filer login for user %r" % self.username, message)
        check_answer(response, "xml", "Edge Filer login for user %r" % self.username, self.http.redact,
                     require_body=False)
        if not self.http.session.cookies.get(SESSION_COOKIE):
            raise ApiError("Edge Filer login for user %r at %s returned no %s cookie; is this an Edge Filer?"
                           % (self.username, self.http.base_url, SESSION_COOKIE), "POST", self.http.url(url),
                           response.status_code)
        # The filer's Migrate service issues the token every later request carries (like the SDK's sync login).
        what = "read the CTERA Migrate token after the Edge Filer login"
        response = self.http.request("GET", MIGRATE_AUTH)
        self._raise_if_expired(response, what)
        self.http.raise_for_status(response, what)
        check_answer(response, "json", what, self.http.redact, require_body=False)
        token = response.headers.get(MIGRATE_HEADER)
        if token:
            self.http.session.headers[MIGRATE_HEADER] = token
        self.current_user = self._bootstrap_get("currentuser", "read the current user")
        self.firmware = self._bootstrap_get("status/device/runningFirmware", "read the firmware version")
        self.cache = {}

    def _raise_if_expired(self, response, what):
        if self._is_expired(response):
            response.close()
            raise _ExpiredDuringLogin(what, response.url, response.status_code)

    def _bootstrap_get(self, path, what):
        response = self.http.request("GET", self.path(path))
        self._raise_if_expired(response, what)
        self.http.raise_for_status(response, what, server_message(decode_error_body(response)))
        check_answer(response, "xml", what, self.http.redact)
        return from_xml(response.content)

    def _logout(self):
        self.http.request("POST", self.path("logout"), data={"foo": "bar"}, idempotent=False)

    def _is_expired(self, response):
        if response.status_code == 401:
            return True
        if response.status_code in (301, 302, 303, 307):
            # Only the filer's own login page: a redirect elsewhere (a captive portal) is not an expired session.
            location = urlsplit(response.headers.get("Location", ""))
            if location.netloc and location.netloc.lower() != urlsplit(self.http.base_url).netloc.lower():
                return False
            return "login" in location.path.lower()
        return False

    def _after_relogin(self):
        self.cache = {}

    # -- helpers -------------------------------------------------------------------------------------
    @property
    def hostname(self):
        return self.http.base_url

    @property
    def shares_v1(self):
        """True when the firmware uses the older share shape (``dirPermissions``, ``exportToPCAgent``, ...); a
        filer not logged in to (check mode on a factory-fresh filer) is taken to run current firmware."""
        if self.firmware is None:
            return False
        return firmware_tuple(self.firmware)[:3] < SHARES_V7_FIRMWARE

    def export_configuration(self, directory, max_bytes=None):
        """Stream the filer's configuration (XML) to a new temporary file in ``directory``: ``(path, sha256, size)``."""
        return self.download(EXPORT_PATH, directory, "export the configuration of %s" % self.http.base_url,
                             max_bytes=max_bytes)

    def wait_task(self, ref, what, timeout=300, interval=0.5, sleep=time.sleep):
        """Poll a background task until it ends (any status of ``TASK_TERMINAL``); returns the task object.

        ``ref`` is what the method that started the task answered: ``/proc/bgtasks/12``, ``12`` (an integer), or
        any text holding the task number, as cterasdk's ``AwaitableEdgeTask`` accepts (lib/tasks.py)."""
        path = self.path(task_path(ref, what))
        deadline = time.time() + timeout
        task = None
        while True:
            task = self.get(path, what="%s (read task %s)" % (what, ref)) or {}
            if task_status(task) in TASK_TERMINAL:
                return task
            if time.time() >= deadline:
                raise WaitTimeout("%s: task %s did not finish within %s s (last status %r)"
                                  % (what, ref, timeout, task.get("status")))
            sleep(interval)


def task_path(ref, what="task"):
    """``proc/bgtasks/N`` for a task reference, as cterasdk's ``AwaitableEdgeTask._task_reference`` reads one: an
    integer is the task number, text holds it as its first number without leading zeros (``/proc/bgtasks/12``)."""
    number = None
    if isinstance(ref, int) and not isinstance(ref, bool):
        number = str(ref)
    elif isinstance(ref, str):
        match = TASK_NUMBER.search(ref)
        number = match.group(0) if match else None
    if number is None:
        raise ApiError("%s: the filer answered no task reference (got %r)" % (what, ref))
    return "proc/bgtasks/" + number


def task_status(task):
    """The status of a task object, lower-cased (the SDK compares the exact lower-case values)."""
    return str((task or {}).get("status") or "").strip().lower()


def edge_session(scope, params):
    """A logged-in ``EdgeSession`` for the connection options in ``params`` (shared across loop items in-process).

    A filer that refuses the login because it has no administrator yet (factory-fresh, before
    filefleet.office.edge_setup) fails the task saying so; in check mode the session is returned not logged in,
    and every request raises ``NotReadyYet``, from which the engine predicts (``Resource.read_or_assume``)."""
    check_mode = bool(getattr(scope.module, "check_mode", False))
    key = (params["edge_url"], params["edge_username"], secret_fingerprint(params["edge_password"]),
           params.get("validate_certs"), params.get("ca_path"), check_mode)

    def factory():
        session = EdgeSession(params["edge_url"], params["edge_username"], params["edge_password"],
                              validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
                              timeout=params.get("timeout") or 30)
        try:
            return session.login()
        except AuthenticationError:
            if not session.factory_fresh():
                raise
        error = ("the Edge Filer %s has no administrator yet (factory-fresh), so %r cannot log in: "
                 "filefleet.office.edge_setup creates the first administrator (role office_onboarding: "
                 "office_device.setup)" % (session.http.base_url, params["edge_username"]))
        if not check_mode:
            raise NotReadyYet(error, error)
        session.not_ready = NotReadyYet(error, (
            "check mode: the Edge Filer %s has no administrator yet (factory-fresh), so nothing on it can be read; "
            "predicted as on a filer that earlier tasks of the play set up (filefleet.office.edge_setup) and "
            "connected to its portal (filefleet.office.edge_portal_connection). A real run fails here unless they "
            "do" % session.http.base_url))
        return session
    return scope.get("edge", key, factory)


__all__ = ["EdgeSession", "edge_argument_spec", "edge_session", "firmware_tuple", "task_path", "task_status",
           "XML_LIBRARY"]
