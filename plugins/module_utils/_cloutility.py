# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility REST API session: OAuth2 token manager, the JSON choke point, collections, resolvers, waiter.

Wire protocol: docs/protocol-cloutility.md (#transport-and-headers, #authentication,
#collections-and-paging), which cites the vendor guide by section.

* Every request carries ``Origin`` and ``Accept: application/json``; every request except ``/v1/oauth`` carries
  ``Authorization: Bearer``. Bodies are JSON, except the form body of ``/v1/oauth``.
* Token manager: one password grant; the token is renewed shortly before ``expires_in`` runs out, or when a call
  answers 401. Renewal tries the refresh grant first and falls back to one password grant. A request refused
  with 401 is sent once more after the renewal (it never reached a handler, so even a POST is safe to repeat);
  a second 401 fails. A grant that fails is never repeated: a refused password grant is remembered for the life
  of the process, so a loop over many items cannot lock the API user out.
* Retries with backoff (``HttpClient``) only for idempotent requests; creations and the side-effecting
  ``GET .../node/activate`` pass ``idempotent=False``.
* Collections ``{href, total, offset, first, items}`` and bare arrays; more pages are read with
  ``offset``/``limit`` while ``total`` says items are missing, failing loudly when a page does not advance.
* Name-to-id resolvers for business units (id or path from the top business unit), domains, client option
  sets, operating systems and node types fail with the known names when a name is unknown, and with the ids
  when a name is ambiguous.
* ``wait_for`` polls through the same choke point (so tokens are renewed while polling) and raises
  ``WaitTimeout`` with the last seen state.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re
import time

from ansible.module_utils.basic import env_fallback

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, HttpClient, LOGIN_IS_SAFE, NotFound, Redactor, UnexpectedAnswer, WaitTimeout,
    check_answer, error_class_for, join_url, normalize_base_url, retried_note,
)
from ansible_collections.filefleet.office.plugins.module_utils._common import secret_fingerprint
from ansible_collections.filefleet.office.plugins.module_utils._portal import tls_argument_spec

API_ROOT = "/v1"
PAGE_SIZE = 100
# Seconds before expiry at which a token counts as stale; short-lived tokens use a tenth of their life.
REFRESH_MARGIN = 30.0
NODE_NAME_RE = re.compile(r"^[A-Za-z0-9_.+&-]{1,64}$")
NODE_NAME_RULE = "1 to 64 characters of A-Z a-z 0-9 _ . - + & (IBM Storage Protect node name rules)"

# Password grants refused in this process (fingerprints of url/user/password/client/origin): never sent again.
_REFUSED_GRANTS = set()


def cloutility_argument_spec():
    spec = dict(
        cloutility_url=dict(type="str", required=True, fallback=(env_fallback, ["CLOUTILITY_URL"])),
        cloutility_username=dict(type="str", required=True, fallback=(env_fallback, ["CLOUTILITY_USERNAME"])),
        cloutility_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CLOUTILITY_PASSWORD"])),
        cloutility_client_id=dict(type="str", required=True, no_log=False, fallback=(env_fallback, ["CLOUTILITY_CLIENT_ID"])),
        cloutility_origin=dict(type="str", required=True, fallback=(env_fallback, ["CLOUTILITY_ORIGIN"])),
    )
    spec.update(tls_argument_spec("CLOUTILITY"))
    return spec


def server_message(parsed):
    """The most useful message of a Cloutility error body (API, OAuth or Web API shape)."""
    if isinstance(parsed, dict):
        for key in ("developerMessage", "error_description", "message", "Message", "error"):
            if parsed.get(key):
                return str(parsed[key])
    if isinstance(parsed, str) and parsed:
        return parsed  # cut by the caller after redaction
    return None


def _decode(response):
    text = response.text
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def is_id(value):
    """An int, or a string made only of digits, is an id; anything else is a name."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def describe_choices(items, key="name", limit=30):
    names = sorted(set(str(i.get(key)) for i in items if i.get(key) is not None))
    text = ", ".join(names[:limit])
    return text + (", ..." if len(names) > limit else "") if names else "none"


def pick(items, wanted, what, option, casefold=True, key="name"):
    """The one item of ``items`` whose id is ``wanted`` (an id) or whose name is ``wanted``.

    Raises ``ValueError`` naming ``option`` when the name is unknown (listing the known names) or ambiguous
    (listing the ids).
    """
    if is_id(wanted):
        wanted_id = int(wanted)
        for item in items:
            if item.get("id") == wanted_id:
                return item
        known = describe_choices(items, "id")
        raise ValueError("%s=%s: no %s with id %d (known: %s)" % (option, wanted, what, wanted_id, known))
    name = str(wanted).strip()
    if casefold:
        matches = [i for i in items if str(i.get(key, "")).casefold() == name.casefold()]
    else:
        matches = [i for i in items if i.get(key) == name]
    if not matches:
        raise ValueError("%s=%r: no %s with that name (known: %s)" % (option, name, what, describe_choices(items, key)))
    if len(matches) > 1:
        raise ValueError("%s=%r is ambiguous: %d %ss have that name (ids %s); give the id instead"
                         % (option, name, len(matches), what, ", ".join(str(m.get("id")) for m in matches)))
    return matches[0]


def validate_node_name(name, option="node_name"):
    if name is None or not NODE_NAME_RE.match(name):
        raise ValueError("%s=%r is not a valid node name: use %s" % (option, name, NODE_NAME_RULE))
    return name.upper()


class CloutilitySession:
    """One authenticated client of the Cloutility API. Not thread-safe; one per worker."""

    kind = "cloutility"

    def __init__(self, url, username, password, client_id, origin, validate_certs=True, ca_path=None, timeout=30,
                 retries=3, http=None, clock=time.time, sleep=time.sleep):
        base = normalize_base_url(url)
        if base.lower().endswith(API_ROOT):  # users paste the guide's ".../v1/" URL
            base = base[:-len(API_ROOT)]
        self.base_url = base
        self.username = username
        self._password = password
        self.client_id = client_id
        self.origin = (origin or "").strip()
        self.redactor = Redactor([password], username=username)
        self.http = http or HttpClient(base, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                                       retries=retries, redactor=self.redactor)
        self._clock = clock
        self._sleep = sleep
        self._access_token = None
        self._refresh_token = None
        self._stale_at = 0.0
        self._grant_key = secret_fingerprint(base, username, password, client_id, self.origin)
        self.grants = {"password": 0, "refresh_token": 0}
        self.cache = {}

    # -- token manager ------------------------------------------------------------------------------------
    def _headers(self, authorized=True):
        headers = {"Origin": self.origin, "Accept": "application/json"}
        if authorized:
            headers["Authorization"] = "Bearer " + self._access_token
        return headers

    def _grant(self, form):
        """POST one grant to /v1/oauth. Retried like a read on 429/502/503/504 and dropped connections (a grant
        changes nothing); a refusal (OAuth error, 400/401/403) is never retried and raises AuthenticationError.
        Anything else (a gateway error after the retries, a redirect, an answer that is not the API's) says what
        happened instead of blaming the credentials."""
        grant_type = form["grant_type"]
        self.grants[grant_type] += 1
        url = self.http.url(API_ROOT + "/oauth")
        response = self.http.request("POST", url, data=form, headers=self._headers(authorized=False),
                                     idempotent=LOGIN_IS_SAFE)
        parsed = _decode(response)
        login = "Cloutility login for user %r" % self.username if grant_type == "password" else \
            "Cloutility token refresh"
        refused = response.status_code in (401, 403) or (
            response.status_code == 400 and isinstance(parsed, dict) and bool(parsed.get("error")))  # RFC 6749 5.2
        if refused:
            message = server_message(parsed) or ("HTTP %s" % response.status_code)
            if grant_type == "password":
                what = ("Cloutility login refused for user %r (client_id %r, origin %r): %s. The password grant is not "
                        "retried, so the account is not locked out by repeated attempts; check cloutility_username, "
                        "cloutility_password, cloutility_client_id and cloutility_origin"
                        % (self.username, self.client_id, self.origin, message))
            else:
                what = "Cloutility refresh grant refused: %s" % message
            raise AuthenticationError(self.redactor(what), "POST", url, response.status_code, self.redactor(message))
        if response.status_code >= 400:
            message = self.redactor(server_message(parsed)) or (self.redactor(response.text)[:300] if response.text else None)
            raise error_class_for(response.status_code)(
                self.redactor("%s failed: %s answered HTTP %s%s; the credentials were not checked"
                              % (login, url, response.status_code, retried_note(response))),
                "POST", url, response.status_code, self.redactor(message))
        check_answer(response, "json", login, self.redactor)
        if not isinstance(parsed, dict) or not parsed.get("access_token"):
            raise ApiError(self.redactor("%s failed: %s answered HTTP %s without an access_token"
                                         % (login, url, response.status_code)), "POST", url, response.status_code)
        self._access_token = parsed["access_token"]
        self.redactor.add(self._access_token)
        if parsed.get("refresh_token"):
            self._refresh_token = parsed["refresh_token"]
            self.redactor.add(self._refresh_token)
        try:
            lifetime = float(parsed.get("expires_in") or 299)
        except (TypeError, ValueError):
            lifetime = 299.0
        self._stale_at = self._clock() + lifetime - min(REFRESH_MARGIN, lifetime / 10.0)

    def login(self):
        """Password grant (once per session, and never again in this process once refused)."""
        if self._grant_key in _REFUSED_GRANTS:
            raise AuthenticationError(
                "Cloutility login for user %r was already refused in this run; not trying again to avoid locking "
                "the account" % self.username)
        try:
            self._grant({"client_id": self.client_id, "grant_type": "password", "username": self.username,
                         "password": self._password})
        except AuthenticationError:
            _REFUSED_GRANTS.add(self._grant_key)
            raise
        return self

    def renew(self):
        """Refresh grant, falling back to one password grant."""
        if self._refresh_token:
            try:
                self._grant({"client_id": self.client_id, "grant_type": "refresh_token",
                             "refresh_token": self._refresh_token})
                return
            except AuthenticationError:
                self._refresh_token = None
        self.login()

    def _ensure_token(self):
        if self._access_token is None:
            self.login()
        elif self._clock() >= self._stale_at:
            self.renew()

    def close(self):
        """OAuth bearer tokens have no logout; drop them and the connection."""
        self._access_token = None
        self._refresh_token = None
        self.http.close()

    # -- the choke point ----------------------------------------------------------------------------------
    def path(self, *segments):
        return join_url(API_ROOT, *segments)

    def call(self, method, path, body=None, params=None, what=None, idempotent=None, missing_ok=False):
        """Send one JSON request; returns the decoded body (None when empty). 404 -> None with ``missing_ok``."""
        what = what or "%s %s" % (method, path)
        self._ensure_token()
        url = self.http.url(path)
        for attempt in (1, 2):
            response = self.http.request(method, url, json=body, params=params, headers=self._headers(),
                                         idempotent=idempotent)
            if response.status_code == 401 and attempt == 1:
                response.close()
                self.renew()
                continue
            break
        parsed = _decode(response)
        if response.status_code >= 400:
            if missing_ok and response.status_code == 404:
                return None
            # Redacted before it is cut: a secret cut in half would escape the redaction.
            message = self.redactor(server_message(parsed)) or (self.redactor(response.text)[:300] if response.text else None)
            cls = error_class_for(response.status_code)
            raise cls(self.redactor("%s failed%s" % (what, retried_note(response))), method,
                      self.redactor(response.url), response.status_code, self.redactor(message))
        # A redirect, an HTML page, XML, or an empty answer to a GET is not the API's answer: never an empty list.
        check_answer(response, "json", what, self.redactor, require_body=method == "GET")
        if isinstance(parsed, dict) and parsed.get("tsmPassword"):
            self.redactor.add(parsed["tsmPassword"])  # the SP client password never leaves in an error
        if parsed is None and response.text and response.text.strip():
            raise ApiError(self.redactor("%s failed: the answer is not JSON" % what), method,
                           self.redactor(response.url), response.status_code, self.redactor(response.text)[:200])
        return parsed

    def get(self, path, params=None, what=None, missing_ok=False):
        return self.call("GET", path, params=params, what=what, missing_ok=missing_ok)

    def put(self, path, body, what=None):
        return self.call("PUT", path, body=body, what=what)

    def post(self, path, body=None, params=None, what=None):
        return self.call("POST", path, body=body, params=params, what=what, idempotent=False)

    def delete(self, path, params=None, what=None, missing_ok=False):
        return self.call("DELETE", path, params=params, what=what, missing_ok=missing_ok)

    def list(self, path, what=None, params=None):
        """Every item of a collection (or a bare array), reading further pages while ``total`` says so."""
        what = what or "list %s" % path
        data = self.get(path, params=params, what=what)
        if data is None:
            return []
        if isinstance(data, list):
            return data
        if not isinstance(data, dict) or not isinstance(data.get("items") or [], list) or not (
                "items" in data or "total" in data):
            # Not a collection (a proxy's {"status": "ok"}, someone's error object): never an empty list.
            raise UnexpectedAnswer(self.redactor("%s failed: the server answered %s, not a list or a page of items: "
                                                 "%.200s" % (what, type(data).__name__, json.dumps(data))),
                                   "GET", self.redactor(self.http.url(path)), 200)
        items = list(data.get("items") or [])
        total = data.get("total")
        seen = set(i.get("id") for i in items if isinstance(i, dict) and i.get("id") is not None)
        while isinstance(total, int) and len(items) < total:
            page_params = dict(params or {}, offset=len(items), limit=PAGE_SIZE)
            page = self.get(path, params=page_params, what=what) or {}
            new = [i for i in (page.get("items") or []) if not (isinstance(i, dict) and i.get("id") in seen)]
            if not new or (page.get("offset") not in (None, len(items))):
                raise ApiError("%s: the server reports %d items but paging stopped after %d (offset=%d gave no new "
                               "items); refusing to work on a partial list" % (what, total, len(items), len(items)))
            items.extend(new)
            seen.update(i.get("id") for i in new if isinstance(i, dict) and i.get("id") is not None)
        return items

    # -- waiter ----------------------------------------------------------------------------------------------
    def wait_for(self, fetch, done, what, timeout=300.0, interval=2.0, describe=None):
        """Poll ``fetch()`` until ``done(value)``; raise WaitTimeout with the last seen state."""
        deadline = self._clock() + timeout
        while True:
            value = fetch()
            if done(value):
                return value
            if self._clock() >= deadline:
                seen = describe(value) if describe else value
                raise WaitTimeout(self.redactor("%s did not finish within %d seconds; last seen state: %s"
                                                % (what, timeout, seen)))
            self._sleep(interval)

    # -- resolvers -------------------------------------------------------------------------------------------
    def bunit_tree(self):
        if "tree" not in self.cache:
            what = "read the business unit tree"
            tree = self.get(self.path("bunits"), what=what)
            if not isinstance(tree, dict) or not tree.get("name"):
                # Paths start at the top business unit's name: an answer without one is not the API's tree.
                raise UnexpectedAnswer(self.redactor("%s failed: the server answered %s, not a business unit with a "
                                                     "name: %.200s" % (what, type(tree).__name__, json.dumps(tree))),
                                       "GET", self.redactor(self.http.url(self.path("bunits"))), 200)
            self.cache["tree"] = tree
        return self.cache["tree"]

    def resolve_bunit(self, value, option="business_unit"):
        """``{id, name, path}`` of a business unit given by id or by a ``/``-separated path of names.

        The path starts at the API user's top business unit, whose name may be left out.
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("%s must be an id or a path of business unit names such as 'Company AB/Marketing Department'"
                             % option)
        if is_id(value):
            bid = int(value)
            found = self._find_in_tree(self.bunit_tree(), bid, [])
            if found is None:
                raise ValueError("%s=%s: no business unit with that id is visible to %r (top business unit %r)"
                                 % (option, value, self.username, self.bunit_tree().get("name")))
            return found
        segments = [s.strip() for s in str(value).strip().strip("/").split("/")]
        if any(not s for s in segments):
            raise ValueError("%s=%r: empty name in the path" % (option, value))
        root = self.bunit_tree()
        node = root
        walked = [root.get("name")]
        if segments[0].casefold() == str(root.get("name", "")).casefold():
            segments = segments[1:]
        for segment in segments:
            children = node.get("businessUnits") or []
            try:
                node = pick(children, segment, "business unit under %r" % "/".join(walked), option)
            except ValueError as exc:
                raise ValueError("%s (path %r)" % (exc, value))
            walked.append(node.get("name"))
        return {"id": node.get("id"), "name": node.get("name"), "path": "/".join(walked)}

    def _find_in_tree(self, node, bid, walked):
        walked = walked + [node.get("name")]
        if node.get("id") == bid:
            return {"id": bid, "name": node.get("name"), "path": "/".join(walked)}
        for child in node.get("businessUnits") or []:
            found = self._find_in_tree(child, bid, walked)
            if found:
                return found
        return None

    def _cached_list(self, key, path, what):
        if key not in self.cache:
            self.cache[key] = self.list(path, what=what)
        return self.cache[key]

    def domains(self, bid):
        return self._cached_list(("domains", bid), self.path("bunits", bid, "defaultserver", "domains"),
                                 "list the policy domains of business unit %s" % bid)

    def client_option_sets(self, bid):
        return self._cached_list(("optionsets", bid), self.path("bunits", bid, "defaultserver", "clientoptionsets"),
                                 "list the client option sets of business unit %s" % bid)

    def operating_systems(self):
        return self._cached_list("os", self.path("nodeoperatingsystems"), "list the node operating systems")

    def node_types(self):
        return self._cached_list("nodetypes", self.path("nodetypes"), "list the node types")

    def resolve_domain(self, bid, value, option="domain"):
        return pick(self.domains(bid), value, "policy domain", option)

    def resolve_client_option_set(self, bid, value, option="client_option_set"):
        return pick(self.client_option_sets(bid), value, "client option set", option)

    def resolve_operating_system(self, value, option="operating_system"):
        return pick(self.operating_systems(), value, "node operating system", option)

    def resolve_node_type(self, value, option="node_type"):
        return pick(self.node_types(), value, "node type", option)

    # -- consumers -------------------------------------------------------------------------------------------
    def consumers(self, bid):
        """Slim list of the consumers of a business unit (not cached: it changes as we work)."""
        return self.list(self.path("bunits", bid, "consumers"), what="list the consumption units of business unit %s" % bid)

    def find_consumers(self, bid, name):
        return [c for c in self.consumers(bid) if c.get("name") == name]

    def consumer_path(self, bid, cid, *rest):
        return self.path("bunits", bid, "consumers", cid, *rest)

    def get_consumer(self, bid, cid, missing_ok=True):
        return self.get(self.consumer_path(bid, cid), what="read consumption unit %s" % cid, missing_ok=missing_ok)

    def get_node(self, bid, cid, missing_ok=True):
        return self.get(self.consumer_path(bid, cid, "node"), what="read the backup node of consumption unit %s" % cid,
                        missing_ok=missing_ok)

    def activate_node(self, bid, cid, node_name, what):
        """``GET .../node/activate?tsmName=`` registers the node on the SP server: a GET with side effects, so it is
        never retried (like every creation, a POST). Returns the registered name."""
        return self.call("GET", self.consumer_path(bid, cid, "node", "activate"), params={"tsmName": node_name},
                         idempotent=False, what=what)


def cloutility_session(scope, params):
    """A ``CloutilitySession`` for the connection options in ``params`` (shared across loop items in-process)."""
    key = (params["cloutility_url"], params["cloutility_username"], secret_fingerprint(params["cloutility_password"]),
           params["cloutility_client_id"], params["cloutility_origin"], params.get("validate_certs"), params.get("ca_path"))

    def factory():
        return CloutilitySession(params["cloutility_url"], params["cloutility_username"], params["cloutility_password"],
                                 params["cloutility_client_id"], params["cloutility_origin"],
                                 validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
                                 timeout=params.get("timeout") or 30)
    return scope.get("cloutility", key, factory)


__all__ = ["CloutilitySession", "cloutility_argument_spec", "cloutility_session", "validate_node_name", "pick",
           "is_id", "NotFound", "NODE_NAME_RULE"]
