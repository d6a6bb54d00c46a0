# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Portal session: form login, bootstrap, tenant browsing, XML calls, re-login on expiry, logout.

Wire protocol: docs/protocol-ctera.md#portal-login-and-session, #portal-tenant-browsing,
#method-envelopes and #query-and-paging. A ``portal_url`` whose path ends in ``/ServicesPortal``
logs in as a tenant user (``/ServicesPortal/api``); any other URL logs in as a global administrator
(``/admin/api``) who may browse tenants.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from urllib.parse import urlsplit, urlunsplit

from ansible.module_utils.basic import env_fallback

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, HttpClient, LOGIN_IS_SAFE, NotFound, Redactor, SessionExpired, check_answer,
    TransportError, check_name, retried_note, error_class_for, join_url, normalize_base_url,
)
from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import (
    DEFUSEDXML_IMPORT_ERROR, HAS_DEFUSEDXML, XMLDecodeError, envelope, from_xml, to_xml,
)
from ansible_collections.filefleet.office.plugins.module_utils._common import secret_fingerprint

XML_LIBRARY = ("defusedxml", HAS_DEFUSEDXML, DEFUSEDXML_IMPORT_ERROR)
LOGIN_PAGE = "/ServicesPortal/login.html"
QUERY_PAGE_SIZE = 50
# User-defined methods that only read (the SDK's list and status calls): a gateway error or a dropped connection
# on them is retried like a GET; every other method may write and is sent once.
READ_ONLY_METHODS = frozenset(("getMembers", "getTaskStatus", "getZonesDisplayInfo", "getZoneBasicInfo",
                               "getZoneFolders", "getZoneDevices", "getPortalsDisplayInfo"))


def tls_argument_spec(env_prefix):
    return dict(
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, [env_prefix + "_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, [env_prefix + "_CA_PATH"])),
        timeout=dict(type="int", default=30),
        allow_insecure_http=dict(type="bool", default=False, fallback=(env_fallback, [env_prefix + "_ALLOW_INSECURE_HTTP"])),
    )


def portal_argument_spec():
    spec = dict(
        portal_url=dict(type="str", required=True, fallback=(env_fallback, ["CTERA_PORTAL_URL"])),
        portal_username=dict(type="str", required=True, fallback=(env_fallback, ["CTERA_PORTAL_USERNAME"])),
        portal_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CTERA_PORTAL_PASSWORD"])),
    )
    spec.update(tls_argument_spec("CTERA"))
    return spec


def decode_error_body(response):
    """The decoded XML of an error answer, or None when it is not XML (an HTML error page, a proxy's text)."""
    try:
        return from_xml(response.content) if response.content else None
    except XMLDecodeError:
        return None


def server_message(parsed):
    """The ``msg`` of a CTERA error body, if any."""
    if isinstance(parsed, dict):
        for key in ("msg", "message", "reason"):
            if parsed.get(key):
                return str(parsed[key])
    if isinstance(parsed, str) and parsed:
        return parsed
    return None


class CteraXmlSession:
    """The XML-API part shared by Portal and Edge sessions: send, decode, map errors, re-login once."""

    kind = "ctera"

    def __init__(self, http, api_root, username, password):
        self.http = http
        self.api_root = api_root
        self.username = username
        self._password = password
        self.logged_in = False
        self.logins = 0

    # -- subclass hooks -----------------------------------------------------------------
    def _login(self):
        raise NotImplementedError

    def _logout(self):
        raise NotImplementedError

    def _is_expired(self, response):
        raise NotImplementedError

    def _after_relogin(self):
        """Restore server-side session state (e.g. the browsed tenant) after a re-login."""

    # -- lifecycle -------------------------------------------------------------------------
    def login(self):
        self._login()
        self.logged_in = True
        self.logins += 1
        return self

    def worker(self):
        """A copy of this logged-in session on its own connection, for one thread of a bulk operation.

        It shares the server-side session (cookie) and so the browsed tenant; closing it never logs out.
        """
        twin = self.__class__.__new__(self.__class__)
        twin.__dict__.update(self.__dict__)
        twin.http = self.http.clone()
        twin.is_worker = True
        return twin

    def close(self):
        if getattr(self, "is_worker", False):
            self.http.close()
            return
        if self.logged_in:
            try:
                self._logout()
            except ApiError:
                pass
            self.logged_in = False
        self.http.close()

    # -- calls -----------------------------------------------------------------------------
    def path(self, *segments, **kwargs):
        """The API path + one segment per name (encoded; '.', '..' and control characters refused, naming
        ``option``)."""
        return join_url(self.api_root, *segments, option=kwargs.get("option", "name"))

    def call(self, method, path, body=None, what=None, idempotent=None, missing_ok=False, require_body=None):
        """Send an XML request, re-logging in once if the session expired. Returns the decoded body.

        A success must be CTERA XML: a redirect, an HTML page, JSON, or an empty answer to a read (GET, or
        ``require_body``) is an ``UnexpectedAnswer``, never an empty result."""
        if not self.logged_in:
            self.login()
        what = what or "%s %s" % (method, path)
        for attempt in (1, 2):
            try:
                response = self._send(method, path, body, idempotent)
            except TransportError as exc:  # named after the operation, as an error status is
                raise type(exc)("%s failed: %s" % (what, exc.message), exc.method, exc.url, exc.status)
            if self._is_expired(response):
                response.close()
                if attempt == 2:
                    raise SessionExpired("%s failed: the session expired again right after a new login" % what,
                                         method, self.http.redact(self.http.url(path)))
                self.logged_in = False
                self.login()
                self._after_relogin()
                continue
            break
        if response.status_code >= 400:
            if missing_ok and response.status_code == 404:
                return None
            cls = error_class_for(response.status_code)
            # Redacted before it is cut: a secret cut in half would escape the redaction.
            message = server_message(decode_error_body(response)) or (
                self.http.redact(response.text)[:300] if response.text else None)
            raise cls(self.http.redact("%s failed%s" % (what, retried_note(response))), method,
                      self.http.redact(response.url), response.status_code, self.http.redact(message))
        if require_body is None:
            require_body = method == "GET"
        check_answer(response, "xml", what, self.http.redact, require_body=require_body)
        return from_xml(response.content) if response.content else None

    def _send(self, method, path, body, idempotent):
        data = to_xml(body).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "text/plain"} if data is not None else None
        return self.http.request(method, path if path.startswith("/") else self.path(path), data=data,
                                 headers=headers, idempotent=idempotent)

    def get(self, path, what=None, missing_ok=False):
        return self.call("GET", path, what=what, missing_ok=missing_ok)

    def download(self, path, directory, what, **kwargs):
        """Stream a file-like resource to a temporary file (see ``HttpClient.download``), re-logging in once."""
        if not self.logged_in:
            self.login()
        try:
            return self.http.download(path, directory, what, expired=self._is_expired, **kwargs)
        except SessionExpired:
            self.logged_in = False
            self.login()
            self._after_relogin()
            return self.http.download(path, directory, what, expired=self._is_expired, **kwargs)

    def put(self, path, value, what=None):
        return self.call("PUT", path, value, what=what)

    def delete(self, path, what=None, missing_ok=False):
        return self.call("DELETE", path, what=what, missing_ok=missing_ok)

    def execute(self, path, name, param=None, what=None):
        """POST a ``user-defined`` method envelope: retried like a GET only for the methods that just read
        (READ_ONLY_METHODS), never for the others (they may have side effects)."""
        return self.call("POST", path, envelope("user-defined", name, param), what=what or name,
                         idempotent=name in READ_ONLY_METHODS)

    def database(self, path, name, param=None, what=None, idempotent=False, missing_ok=False):
        """POST a ``db`` method envelope (``add``, ``query``, ``get-multi``).

        ``add`` refuses an object whose name could never be addressed in a URL afterwards (before the write);
        the reads (``query``, ``get-multi``) must answer a body."""
        if name == "add" and isinstance(param, dict) and param.get("name") is not None:
            check_name(param["name"])
        return self.call("POST", path, envelope("db", name, param), what=what or name, idempotent=idempotent,
                         missing_ok=missing_ok, require_body=name != "add")

    def get_multi(self, path, attributes, what=None, missing_ok=False):
        """``attributes`` (and ``name``) of one object, as cterasdk's ``get`` calls read them. A missing object
        answers ``name`` null (what the SDK tests for), or 404: None with ``missing_ok``."""
        names = list(attributes) + (["name"] if "name" not in attributes else [])
        return self.database(path, "get-multi", ["/" + a for a in names], what=what, idempotent=True,
                             missing_ok=missing_ok)

    def query(self, path, include=None, filters=None, page_size=QUERY_PAGE_SIZE, what=None):
        """Iterate a paged ``query`` (docs/protocol-ctera.md#query-and-paging), page after page while ``hasMore``."""
        start = 0
        while True:
            param = {"startFrom": start, "countLimit": page_size}
            if include:
                param["include"] = list(include) + ([] if "name" in include else ["name"])
            if filters:
                param["filters"] = filters
                param["orFilter"] = False
            page = self.database(path, "query", param, what=what, idempotent=True) or {}
            objects = page.get("objects") or []
            yield from objects
            if not page.get("hasMore") or not objects:
                return
            start += page_size


class PortalSession(CteraXmlSession):
    kind = "portal"

    def __init__(self, url, username, password, validate_certs=True, ca_path=None, timeout=30, retries=3):
        base = normalize_base_url(url)
        parts = urlsplit(base)
        path = parts.path.rstrip("/")
        if path.lower().endswith("/servicesportal"):
            self.context = "ServicesPortal"
        else:
            self.context = "admin"
        root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        redactor = Redactor([password], username=username)
        http = HttpClient(root, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout, retries=retries,
                          redactor=redactor)
        CteraXmlSession.__init__(self, http, "/%s/api" % self.context, username, password)
        self.current_tenant = None
        self.wanted_tenant = None
        self.session_info = {}
        self.cache = {}

    @property
    def is_global_admin(self):
        return self.context == "admin"

    def _login(self):
        # Retried like a read on 429/502/503/504 and dropped connections; a refusal (401/403) never is.
        response = self.http.request("POST", self.path("login"),
                                     data={"j_username": self.username, "j_password": self._password},
                                     idempotent=LOGIN_IS_SAFE)
        if response.status_code in (401, 403):
            raise AuthenticationError(
                "Portal login refused for user %r: invalid username or password, or the account is not allowed "
                "to sign in to %s" % (self.username, self.api_root), "POST", self.http.url(self.path("login")),
                response.status_code)
        if response.status_code >= 400:
            self.http.raise_for_status(response, "Portal login for user %r" % self.username,
                                       server_message(decode_error_body(response)))
        check_answer(response, "xml", "Portal login for user %r" % self.username, self.http.redact,
                     require_body=False)
        self.logged_in = True
        self.session_info = self.call("GET", self.path("currentSession"), what="read the current session") or {}
        current = self.call("GET", self.path("currentPortal"), what="read the current tenant")
        self.current_tenant = current or None
        self.cache = {}

    def _logout(self):
        self.http.request("POST", self.path("logout"), data=b"", idempotent=False,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})

    def _is_expired(self, response):
        if response.status_code in (301, 302, 303, 307):
            location = response.headers.get("Location", "")
            return location.endswith(LOGIN_PAGE) or location.startswith("https://login.microsoftonline.com")
        return False

    def _after_relogin(self):
        if self.wanted_tenant is not None and self.current_tenant != self.wanted_tenant:
            self._put_tenant(self.wanted_tenant)

    def _put_tenant(self, tenant):
        try:
            self.call("PUT", self.path("currentPortal"), tenant or "", what="browse tenant %r" % tenant)
        except ApiError as exc:
            if tenant:
                raise type(exc)("Tenant %r does not exist or cannot be browsed by %r" % (tenant, self.username),
                                exc.method, exc.url, exc.status, exc.server_message)
            raise
        self.current_tenant = tenant or None
        self.cache = {}

    def browse(self, tenant):
        """Act inside ``tenant`` (global administrators only); no request when already there."""
        if not self.logged_in:
            self.login()
        if not tenant:
            return
        if not self.is_global_admin:
            if self.current_tenant and tenant.lower() != str(self.current_tenant).lower():
                raise ApiError("tenant=%r was given but %r is signed in to tenant %r; only a global administrator "
                               "(portal_url without /ServicesPortal) can act in another tenant"
                               % (tenant, self.username, self.current_tenant))
            return
        self.wanted_tenant = tenant
        if self.current_tenant == tenant:
            return
        self._put_tenant(tenant)


def portal_session(scope, params):
    """A logged-in ``PortalSession`` for the connection options in ``params`` (shared in-process)."""
    key = (params["portal_url"], params["portal_username"],
           secret_fingerprint(params["portal_password"]), params.get("validate_certs"), params.get("ca_path"))

    def factory():
        return PortalSession(params["portal_url"], params["portal_username"], params["portal_password"],
                             validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
                             timeout=params.get("timeout") or 30).login()
    return scope.get("portal", key, factory)


def portal_tenant_session(scope, params):
    """``(session, tenant)``: a session acting in ``params['tenant']`` (or the tenant it is signed in to)."""
    session = portal_session(scope, params)
    session.browse(params.get("tenant"))
    tenant = params.get("tenant") or session.current_tenant
    if session.is_global_admin and not tenant:
        raise ValueError("tenant is required: %r is a global administrator and is not browsing a tenant"
                         % params["portal_username"])
    return session, tenant


__all__ = ["PortalSession", "CteraXmlSession", "portal_argument_spec", "tls_argument_spec", "portal_session",
           "portal_tenant_session", "NotFound", "XML_LIBRARY"]
