# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulated Cloutility REST API (Auwau/Sentor portal in front of IBM Storage Protect).

Sources: the vendor guide (../shared/reference/cloutility-rest-api-guide.md, "the guide") and the research
notes (../shared/specs/cloutility-api.md, "the spec"). The guide's "Full Python Example Program" runs
unchanged against this simulator (tests/conformance/test_cloutility_guide.py).

What is simulated
-----------------
* OAuth2 at ``POST /v1/oauth`` (form body): ``grant_type=password`` and ``grant_type=refresh_token`` for one
  registered API client (``client_id`` GUID + ``origin``, generated once and persisted) and one API user whose
  home business unit is "Company AB". Answer: ``{access_token, token_type: "bearer", expires_in, refresh_token}``
  with ``expires_in`` = ``token_lifetime`` (299 like the real service). The refresh token stays the same for the
  life of the login, as the guide says ("This refresh token will always be the same").
* ``Origin`` is required on every call, including ``/v1/oauth``; ``Authorization: Bearer`` on every call except
  ``/v1/oauth`` (the refresh grant accepts, but does not need, the old bearer token).
* Meta: ``GET /v1/fullVersion`` (JSON string ``"1.0.4480.0"``), ``GET /v1/me`` (User with ``businessUnit``),
  ``GET /v1/timezones[/{id}]``.
* Business units (read only): ``GET /v1/bunits[?bunitId=]`` (SimpleBusinessUnit tree), ``GET /v1/bunits/{id}``
  (BusinessUnit with collection stubs, as in the guide), ``GET /v1/bunits/{id}/bunits|ancestors|users``.
  Seeded tree: "Company AB" (22, the API app's BU) with "Marketing Department" (76), "HR Department" (94),
  "Stockholm Office" (101) and "Oslo Office" (102); "Company AB" sits under the provider BU
  "Safespring - Sverige" (13), which the API user cannot read (403).
* Backup server: one SP server (id 5) is the default server of every BU, with policy domains 30DAYS, 60DAYS,
  90DAYS, 180DAYS, 1YEAR, 2YEAR, STANDARD and client option sets None, DEDUP_AND_COMPRESS, FORCE_ENCRYPT:
  ``GET /v1/bunits/{b}/defaultserver``, ``.../defaultserver/domains[/{id}]``,
  ``.../defaultserver/clientoptionsets[/{id}]``. Global ``GET /v1/nodeoperatingsystems[/{id}]`` (Linux, Windows,
  macOS with ``supportedNodeTypes``) and ``GET /v1/nodetypes[/{id}]`` (File Server, Workstation, Application server).
* Consumption units: ``GET|POST /v1/bunits/{b}/consumers``, ``GET|PUT|DELETE /v1/bunits/{b}/consumers/{c}``
  (DELETE takes ``deleteAssociations`` (default true), ``deletionComment``, ``unassignSecondaryDataSources``),
  ``GET .../consumers/{c}/auditlogs`` (``limit``, ``offset``, ``orderDesc``, ``startTime``/``endTime``, repeated
  ``types``). One consumer is seeded in "Marketing Department": "JennysWS" (408) with an activated node JENNYSWS.
* Backup node (one per consumer): ``GET|POST|PUT|DELETE .../consumers/{c}/node``, ``GET .../node/activate?tsmName=``,
  ``GET .../node/spname``, ``POST .../node/password``, ``GET .../node/filespaces[?tsmSync=]``,
  ``GET .../node/possibleproxynodes``, ``GET|POST .../node/proxyagents[?proxyAgentId=]``,
  ``DELETE .../node/proxyagents/{agentConsumerId}``, and the same for ``proxytargets``/``proxyTargetId``.
* Tags of a consumer: ``GET|POST /v1/bunits/{b}/consumers/{c}/tags`` (help pages S7: a bare array of Tag; POST a Tag).
* ``POST /_sim/cloutility`` JSON (every key optional) switches the answers marked "unknown" below (``SIM_MODES``:
  ``put``, ``tags``, ``missing_node``; the first answer of each is the default) and sets the deletion timing
  (``SIM_TIMINGS``: ``delete_delay_seconds``, ``name_hold_seconds``, default 0) and the default page size of lists
  (``SIM_PAGING``: ``default_page_size``, default 0). ``/_sim/reset`` restores defaults.
* Collections are ``{href, total, offset, first, items}``; errors are ``{code, message, developerMessage, status}``
  (the shape the Go client decodes); OAuth errors are RFC 6749 ``{error, error_description}``.
* hrefs are absolute, built from the request's ``Host`` header and the scheme the request really came in on
  (``https`` when the framework's listener wrapped the socket in TLS, ``http`` otherwise).

Inferred behaviour
------------------
Choices where no public source says what the real server does (marked [I]/[?] in the spec). Where the evidence
(the guide's section, the spec's source tag) leaves several answers plausible, the answer is "unknown" and
``POST /_sim/cloutility`` switches between them, so the tests run the modules against each:

* Routing is case-insensitive on paths, query keys and JSON property names (ASP.NET Web API + Json.NET), so
  ``/v1/fullversion``, ``?bunitID=`` and ``{"Name": ...}`` all work. A trailing slash is ignored.
* Unknown routes answer Web API's 404 ``{"Message": "No HTTP resource was found ..."}``; a known route with the
  wrong method answers 405.
* Missing or wrong ``Origin``: on ``/v1/oauth`` 400 ``{"error": "invalid_client", "error_description": ...}``;
  on API calls (checked after the token, because the origin belongs to the token's client) 403 with the error
  body, code ``OriginNotAllowed``. A valid request with the right ``Origin`` gets
  ``Access-Control-Allow-Origin`` back; an ``OPTIONS`` preflight from the registered origin answers 200 with the
  CORS headers, from any other origin 400.
* Missing, unknown or expired bearer token: 401 with ``WWW-Authenticate: Bearer`` and the error body
  (message "Authorization has been denied for this request.", developerMessage says which case).
* Unknown ``client_id``: 400 ``invalid_client``. Unsupported grant type: 400 ``unsupported_grant_type``.
  Bad username/password: 400 ``invalid_grant`` "The user name or password is incorrect.".
* Lockout: 5 consecutive wrong passwords lock the user (``User.locked``/``failedLoginAttempts``). The fifth
  failure and every later password grant, even with the right password, answer 400 ``invalid_grant``
  "The user account is locked ...". A locked user's refresh grant fails the same way; access tokens already
  issued keep working until they expire. Only an administrator unlocks: in the simulator that is
  ``POST /_sim/reset``. A successful login resets the counter. Failed refresh grants count as failed logins
  in the statistics but not towards the lockout.
* A refresh grant issues a new access token and leaves older access tokens valid until they expire (OWIN
  tokens are self-contained); the refresh token is returned unchanged. ``expire_sessions()`` (fault
  ``expire_sessions``) expires every access token now; refresh tokens stay valid. Tokens are persisted (only
  their SHA-256 digests are kept in the state), so a restart keeps sessions.
* Access scope: the API app is registered on "Company AB"; any BU outside that subtree answers 403, an unknown
  BU id answers 404.
* Fields whose value is null are omitted from responses (Json.NET ``NullValueHandling.Ignore``, matching the
  guide's "if a field has not been defined yet, it will simply not be a part of the retrieved object"): e.g. a
  consumer's ``note`` appears only once set, a node's ``tsmName``/``activatedDate``/``tsmNodeId``/``tsmPassword``
  only after activation.
* Consumer data source: without a node ``dataSourceType`` is ``{id: 0, name: "None"}`` and ``dataSourceState``
  ``{id: 1, name: "New"}``; with a node ``{id: 1, name: "SP Backup node"}`` and state ``{id: 2, name: "Pending"}``
  until activation, then ``{id: 3, name: "Active"}``.
* Consumer list items are slim (href, name, id, createdDate, billingStartDate, dataSourceType, dataSourceState);
  the list accepts optional ``offset``/``limit`` and reports the full ``total``. Without ``limit``: **unknown**
  whether the server answers every item or a default page (the guide's collections carry ``offset``/``total``
  but it names no default; ASP.NET services often cap pages). ``default_page_size`` (``SIM_PAGING``): ``0``
  (default) answers every item; ``n > 0`` answers at most ``n`` items from ``offset`` (the full ``total`` still
  says how many there are). The same holds for audit logs. ``limit`` given is always obeyed.
* Consumer POST: ``name`` is required (non-blank, at most 255 characters); names are not unique. A body with the
  ``id`` of an existing consumer in another BU of the scope moves it here (vendor help: "If the consumption unit
  already exists on another business unit, it will be moved"). ``billingStartDate`` defaults to today 00:00 UTC.
* Consumer PUT semantics: **unknown** (guide "Editing consumption units" gives only "Request Body: Consumer"; spec
  section 6 question 4). Mode ``put``: ``replace`` (default) is a full replace of the writable fields (``name``,
  ``note``, ``externalReference``, ``billingStartDate``, ``billingEndDate``, ``limitHighStorage``,
  ``allowNoActivity``, ``tags``): an omitted field is reset to its default (null/omitted, ``[]``, ``0.0``,
  ``false``), except ``billingStartDate``, which a full replace cannot clear and so keeps its value. ``merge``
  (Json.NET ``PopulateObject``): an omitted field keeps its value, an explicit null clears it. Either way read-only
  fields in the body (``href``, ``id``, ``createdDate``, ``businessUnit``, ``dataSource*``, ``$type``) are ignored;
  an ``id`` that differs from the path is refused with 400.
* Tags: **unknown** whether a consumer POST/PUT writes tags given by ``text`` (the Tag model is a business-unit
  object ``{id, businessUnitId, text, inheritable, ...}``, spec section 1.7 [S7], and a separate
  ``POST .../consumers/{c}/tags`` exists). Mode ``tags``: ``text`` (default) writes the body's tags by text;
  ``endpoint`` ignores the body's tags (a new consumer has none) and only ``POST .../tags`` with ``{text}`` adds
  one (an existing text is a no-op that answers the Tag). No route removes a tag (none is documented).
* Consumer DELETE answers 204. With a node, the node goes too (and its proxy relations on both sides).
* Deletion is deferred, as the evidence says (spec section 1.5 [C S4 ``howto/delete-node.md``, S7]: on the SP
  server the node is locked or decommissioned and its data stays until retention expires; deletion runs
  asynchronously through a ``DeleteProcess``); how long each part takes is configurable. An accepted DELETE marks
  the consumer; its delete process ends ``delete_delay_seconds`` after the request (the current setting counts, so
  setting 0 ends pending deletions at the next request). Until then the consumer is still answered, with
  ``scheduledDeletionDate`` (a Consumer model field, spec section 1.7) in the full and the slim form, its node with
  ``locked`` and ``decommissioned`` true; writes to it (PUT, node POST/PUT, activation, tags) answer 409
  ``BeingDeleted``, and a second DELETE is accepted and changes nothing. The state shows the mark under
  ``consumers.{id}.deletion``. That the mark is ``scheduledDeletionDate`` is **unknown** (the real service may use
  ``archivedDate`` or a state; the modules accept any of them). When the process ends, the consumer is gone
  (404) and the node is recorded under ``spServer.deletedNodes``; its name stays taken (activation answers 409
  ``NodeNameTaken`` like any registered name) for ``name_hold_seconds`` more, the retention of the BU's
  NodeDeletionRule (``RetentionDays``, spec section 2). The defaults (0 and 0) stand for a rule that deletes
  nodes automatically with 0 retention days, so a name is free again at once, which the guide's example program
  relies on.
* Node POST: ``operatingSystem``, ``type`` and ``domain`` are required references by ``id`` (nested objects whose
  other fields are ignored, as the Go client's zero-filled structs show); ``clientOptionSet`` and ``server`` are
  optional (server defaults to the BU's default server). Unknown ids, a domain or option set that is not on the
  server, or a node type the OS does not support answer 400. ``cpuCount`` defaults to 1, ``contact`` to "".
  A second POST for a consumer that has a node answers 409.
* Node PUT follows mode ``put`` like consumer PUT (**unknown**; guide "Editing a backup node": "Request Body:
  Node"). ``replace``: the same required references, ``contact``/``cpuCount`` reset to their defaults when
  omitted, ``clientOptionSet`` cleared when omitted, and what the Node carries besides its fields becomes the
  body's: ``schedules`` and ``nodeGroups`` (none when left out) and the proxy relations (``proxyAgents``/
  ``proxyTargets`` entries, by ``consumerId`` or ``consumer.id``, that the body leaves out end, on both sides).
  ``merge``: whatever the body leaves out keeps its value. Either way ``server`` cannot change once the node is
  activated (400), and activation data (tsmName, tsmNodeId, tsmPassword) is not writable through PUT.
* ``GET .../node`` of a consumer without a node: **unknown** (spec open question 1). Mode ``missing_node``:
  ``not_found`` (default, 404 ``NotFound``), ``null`` (200 with the JSON ``null``) or ``empty`` (200 with an
  empty body). The other node routes answer 404 without a node in every mode.
* Node DELETE answers 200 with the deleted Node (the Go client decodes one) and removes the consumer too (deferred
  like a consumer DELETE).
* Activation (``GET .../node/activate?tsmName=``) follows the IBM Storage Protect naming rules: characters
  ``A-Z 0-9 _ . - + &``, 1 to 64 characters, folded to upper case; anything else is 400 ``InvalidNodeName``.
  Names are compared case-insensitively across the whole SP server (every node of every BU, plus nodes that
  exist on the SP server outside Cloutility, seeded: ``LEGACY-FS01``); a taken name is 409 ``NodeNameTaken``.
  The answer is the registered node name as a JSON string (e.g. ``"LISASWS"``). A missing or empty ``tsmName``
  uses the proposed name (``spname``). Activating an already activated node with the same name (any case) is a
  no-op that answers the name again; with a different name it is 409 ``NodeAlreadyActivated`` (renaming is not
  an API operation). Activation sets ``tsmName``, ``activatedDate``, ``tsmNodeId`` (an SP id that never changes),
  a generated 16-character ``tsmPassword`` (NodePasswordRule "Generated"), ``sessionSecurity`` "Transitional"
  and a few fake filespaces (by OS) whose first backup starts 2 s after activation and takes 3 s
  (``lastBackupStart``/``lastBackupEnd`` are null until that moment has passed). Activation also associates the
  node with the client schedule ``DAILY_INCR`` (``schedules``; the schedules ``deleteAssociations`` removes,
  [help] on the consumer DELETE), so a node has something a full-replace PUT could lose.
* ``GET .../node/spname`` proposes the consumer name, upper-cased, illegal characters replaced by ``_``, cut to
  64 characters; when that is taken a ``_001``, ``_002``, ... counter suffix is added. For an activated node it
  answers the node's ``tsmName``.
* ``POST .../node/password`` with ``{"tsmPassword": "..."}`` sets the SP password of an activated node (8 to 64
  characters of the SP password alphabet); returns the Node. Not activated: 400.
* Filespaces exist only on activated nodes (an empty collection before); ``tsmSync`` is accepted and ignored.
* A node's ``lastAccessTime`` (when its client last contacted the SP server) is the latest ``lastBackupEnd`` of its
  filespaces, as a backup session is the client's last contact; a node without filespaces (not activated) has
  none, so the field is omitted. ``registeredTime`` is the activation time.
* Proxy relations use consumer ids on both sides; both nodes must be activated and distinct; POST answers the
  Node of the path's consumer; adding an existing relation is a no-op; DELETE answers 204, or 404 when there is
  no such relation. Both sides are kept consistent (A agent of B <=> B target of A).
  ``possibleproxynodes`` lists the other activated nodes in the same BU that are not yet related.
* Audit log entries are written for consumer create (100), modify (200, including node create/update,
  activation, password change and proxy changes) and delete (300, message carries the deletion comment). The
  list defaults to newest first (``orderDesc`` default true) and to no limit. After a consumer is deleted its
  audit log is no longer reachable (404), but the entries stay in the state.
"""

from __future__ import annotations

import datetime
import hashlib
import inspect
import json
import re
import secrets
import ssl
import time
import uuid
from http.server import BaseHTTPRequestHandler

from simulators._base import Response, Service, random_secret

FULL_VERSION = "1.0.4480.0"
MAX_FAILED_LOGINS = 5
ROOT_BU = 22
PROVIDER_BU = 13
SERVER_ID = 5
TYPE_PREFIX = "CloudPortal.Web.Api.Hyper."
NODE_NAME_RE = re.compile(r"^[A-Z0-9_.+&-]{1,64}$")
SP_PASSWORD_RE = re.compile(r"^[a-zA-Z0-9~!@#$%^&*_\-+=`|(){}\[\]:;<>,.?/]{8,64}$")
AUDIT_TYPES = {0: "Info", 100: "Create", 200: "Modify", 300: "Delete", 400: "Error"}
STATE_NEW = {"id": 1, "name": "New"}
STATE_PENDING = {"id": 2, "name": "Pending"}
STATE_ACTIVE = {"id": 3, "name": "Active"}
TYPE_NONE = {"id": 0, "name": "None"}
TYPE_SP_NODE = {"id": 1, "name": "SP Backup node"}
# Answers no vendor source pins down, switched with POST /_sim/cloutility (see "Inferred behaviour"); the first of
# each is the default. SIM_TIMINGS are seconds (numbers >= 0) for the deletion model.
SIM_MODES = {
    "put": ("replace", "merge"),
    "tags": ("text", "endpoint"),
    "missing_node": ("not_found", "null", "empty"),
}
SIM_TIMINGS = {"delete_delay_seconds": 0, "name_hold_seconds": 0}
# Page size of a list asked for without ``limit`` (an integer >= 0; 0: every item, the default).
SIM_PAGING = {"default_page_size": 0}
# The client schedule an activated node is associated with (what deleteAssociations removes on the SP server).
DEFAULT_SCHEDULE = {"id": 3, "name": "DAILY_INCR"}


class ApiError(Exception):
    """An error answered as ``{code, message, developerMessage, status}``."""

    def __init__(self, status, code, message, developer_message=None, headers=None):
        Exception.__init__(self, message)
        self.status = status
        self.code = code
        self.message = message
        self.developer_message = developer_message or message
        self.headers = headers or []

    def response(self):
        body = {"code": self.code, "message": self.message, "developerMessage": self.developer_message,
                "status": self.status}
        return Response.json(body, status=self.status, headers=self.headers)


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        Exception.__init__(self, description)
        self.error = error
        self.description = description
        self.status = status

    def response(self):
        return Response.json({"error": self.error, "error_description": self.description}, status=self.status,
                             headers=[("Cache-Control", "no-cache"), ("Pragma", "no-cache")])


def _now():
    return time.time()


def _past(stamp):
    """A timestamp only once it has happened (ISO strings of one format compare like the times they name)."""
    return stamp if stamp and stamp <= _iso() else None


def _iso(epoch=None, millis=True):
    moment = datetime.datetime.fromtimestamp(_now() if epoch is None else epoch, tz=datetime.timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT00:00:00Z")


def _parse_time(value):
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _drop_none(data):
    """Json.NET NullValueHandling.Ignore, recursively for dicts."""
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_none(v) for v in data]
    return data


def _ci_get(data, name, default=None):
    """Case-insensitive property lookup (Json.NET binds property names case-insensitively)."""
    if not isinstance(data, dict):
        return default
    if name in data:
        return data[name]
    lowered = name.lower()
    for key, value in data.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return default


def _ci_has(data, name):
    return isinstance(data, dict) and any(isinstance(k, str) and k.lower() == name.lower() for k in data)


def _bool(value, default):
    if value is None or value == "":
        return default
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ApiError(400, "BadRequest", "The request is invalid.", "The value '%s' is not a valid Boolean." % value)


def _int(value, name, default=None):
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, "BadRequest", "The request is invalid.",
                       "The value '%s' is not valid for %s." % (value, name)) from None


def _request_is_tls(request):
    """Whether this request came in over TLS.

    The framework's Request does not carry the scheme, so look for it on the request first (should the framework
    add it) and otherwise at the connection of the HTTP handler that is serving this request on this thread.
    """
    scheme = getattr(request, "scheme", None)
    if scheme:
        return scheme == "https"
    frame = inspect.currentframe()
    try:
        while frame is not None:
            handler = frame.f_locals.get("self")
            if isinstance(handler, BaseHTTPRequestHandler):
                return isinstance(handler.connection, ssl.SSLSocket)
            frame = frame.f_back
    finally:
        del frame
    return False


# -- seed data -----------------------------------------------------------------------------------------------

def _seed_bunit(bid, parent, name, created, registration="", note=None):
    return {"id": bid, "parentId": parent, "name": name, "groupName": "Safespring", "registrationNumber": registration,
            "note": note, "invoiceDay": 0, "billingStorageTypeId": 2, "timeZoneId": 4, "serverId": SERVER_ID,
            "tags": [], "createdDate": created}


SEED_CREATED = "2023-06-10T11:10:11.321Z"

SEED_BUNITS = [
    _seed_bunit(PROVIDER_BU, None, "Safespring - Sverige", "2022-08-22T15:01:45.027Z"),
    _seed_bunit(ROOT_BU, PROVIDER_BU, "Company AB", SEED_CREATED, "SE556612345678"),
    _seed_bunit(76, ROOT_BU, "Marketing Department", "2023-06-10T11:12:40.102Z", "123456789999", "some note..."),
    _seed_bunit(94, ROOT_BU, "HR Department", "2023-06-10T11:13:02.556Z"),
    _seed_bunit(101, ROOT_BU, "Stockholm Office", "2024-02-01T09:00:00.000Z"),
    _seed_bunit(102, ROOT_BU, "Oslo Office", "2024-02-01T09:00:05.000Z"),
]

SEED_TIMEZONES = [
    {"id": 4, "name": "(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
     "windowsId": "W. Europe Standard Time", "offset": 60, "createdDate": "2022-06-10T06:33:19.337Z"},
    {"id": 1, "name": "(GMT) Coordinated Universal Time", "windowsId": "UTC", "offset": 0,
     "createdDate": "2022-06-10T06:33:19.337Z"},
    {"id": 7, "name": "(GMT+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius",
     "windowsId": "FLE Standard Time", "offset": 120, "createdDate": "2022-06-10T06:33:19.337Z"},
]

SEED_DOMAINS = [
    {"id": 1, "name": "STANDARD", "description": "Standard retention (180 days)", "backupRetention": 180,
     "archiveRetention": 365},
    {"id": 2, "name": "30DAYS", "description": "30 days retention", "backupRetention": 30, "archiveRetention": 30},
    {"id": 3, "name": "60DAYS", "description": "60 days retention", "backupRetention": 60, "archiveRetention": 60},
    {"id": 4, "name": "90DAYS", "description": "90 days retention", "backupRetention": 90, "archiveRetention": 90},
    {"id": 5, "name": "180DAYS", "description": "180 days retention", "backupRetention": 180, "archiveRetention": 180},
    {"id": 6, "name": "1YEAR", "description": "1 year retention", "backupRetention": 365, "archiveRetention": 365},
    {"id": 7, "name": "2YEAR", "description": "2 years retention", "backupRetention": 730, "archiveRetention": 730},
]

SEED_OPTION_SETS = [
    {"id": 1, "name": "None", "description": "No client option set"},
    {"id": 2, "name": "DEDUP_AND_COMPRESS", "description": "Client-side deduplication and compression"},
    {"id": 3, "name": "FORCE_ENCRYPT", "description": "Client-side encryption enforced"},
]

SEED_NODE_TYPES = [
    {"id": 1, "name": "File Server", "shortName": "FS"},
    {"id": 2, "name": "Workstation", "shortName": "WS"},
    {"id": 3, "name": "Application server", "shortName": "APP"},
]

SEED_OPERATING_SYSTEMS = [
    {"id": 2, "name": "Windows", "shortName": "WIN", "supportedNodeTypes": [1, 2, 3]},
    {"id": 3, "name": "Linux", "shortName": "LNX", "supportedNodeTypes": [1, 2, 3]},
    {"id": 4, "name": "macOS", "shortName": "MAC", "supportedNodeTypes": [2]},
]

FAKE_FILESPACES = {
    2: [("\\\\%s\\c$", "NTFS", 476000), ("\\\\%s\\d$", "NTFS", 953000)],
    3: [("/", "EXT4", 51200), ("/home", "EXT4", 204800), ("/boot", "XFS", 1024)],
    4: [("/", "APFS", 488000), ("/System/Volumes/Data", "APFS", 488000)],
}


class CloutilityService(Service):
    """One Cloutility portal API with one API client, one API user and one IBM Storage Protect server."""

    kind = "cloutility"

    def __init__(self, state_path, token_lifetime=299, name=None):
        self.token_lifetime = int(token_lifetime)
        Service.__init__(self, state_path, name=name)
        self._routes = self._build_routes()

    # -- framework hooks ------------------------------------------------------------------------------------
    def initial_state(self):
        credentials = {
            "username": "automation@companyab.example",
            "password": random_secret(),
            "client_id": str(uuid.uuid4()),
            "origin": "https://automation.companyab.example",
        }
        state = {
            "credentials": credentials,
            "client": {"name": "filefleet automation", "allowRefresh": True, "businessUnitId": ROOT_BU},
            "user": {"id": 311, "displayName": "Automation", "email": "automation@companyab.example",
                     "phone": "", "businessUnitId": ROOT_BU, "locked": False, "failedLoginAttempts": 0,
                     "lastLoginDate": None, "createdDate": SEED_CREATED},
            "accessTokens": {},
            "refreshTokens": {},
            "nextId": {"consumer": 409, "node": 1201, "filespace": 5001, "audit": 90001, "spNode": 70001, "tag": 601},
            "bunits": {str(b["id"]): dict(b) for b in SEED_BUNITS},
            "timezones": {str(t["id"]): dict(t) for t in SEED_TIMEZONES},
            "server": {"id": SERVER_ID, "name": "tsm12.backup.sto2.safedc.net", "createdDate": "2022-06-10T06:40:00.000Z"},
            "domains": {str(d["id"]): dict(d, createdDate="2022-06-10T06:41:00.000Z") for d in SEED_DOMAINS},
            "clientOptionSets": {str(o["id"]): dict(o, createdDate="2022-06-10T06:41:00.000Z") for o in SEED_OPTION_SETS},
            "nodeTypes": {str(t["id"]): dict(t, createdDate="2022-06-10T06:30:00.000Z") for t in SEED_NODE_TYPES},
            "operatingSystems": {str(o["id"]): dict(o, createdDate="2022-06-10T06:30:00.000Z")
                                 for o in SEED_OPERATING_SYSTEMS},
            "spServer": {"foreignNodes": ["LEGACY-FS01"], "deletedNodes": []},
            "consumers": {},
            "auditLogs": [],
            "sim": dict([(key, modes[0]) for key, modes in SIM_MODES.items()] + list(SIM_TIMINGS.items())
                        + list(SIM_PAGING.items())),
        }
        self._seed_consumer(state)
        return state

    def _seed_consumer(self, state):
        """The guide's example consumer, already activated, in "Marketing Department"."""
        created = "2023-07-09T15:10:20.133Z"
        node = {"id": 1200, "createdDate": created, "cpuCount": 4, "contact": "Jenny", "operatingSystemId": 2,
                "typeId": 2, "domainId": 1, "clientOptionSetId": 2, "serverId": SERVER_ID,
                "tsmName": "JENNYSWS", "tsmNodeId": "70000", "tsmPassword": random_secret(16),
                "activatedDate": "2023-07-09T15:12:01.412Z", "proxyAgents": [], "proxyTargets": [], "filespaces": []}
        consumer = {"id": 408, "bunitId": 76, "name": "JennysWS", "note": "Jenny's workstation.",
                    "externalReference": None, "billingStartDate": "2023-06-09T00:00:00Z", "billingEndDate": None,
                    "limitHighStorage": 100.0, "allowNoActivity": False, "tags": [], "createdDate": created,
                    "node": node}
        state["consumers"]["408"] = consumer
        node["filespaces"] = self._fake_filespaces(state, consumer, _parse_time("2023-10-20T16:00:00Z"))

    def on_load(self):
        # State written by an older simulator: no modes.
        defaults = dict([(key, modes[0]) for key, modes in SIM_MODES.items()] + list(SIM_TIMINGS.items())
                        + list(SIM_PAGING.items()))
        for key, value in defaults.items():
            self.state.setdefault("sim", {}).setdefault(key, value)
        self.state["nextId"].setdefault("tag", 601)

    def _sim_endpoint(self, request):
        """``POST /_sim/cloutility`` JSON (every key optional): the answer modes of ``SIM_MODES`` and the seconds of
        ``SIM_TIMINGS``; the JSON answer holds them all. A ``/_sim/reset`` restores the defaults. Other ``/_sim/*``
        as in the base."""
        if request.path != "/_sim/cloutility":
            return Service._sim_endpoint(self, request)
        if request.method != "POST":
            return Response.json({"error": "POST a JSON object"}, status=405)
        plan = request.json() or {}
        valid = isinstance(plan, dict) and all(
            plan[key] in SIM_MODES[key] if key in SIM_MODES else
            key in SIM_TIMINGS and isinstance(plan[key], (int, float)) and not isinstance(plan[key], bool) and plan[key] >= 0
            or key in SIM_PAGING and isinstance(plan[key], int) and not isinstance(plan[key], bool) and plan[key] >= 0
            for key in plan)
        if not valid:
            return Response.json({"error": "a JSON object of modes %s, seconds %s and page sizes %s"
                                           % (SIM_MODES, sorted(SIM_TIMINGS), sorted(SIM_PAGING))}, status=400)
        with self.lock:
            self.state["sim"].update(plan)
            self.save()
            return Response.json({"sim": dict(self.state["sim"])})

    def credentials(self):
        return dict(self.state["credentials"])

    def credentials_state(self):
        return {"credentials": dict(self.state["credentials"])}

    def active_sessions(self):
        now = _now()
        return sum(1 for t in self.state["accessTokens"].values() if t["expires"] > now)

    def expire_sessions(self):
        now = _now()
        for token in self.state["accessTokens"].values():
            token["expires"] = min(token["expires"], now - 1)
        self.save()

    def fault_response(self, status, body, headers):
        if body:
            try:
                json.loads(body)
                content_type = "application/json; charset=utf-8"
            except ValueError:
                content_type = "text/plain; charset=utf-8"
            return Response(status, body, content_type, headers)
        error = ApiError(status, "SimulatedFault", "An error has occurred.", "Injected fault (HTTP %d)." % status)
        return Response.json({"code": error.code, "message": error.message,
                              "developerMessage": error.developer_message, "status": status}, status, headers)

    # -- routing --------------------------------------------------------------------------------------------
    def _build_routes(self):
        consumer = r"/v1/bunits/(\d+)/consumers/(\d+)"
        node = consumer + "/node"
        table = [
            (r"/v1/fullversion", {"GET": self._get_full_version}),
            (r"/v1/me", {"GET": self._get_me}),
            (r"/v1/timezones", {"GET": self._list_timezones}),
            (r"/v1/timezones/(\d+)", {"GET": self._get_timezone}),
            (r"/v1/bunits", {"GET": self._get_bunit_tree}),
            (r"/v1/bunits/(\d+)", {"GET": self._get_bunit}),
            (r"/v1/bunits/(\d+)/bunits", {"GET": self._list_child_bunits}),
            (r"/v1/bunits/(\d+)/ancestors", {"GET": self._list_ancestors}),
            (r"/v1/bunits/(\d+)/users", {"GET": self._list_users}),
            (r"/v1/bunits/(\d+)/defaultserver", {"GET": self._get_default_server}),
            (r"/v1/bunits/(\d+)/defaultserver/domains", {"GET": self._list_domains}),
            (r"/v1/bunits/(\d+)/defaultserver/domains/(\d+)", {"GET": self._get_domain}),
            (r"/v1/bunits/(\d+)/defaultserver/clientoptionsets", {"GET": self._list_option_sets}),
            (r"/v1/bunits/(\d+)/defaultserver/clientoptionsets/(\d+)", {"GET": self._get_option_set}),
            (r"/v1/nodeoperatingsystems", {"GET": self._list_operating_systems}),
            (r"/v1/nodeoperatingsystems/(\d+)", {"GET": self._get_operating_system}),
            (r"/v1/nodetypes", {"GET": self._list_node_types}),
            (r"/v1/nodetypes/(\d+)", {"GET": self._get_node_type}),
            (r"/v1/bunits/(\d+)/consumers", {"GET": self._list_consumers, "POST": self._create_consumer}),
            (consumer, {"GET": self._get_consumer, "PUT": self._update_consumer, "DELETE": self._delete_consumer}),
            (consumer + "/auditlogs", {"GET": self._list_audit_logs}),
            (consumer + "/tags", {"GET": self._list_tags, "POST": self._add_tag}),
            (node, {"GET": self._get_node, "POST": self._create_node, "PUT": self._update_node,
                    "DELETE": self._delete_node}),
            (node + "/activate", {"GET": self._activate_node}),
            (node + "/spname", {"GET": self._get_spname}),
            (node + "/password", {"POST": self._set_node_password}),
            (node + "/filespaces", {"GET": self._list_filespaces}),
            (node + "/possibleproxynodes", {"GET": self._list_possible_proxy_nodes}),
            (node + "/proxyagents", {"GET": self._list_proxy_agents, "POST": self._add_proxy_agent}),
            (node + r"/proxyagents/(\d+)", {"DELETE": self._remove_proxy_agent}),
            (node + "/proxytargets", {"GET": self._list_proxy_targets, "POST": self._add_proxy_target}),
            (node + r"/proxytargets/(\d+)", {"DELETE": self._remove_proxy_target}),
        ]
        return [(re.compile("^" + pattern + "$"), methods) for pattern, methods in table]

    def route(self, request):
        self._base_url = "%s://%s" % ("https" if _request_is_tls(request) else "http",
                                      request.header("Host") or "127.0.0.1")
        path = request.path.rstrip("/").lower() or "/"
        try:
            if request.method == "OPTIONS":
                return self._preflight(request)
            if path == "/v1/oauth":
                if request.method != "POST":
                    return self._method_not_allowed(request)
                return self._oauth(request)
            for pattern, methods in self._routes:
                match = pattern.match(path)
                if not match:
                    continue
                handler = methods.get(request.method)
                if handler is None:
                    return self._method_not_allowed(request)
                self._authenticate(request)
                self._finish_due_deletions()
                ids = [int(g) for g in match.groups()]
                response = handler(request, *ids)
                response.headers.append(("Access-Control-Allow-Origin", self.state["credentials"]["origin"]))
                return response
            return Response.json({"Message": "No HTTP resource was found that matches the request URI '%s%s'."
                                  % (self._base_url, request.raw_path)}, status=404)
        except ApiError as error:
            return error.response()
        except OAuthError as error:
            return error.response()

    def _method_not_allowed(self, request):
        return Response.json({"Message": "The requested resource does not support http method '%s'." % request.method},
                             status=405)

    def _preflight(self, request):
        origin = request.header("Origin")
        if origin != self.state["credentials"]["origin"]:
            return Response(400, "")
        return Response(200, "", headers=[
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept"),
        ])

    def _href(self, path):
        return self._base_url + path

    def _collection(self, path, items, type_name=None, offset=0, total=None):
        body = {}
        if type_name:
            body["$type"] = "%sCollection`1[[%s%s, CloudPortal.Web.Api]], CloudPortal.Web.Api" % (
                TYPE_PREFIX, TYPE_PREFIX, type_name)
        body.update({"href": self._href(path), "total": len(items) if total is None else total, "offset": offset,
                     "first": self._href(path), "items": items})
        return body

    def _next_id(self, kind):
        value = self.state["nextId"][kind]
        self.state["nextId"][kind] = value + 1
        return value

    # -- authentication -------------------------------------------------------------------------------------
    def _oauth(self, request):
        creds = self.state["credentials"]
        form = request.form()
        client_id = form.get("client_id", "")
        if client_id != creds["client_id"]:
            self.stats_failed_logins += 1
            raise OAuthError("invalid_client", "The client_id '%s' is not registered." % client_id[:64])
        origin = request.header("Origin")
        if not origin:
            self.stats_failed_logins += 1
            raise OAuthError("invalid_client", "The Origin header is required.")
        if origin.rstrip("/") != creds["origin"]:
            self.stats_failed_logins += 1
            raise OAuthError("invalid_client", "The origin '%s' is not allowed for this client." % origin[:200])
        grant = form.get("grant_type", "")
        if grant == "password":
            return self._password_grant(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        self.stats_failed_logins += 1
        raise OAuthError("unsupported_grant_type", "The grant type '%s' is not supported." % grant[:64])

    def _password_grant(self, form):
        creds = self.state["credentials"]
        user = self.state["user"]
        if form.get("username", "").lower() != creds["username"].lower():
            self.stats_failed_logins += 1
            raise OAuthError("invalid_grant", "The user name or password is incorrect.")
        if user["locked"]:
            self.stats_failed_logins += 1
            raise OAuthError("invalid_grant", "The user account is locked after too many failed login attempts. "
                                              "Contact your administrator.")
        if not secrets.compare_digest(form.get("password", ""), creds["password"]):
            self.stats_failed_logins += 1
            user["failedLoginAttempts"] += 1
            if user["failedLoginAttempts"] >= MAX_FAILED_LOGINS:
                user["locked"] = True
                self.save()
                raise OAuthError("invalid_grant", "The user account is locked after too many failed login attempts. "
                                                  "Contact your administrator.")
            self.save()
            raise OAuthError("invalid_grant", "The user name or password is incorrect.")
        user["failedLoginAttempts"] = 0
        user["lastLoginDate"] = _iso()
        refresh_token = secrets.token_hex(16)
        self.state["refreshTokens"][_digest(refresh_token)] = {"clientId": creds["client_id"], "userId": user["id"],
                                                               "issued": _now()}
        return self._issue(refresh_token)

    def _refresh_grant(self, form):
        if not self.state["client"]["allowRefresh"]:
            self.stats_failed_logins += 1
            raise OAuthError("unsupported_grant_type", "Refresh tokens are not allowed for this client.")
        refresh_token = form.get("refresh_token", "")
        entry = self.state["refreshTokens"].get(_digest(refresh_token))
        if entry is None or entry["clientId"] != form.get("client_id"):
            self.stats_failed_logins += 1
            raise OAuthError("invalid_grant", "The refresh token is invalid.")
        if self.state["user"]["locked"]:
            self.stats_failed_logins += 1
            raise OAuthError("invalid_grant", "The user account is locked after too many failed login attempts. "
                                              "Contact your administrator.")
        return self._issue(refresh_token)

    def _issue(self, refresh_token):
        now = _now()
        tokens = self.state["accessTokens"]
        for key in [k for k, v in tokens.items() if v["expires"] <= now - 3600]:
            del tokens[key]
        access_token = secrets.token_urlsafe(96)
        tokens[_digest(access_token)] = {"userId": self.state["user"]["id"], "refresh": _digest(refresh_token),
                                         "issued": now, "expires": now + self.token_lifetime}
        self.stats_logins += 1
        self.save()
        return Response.json({"access_token": access_token, "token_type": "bearer", "expires_in": self.token_lifetime,
                              "refresh_token": refresh_token},
                             headers=[("Cache-Control", "no-cache"), ("Pragma", "no-cache")])

    def _authenticate(self, request):
        denied = "Authorization has been denied for this request."
        challenge = [("WWW-Authenticate", "Bearer")]
        header = request.header("Authorization") or ""
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Unauthorized", denied, "No bearer access token was sent.", challenge)
        entry = self.state["accessTokens"].get(_digest(token.strip()))
        if entry is None:
            raise ApiError(401, "Unauthorized", denied, "The access token is not valid.", challenge)
        if entry["expires"] <= _now():
            raise ApiError(401, "Unauthorized", denied, "The access token has expired.", challenge)
        origin = (request.header("Origin") or "").rstrip("/")
        if origin != self.state["credentials"]["origin"]:
            raise ApiError(403, "OriginNotAllowed", "The origin is not allowed for this API client.",
                           "The Origin header must be the origin registered for the API client."
                           if not origin else "The origin '%s' is not registered for this API client." % origin[:200])

    # -- meta -----------------------------------------------------------------------------------------------
    def _get_full_version(self, request):
        return Response.json(FULL_VERSION)

    def _get_me(self, request):
        user = self.state["user"]
        creds = self.state["credentials"]
        body = {
            "$type": TYPE_PREFIX + "User, CloudPortal.Web.Api",
            "href": self._href("/v1/bunits/%d/users/%d" % (user["businessUnitId"], user["id"])),
            "actions": [],
            "name": creds["username"],
            "email": user["email"],
            "phone": user["phone"],
            "displayName": user["displayName"],
            "businessUnit": self._render_bunit(user["businessUnitId"]),
            "businessUnitId": user["businessUnitId"],
            "role": {"name": "API administrator", "inheritable": True, "privileges": [
                {"name": "Consumption unit", "operation": op, "resource": "Consumer"}
                for op in ("Read", "Create", "Update", "Delete")]},
            "locked": user["locked"],
            "failedLoginAttempts": user["failedLoginAttempts"],
            "usesTotp": False,
            "lastLoginDate": user["lastLoginDate"],
            "itemsPerPage": 50,
            "language": "en-US",
            "userIdentities": [],
            "id": user["id"],
            "createdDate": user["createdDate"],
        }
        return Response.json(_drop_none(body))

    def _render_timezone(self, tz_id):
        tz = self.state["timezones"][str(tz_id)]
        return {"$type": TYPE_PREFIX + "TimeZone, CloudPortal.Web.Api",
                "href": self._href("/v1/timezones/%d" % tz["id"]),
                "actions": [{"name": "Calculate UTC offset", "method": "GET",
                             "href": self._href("/v1/timezones/%d/offset?date" % tz["id"])}],
                "name": tz["name"], "windowsId": tz["windowsId"], "offset": tz["offset"], "id": tz["id"],
                "createdDate": tz["createdDate"]}

    def _list_timezones(self, request):
        items = [self._render_timezone(t) for t in sorted(int(k) for k in self.state["timezones"])]
        return Response.json(self._collection("/v1/timezones", items, "TimeZone"))

    def _get_timezone(self, request, tz_id):
        if str(tz_id) not in self.state["timezones"]:
            raise ApiError(404, "NotFound", "Time zone not found.", "No time zone with id %d." % tz_id)
        return Response.json(self._render_timezone(tz_id))

    # -- business units -------------------------------------------------------------------------------------
    def _in_scope(self, bid):
        bunits = self.state["bunits"]
        current = bunits.get(str(bid))
        while current is not None:
            if current["id"] == self.state["client"]["businessUnitId"]:
                return True
            current = bunits.get(str(current["parentId"])) if current["parentId"] is not None else None
        return False

    def _bunit(self, bid):
        bunit = self.state["bunits"].get(str(bid))
        if bunit is None:
            raise ApiError(404, "NotFound", "Business unit not found.", "No business unit with id %d." % bid)
        if not self._in_scope(bid):
            raise ApiError(403, "Forbidden", "You do not have access to this business unit.",
                           "Business unit %d is outside the API client's business unit." % bid)
        return bunit

    def _children(self, bid):
        return sorted((b for b in self.state["bunits"].values() if b["parentId"] == bid), key=lambda b: b["id"])

    def _stub(self, path, type_name):
        return {"$type": "%sCollection`1[[%s%s, CloudPortal.Web.Api]], CloudPortal.Web.Api" % (
            TYPE_PREFIX, TYPE_PREFIX, type_name), "href": self._href(path), "total": 0, "items": []}

    def _bunit_fields(self, bunit):
        return {
            "domainFilter": [], "clientOptionSetFilter": [], "name": bunit["name"], "note": bunit["note"],
            "supportResponsible": False, "registrationNumber": bunit["registrationNumber"],
            "invoiceDay": bunit["invoiceDay"], "billingStorageTypeId": bunit["billingStorageTypeId"],
            "billingStorageType": bunit["billingStorageTypeId"], "useScheduleBindings": False, "consumers": [],
            "storageLimit": 0, "transferLimit": 0, "nodeLimit": 0, "passwordExpirationDays": 0,
            "requiredApproversOfDeleteRequest": 0, "finalDeleteRequestApprover": False,
            "usersCanApproveOwnRequests": False, "reportRemotely": False, "tags": list(bunit["tags"]),
            "id": bunit["id"], "createdDate": bunit["createdDate"],
        }

    def _render_bunit(self, bid, embedded=False):
        bunit = self.state["bunits"][str(bid)]
        base = "/v1/bunits/%d" % bid
        body = {"$type": TYPE_PREFIX + "BusinessUnit, CloudPortal.Web.Api"} if embedded else {}
        body["href"] = self._href(base)
        if not embedded and bunit["parentId"] is not None:
            body["parentBusinessUnit"] = self._bunit_fields(self.state["bunits"][str(bunit["parentId"])])
        if not embedded:
            body["timeZone"] = self._render_timezone(bunit["timeZoneId"])
        if embedded:
            body["ancestors"] = {"href": self._href(base + "/ancestors"), "total": 0, "items": []}
        body["users"] = self._stub(base + "/users", "User")
        body["addresses"] = self._stub(base + "/addresses", "Address")
        body["businessUnits"] = self._stub(base + "/bunits", "BusinessUnit")
        body.update(self._bunit_fields(bunit))
        return _drop_none(body)

    def _simple_tree(self, bid):
        bunit = self.state["bunits"][str(bid)]
        body = {"id": bunit["id"]}
        if bid != self.state["client"]["businessUnitId"]:
            body["parentId"] = bunit["parentId"]
        body.update({"name": bunit["name"], "groupName": bunit["groupName"], "reportRemotely": False,
                     "businessUnits": [self._simple_tree(c["id"]) for c in self._children(bid)],
                     "tags": list(bunit["tags"]), "invoiceDay": bunit["invoiceDay"]})
        return body

    def _get_bunit_tree(self, request):
        bid = _int(request.query_one("bunitId", case_insensitive=True), "bunitId",
                   self.state["client"]["businessUnitId"])
        self._bunit(bid)
        return Response.json(self._simple_tree(bid))

    def _get_bunit(self, request, bid):
        self._bunit(bid)
        return Response.json(self._render_bunit(bid))

    def _list_child_bunits(self, request, bid):
        self._bunit(bid)
        items = [self._render_bunit(c["id"]) for c in self._children(bid)]
        return Response.json(self._collection("/v1/bunits/%d/bunits" % bid, items, "BusinessUnit"))

    def _list_ancestors(self, request, bid):
        bunit = self._bunit(bid)
        items = []
        while bunit["parentId"] is not None and self._in_scope(bunit["parentId"]):
            bunit = self.state["bunits"][str(bunit["parentId"])]
            items.append(self._render_bunit(bunit["id"]))
        return Response.json(self._collection("/v1/bunits/%d/ancestors" % bid, items, "BusinessUnit"))

    def _list_users(self, request, bid):
        self._bunit(bid)
        user = self.state["user"]
        items = []
        if user["businessUnitId"] == bid:
            items.append(_drop_none({"href": self._href("/v1/bunits/%d/users/%d" % (bid, user["id"])),
                                     "name": self.state["credentials"]["username"], "email": user["email"],
                                     "displayName": user["displayName"], "locked": user["locked"],
                                     "id": user["id"], "createdDate": user["createdDate"]}))
        return Response.json(self._collection("/v1/bunits/%d/users" % bid, items, "User"))

    # -- server, domains, option sets, OS and node types ------------------------------------------------------
    def _render_server(self, bid=ROOT_BU):
        server = self.state["server"]
        return {"href": self._href("/v1/bunits/%d/defaultserver" % bid), "id": server["id"], "name": server["name"]}

    def _render_domain(self, domain_id, bid=ROOT_BU):
        domain = self.state["domains"][str(domain_id)]
        return {"href": self._href("/v1/bunits/%d/defaultserver/domains/%d" % (bid, domain["id"])),
                "server": self._render_server(bid), "name": domain["name"], "description": domain["description"],
                "backupRetention": domain["backupRetention"], "archiveRetention": domain["archiveRetention"],
                "missingInTsm": False, "id": domain["id"], "createdDate": domain["createdDate"]}

    def _render_option_set(self, set_id, bid=ROOT_BU):
        option_set = self.state["clientOptionSets"][str(set_id)]
        return {"href": self._href("/v1/bunits/%d/defaultserver/clientoptionsets/%d" % (bid, option_set["id"])),
                "name": option_set["name"], "description": option_set["description"], "id": option_set["id"],
                "createdDate": option_set["createdDate"]}

    def _render_node_type(self, type_id):
        node_type = self.state["nodeTypes"][str(type_id)]
        return {"href": self._href("/v1/nodetypes/%d" % node_type["id"]), "name": node_type["name"],
                "shortName": node_type["shortName"], "id": node_type["id"], "createdDate": node_type["createdDate"]}

    def _render_os(self, os_id):
        system = self.state["operatingSystems"][str(os_id)]
        return {"href": self._href("/v1/nodeoperatingsystems/%d" % system["id"]), "name": system["name"],
                "shortName": system["shortName"],
                "supportedNodeTypes": [self._render_node_type(t) for t in system["supportedNodeTypes"]],
                "id": system["id"], "createdDate": system["createdDate"]}

    def _get_default_server(self, request, bid):
        self._bunit(bid)
        return Response.json(self._render_server(bid))

    def _list_domains(self, request, bid):
        self._bunit(bid)
        items = [self._render_domain(d, bid) for d in sorted(int(k) for k in self.state["domains"])]
        return Response.json(self._collection("/v1/bunits/%d/defaultserver/domains" % bid, items, "Domain"))

    def _get_domain(self, request, bid, domain_id):
        self._bunit(bid)
        if str(domain_id) not in self.state["domains"]:
            raise ApiError(404, "NotFound", "Domain not found.", "No policy domain with id %d." % domain_id)
        return Response.json(self._render_domain(domain_id, bid))

    def _list_option_sets(self, request, bid):
        self._bunit(bid)
        items = [self._render_option_set(o, bid) for o in sorted(int(k) for k in self.state["clientOptionSets"])]
        return Response.json(self._collection("/v1/bunits/%d/defaultserver/clientoptionsets" % bid, items,
                                              "ClientOptionSet"))

    def _get_option_set(self, request, bid, set_id):
        self._bunit(bid)
        if str(set_id) not in self.state["clientOptionSets"]:
            raise ApiError(404, "NotFound", "Client option set not found.", "No client option set with id %d." % set_id)
        return Response.json(self._render_option_set(set_id, bid))

    def _list_operating_systems(self, request):
        items = [self._render_os(o) for o in sorted(int(k) for k in self.state["operatingSystems"])]
        return Response.json(self._collection("/v1/nodeoperatingsystems", items, "NodeOperatingSystem"))

    def _get_operating_system(self, request, os_id):
        if str(os_id) not in self.state["operatingSystems"]:
            raise ApiError(404, "NotFound", "Operating system not found.", "No node operating system with id %d." % os_id)
        return Response.json(self._render_os(os_id))

    def _list_node_types(self, request):
        items = [self._render_node_type(t) for t in sorted(int(k) for k in self.state["nodeTypes"])]
        return Response.json(self._collection("/v1/nodetypes", items, "NodeType"))

    def _get_node_type(self, request, type_id):
        if str(type_id) not in self.state["nodeTypes"]:
            raise ApiError(404, "NotFound", "Node type not found.", "No node type with id %d." % type_id)
        return Response.json(self._render_node_type(type_id))

    # -- consumers ------------------------------------------------------------------------------------------
    def _consumer(self, bid, cid):
        self._bunit(bid)
        consumer = self.state["consumers"].get(str(cid))
        if consumer is None or consumer["bunitId"] != bid:
            raise ApiError(404, "NotFound", "Consumption unit not found.",
                           "No consumption unit with id %d in business unit %d." % (cid, bid))
        return consumer

    @staticmethod
    def _data_source(consumer):
        node = consumer.get("node")
        if node is None:
            return TYPE_NONE, STATE_NEW
        return TYPE_SP_NODE, (STATE_ACTIVE if node.get("tsmName") else STATE_PENDING)

    def _consumer_href(self, consumer):
        return self._href("/v1/bunits/%d/consumers/%d" % (consumer["bunitId"], consumer["id"]))

    def _render_consumer(self, consumer):
        source_type, source_state = self._data_source(consumer)
        body = {
            "href": self._consumer_href(consumer),
            "dataSourceType": dict(source_type),
            "dataSourceIsPotentialParent": False,
            "dataSourceState": dict(source_state),
            "name": consumer["name"],
            "externalReference": consumer["externalReference"],
            "billingStartDate": consumer["billingStartDate"],
            "billingEndDate": consumer["billingEndDate"],
            "scheduledDeletionDate": _iso(self._deletion_due(consumer)) if consumer.get("deletion") else None,
            "businessUnit": self._render_bunit(consumer["bunitId"], embedded=True),
            "comments": [],
            "note": consumer["note"],
            "limitHighStorage": consumer["limitHighStorage"],
            "allowNoActivity": consumer["allowNoActivity"],
            "tags": [dict(t) for t in consumer["tags"]],
            "jobs": [],
            "id": consumer["id"],
            "createdDate": consumer["createdDate"],
        }
        return _drop_none(body)

    def _slim_consumer(self, consumer):
        source_type, source_state = self._data_source(consumer)
        return {"href": self._consumer_href(consumer), "dataSourceType": dict(source_type),
                "dataSourceState": dict(source_state), "name": consumer["name"],
                "billingStartDate": consumer["billingStartDate"], "id": consumer["id"],
                "createdDate": consumer["createdDate"],
                **({"scheduledDeletionDate": _iso(self._deletion_due(consumer))} if consumer.get("deletion") else {})}

    def _list_consumers(self, request, bid):
        self._bunit(bid)
        consumers = sorted((c for c in self.state["consumers"].values() if c["bunitId"] == bid), key=lambda c: c["id"])
        offset = max(0, _int(request.query_one("offset", case_insensitive=True), "offset", 0))
        limit = _int(request.query_one("limit", case_insensitive=True), "limit", self.state["sim"]["default_page_size"] or None)
        page = consumers[offset:] if limit is None else consumers[offset:offset + max(0, limit)]
        return Response.json(self._collection("/v1/bunits/%d/consumers" % bid, [self._slim_consumer(c) for c in page],
                                              "Consumer", offset=offset, total=len(consumers)))

    def _body(self, request):
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, "BadRequest", "The request is invalid.", "The request body is not valid JSON.") from None
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "The request is invalid.", "The request body must be a JSON object.")
        return body

    @staticmethod
    def _required_name(body):
        name = _ci_get(body, "name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "BadRequest", "The request is invalid.", "Name: The Name field is required.")
        if len(name) > 255:
            raise ApiError(400, "BadRequest", "The request is invalid.",
                           "Name: The field Name must be a string with a maximum length of 255.")
        return name

    @staticmethod
    def _date_field(body, name):
        value = _ci_get(body, name)
        if value is None:
            return None
        try:
            return _iso(_parse_time(str(value)), millis=False)
        except ValueError:
            raise ApiError(400, "BadRequest", "The request is invalid.",
                           "%s: The value '%s' is not a valid date." % (name, value)) from None

    @staticmethod
    def _tags(body):
        tags = _ci_get(body, "tags") or []
        if not isinstance(tags, list):
            raise ApiError(400, "BadRequest", "The request is invalid.", "tags: A list of tags is expected.")
        result = []
        for tag in tags:
            if isinstance(tag, str):
                result.append({"text": tag})
            elif isinstance(tag, dict) and isinstance(_ci_get(tag, "text"), str):
                entry = {"text": _ci_get(tag, "text")}
                if _ci_get(tag, "id") is not None:
                    entry["id"] = _ci_get(tag, "id")
                result.append(entry)
            else:
                raise ApiError(400, "BadRequest", "The request is invalid.", "tags: Each tag needs a text.")
        return result

    def _writable_consumer_fields(self, body, current=None):
        if current is not None and self.state["sim"]["put"] == "merge":
            # Json.NET PopulateObject: a property the body leaves out keeps its value; an explicit null clears it.
            body = dict(body)
            for key in ("name", "note", "externalReference", "billingStartDate", "billingEndDate", "limitHighStorage",
                        "allowNoActivity", "tags"):
                if not _ci_has(body, key):
                    body[key] = current[key]
        limit = _ci_get(body, "limitHighStorage", 0.0)
        if not isinstance(limit, (int, float)) or isinstance(limit, bool):
            raise ApiError(400, "BadRequest", "The request is invalid.", "limitHighStorage: A number is expected.")
        allow = _ci_get(body, "allowNoActivity", False)
        if not isinstance(allow, bool):
            raise ApiError(400, "BadRequest", "The request is invalid.", "allowNoActivity: A Boolean is expected.")
        for key in ("note", "externalReference"):
            if _ci_get(body, key) is not None and not isinstance(_ci_get(body, key), str):
                raise ApiError(400, "BadRequest", "The request is invalid.", "%s: A string is expected." % key)
        start = self._date_field(body, "billingStartDate")
        if start is None:
            start = current["billingStartDate"] if current else _today()
        return {"name": self._required_name(body), "note": _ci_get(body, "note"),
                "externalReference": _ci_get(body, "externalReference"), "billingStartDate": start,
                "billingEndDate": self._date_field(body, "billingEndDate"), "limitHighStorage": float(limit),
                "allowNoActivity": allow, "tags": self._body_tags(body, current)}

    def _body_tags(self, body, current):
        """Tags by text inside the consumer (mode ``text``), or ignored there (mode ``endpoint``: only
        ``POST .../tags`` adds one)."""
        tags = self._tags(body)
        if self.state["sim"]["tags"] == "endpoint":
            return [dict(t) for t in (current or {}).get("tags") or []]
        return tags

    def _list_tags(self, request, bid, cid):
        return Response.json([self._render_tag(t, bid) for t in self._consumer(bid, cid)["tags"]])

    def _render_tag(self, tag, bid):
        return {"id": tag.get("id"), "businessUnitId": bid, "text": tag["text"], "inheritable": False}

    def _add_tag(self, request, bid, cid):
        consumer = self._writable(self._consumer(bid, cid))
        [tag] = self._tags({"tags": [self._body(request)]})
        for existing in consumer["tags"]:
            if existing["text"] == tag["text"]:
                return Response.json(self._render_tag(existing, bid))
        tag.setdefault("id", self._next_id("tag"))
        consumer["tags"].append(tag)
        self._audit(consumer, 200, "Consumption unit '%s' tagged %s." % (consumer["name"], tag["text"]))
        self.save()
        return Response.json(self._render_tag(tag, bid))

    @staticmethod
    def _writable(consumer):
        if consumer.get("deletion"):
            raise ApiError(409, "BeingDeleted", "The consumption unit is being deleted.",
                           "Consumption unit %d is marked for deletion." % consumer["id"])
        return consumer

    def _audit(self, consumer, entry_type, message):
        self.state["auditLogs"].append({
            "id": self._next_id("audit"), "type": entry_type, "consumerId": consumer["id"],
            "businessUnitId": consumer["bunitId"], "message": message,
            "userName": self.state["credentials"]["username"], "createdDate": _iso(), "time": _now(),
        })

    def _create_consumer(self, request, bid):
        self._bunit(bid)
        body = self._body(request)
        existing_id = _ci_get(body, "id")
        if isinstance(existing_id, int) and existing_id and str(existing_id) in self.state["consumers"]:
            consumer = self.state["consumers"][str(existing_id)]
            if consumer["bunitId"] != bid and self._in_scope(consumer["bunitId"]):
                old = consumer["bunitId"]
                consumer["bunitId"] = bid
                self._audit(consumer, 200, "Consumption unit '%s' moved from business unit %d to %d."
                            % (consumer["name"], old, bid))
                self.save()
                return Response.json(self._render_consumer(consumer))
        fields = self._writable_consumer_fields(body)
        consumer = dict(fields, id=self._next_id("consumer"), bunitId=bid, createdDate=_iso(), node=None)
        self.state["consumers"][str(consumer["id"])] = consumer
        self._audit(consumer, 100, "Consumption unit '%s' created." % consumer["name"])
        self.save()
        return Response.json(self._render_consumer(consumer))

    def _get_consumer(self, request, bid, cid):
        return Response.json(self._render_consumer(self._consumer(bid, cid)))

    def _update_consumer(self, request, bid, cid):
        consumer = self._writable(self._consumer(bid, cid))
        body = self._body(request)
        body_id = _ci_get(body, "id")
        if body_id not in (None, 0, cid):
            raise ApiError(400, "BadRequest", "The request is invalid.",
                           "The id in the body (%s) does not match the id in the URL (%d)." % (body_id, cid))
        fields = self._writable_consumer_fields(body, consumer)
        changed = sorted(k for k, v in fields.items() if consumer.get(k) != v)
        consumer.update(fields)
        if changed:
            self._audit(consumer, 200, "Consumption unit '%s' modified: %s." % (consumer["name"], ", ".join(changed)))
        self.save()
        return Response.json(self._render_consumer(consumer))

    def _remove_consumer(self, consumer, request, what):
        """Accept a deletion: the delete process finishes ``delete_delay_seconds`` after the request (at once with
        0; the current setting counts, so a test can end a pending deletion by setting 0); until then the consumer
        stays visible with ``scheduledDeletionDate`` and its node locked and decommissioned. A second DELETE
        meanwhile is accepted again and changes nothing."""
        if consumer.get("deletion"):
            return
        delete_associations = _bool(request.query_one("deleteAssociations", case_insensitive=True), True)
        _bool(request.query_one("unassignSecondaryDataSources", case_insensitive=True), False)
        comment = request.query_one("deletionComment", "", case_insensitive=True)
        consumer["deletion"] = {"requested": _now(), "associations": delete_associations}
        message = "%s '%s' deleted." % (what, consumer["name"])
        if comment:
            message += " Comment: %s" % comment
        self._audit(consumer, 300, message)
        if self._deletion_due(consumer) <= _now():
            self._finish_deletion(consumer)
        self.save()

    def _deletion_due(self, consumer):
        return consumer["deletion"]["requested"] + float(self.state["sim"]["delete_delay_seconds"])

    def _finish_due_deletions(self):
        due = [c for c in self.state["consumers"].values() if c.get("deletion") and self._deletion_due(c) <= _now()]
        for consumer in due:
            self._finish_deletion(consumer)
        if due:
            self.save()

    def _finish_deletion(self, consumer):
        """The delete process has run: the consumer is gone; the SP node is locked or decommissioned, and its name
        stays taken for ``name_hold_seconds`` (the retention of the business unit's NodeDeletionRule)."""
        delete_associations = consumer["deletion"]["associations"]
        node = consumer.get("node")
        if node is not None:
            for other_id in set(node["proxyAgents"]) | set(node["proxyTargets"]):
                other = self.state["consumers"].get(str(other_id))
                if other and other.get("node"):
                    other["node"]["proxyAgents"] = [c for c in other["node"]["proxyAgents"] if c != consumer["id"]]
                    other["node"]["proxyTargets"] = [c for c in other["node"]["proxyTargets"] if c != consumer["id"]]
            if node.get("tsmName"):
                self.state["spServer"]["deletedNodes"].append({
                    "tsmName": node["tsmName"], "tsmNodeId": node["tsmNodeId"], "consumerId": consumer["id"],
                    "deletedDate": _iso(), "schedulesDeleted": delete_associations,
                    "heldUntil": _now() + float(self.state["sim"]["name_hold_seconds"])})
        del self.state["consumers"][str(consumer["id"])]

    def _delete_consumer(self, request, bid, cid):
        consumer = self._consumer(bid, cid)
        self._remove_consumer(consumer, request, "Consumption unit")
        return Response(204, b"", content_type=None)

    def _list_audit_logs(self, request, bid, cid):
        consumer = self._consumer(bid, cid)
        entries = [e for e in self.state["auditLogs"] if e["consumerId"] == consumer["id"]]
        types = [_int(t, "types") for key, values in request.query.items() if key.lower() == "types" for t in values]
        if types:
            entries = [e for e in entries if e["type"] in types]
        start = request.query_one("startTime", case_insensitive=True) or request.query_one("startDate",
                                                                                           case_insensitive=True)
        end = request.query_one("endTime", case_insensitive=True) or request.query_one("endDate", case_insensitive=True)
        try:
            if start:
                entries = [e for e in entries if e["time"] >= _parse_time(start)]
            if end:
                entries = [e for e in entries if e["time"] <= _parse_time(end)]
        except ValueError:
            raise ApiError(400, "BadRequest", "The request is invalid.", "startTime/endTime must be ISO 8601 dates.") from None
        entries.sort(key=lambda e: e["id"], reverse=_bool(request.query_one("orderDesc", case_insensitive=True), True))
        offset = max(0, _int(request.query_one("offset", case_insensitive=True), "offset", 0))
        limit = _int(request.query_one("limit", case_insensitive=True), "limit", self.state["sim"]["default_page_size"] or None)
        page = entries[offset:] if limit is None else entries[offset:offset + max(0, limit)]
        items = [{"type": e["type"], "typeName": AUDIT_TYPES.get(e["type"], "Info"), "message": e["message"],
                  "userName": e["userName"], "consumerId": e["consumerId"], "businessUnitId": e["businessUnitId"],
                  "id": e["id"], "createdDate": e["createdDate"]} for e in page]
        return Response.json(self._collection("/v1/bunits/%d/consumers/%d/auditlogs" % (bid, cid), items, "AuditLog",
                                              offset=offset, total=len(entries)))

    # -- nodes ----------------------------------------------------------------------------------------------
    def _node(self, bid, cid):
        consumer = self._consumer(bid, cid)
        if consumer.get("node") is None:
            raise ApiError(404, "NotFound", "The consumption unit has no backup node.",
                           "Consumption unit %d has no backup node." % cid)
        return consumer, consumer["node"]

    def _activated_node(self, bid, cid):
        consumer, node = self._node(bid, cid)
        if not node.get("tsmName"):
            raise ApiError(400, "NodeNotActivated", "The backup node is not activated.",
                           "The backup node of consumption unit %d has not been activated yet." % cid)
        return consumer, node

    def _node_href(self, consumer):
        return self._consumer_href(consumer) + "/node"

    def _slim_node(self, consumer):
        node = consumer["node"]
        source_type, source_state = self._data_source(consumer)
        return _drop_none({"href": self._node_href(consumer), "tsmName": node.get("tsmName"),
                           "name": consumer["name"], "dataSourceType": dict(source_type),
                           "dataSourceState": dict(source_state), "consumerId": consumer["id"],
                           "id": node["id"], "createdDate": node["createdDate"]})

    def _render_filespace(self, consumer, filespace):
        return {"href": self._node_href(consumer) + "/filespaces/%d" % filespace["id"],
                "tsmFilespaceId": filespace["tsmFilespaceId"], "type": filespace["type"],
                "capacityMegaBytes": filespace["capacityMegaBytes"],
                "frontEndCapacityMegaBytes": filespace["frontEndCapacityMegaBytes"],
                "percentageUtilized": filespace["percentageUtilized"],
                "lastBackupStart": _past(filespace["lastBackupStart"]), "lastBackupEnd": _past(filespace["lastBackupEnd"]),
                "occupancies": [], "name": filespace["name"],
                "dataSourceState": dict(STATE_ACTIVE), "id": filespace["id"], "createdDate": filespace["createdDate"]}

    def _related(self, ids):
        result = []
        for other_id in ids:
            other = self.state["consumers"].get(str(other_id))
            if other and other.get("node"):
                result.append(self._slim_node(other))
        return result

    def _render_node(self, consumer):
        node = consumer["node"]
        source_type, source_state = self._data_source(consumer)
        activated = bool(node.get("tsmName"))
        bid = consumer["bunitId"]
        body = {
            "href": self._node_href(consumer),
            "cpuCount": node["cpuCount"],
            "activatedDate": node.get("activatedDate"),
            "locked": bool(consumer.get("deletion")),
            "operatingSystem": self._render_os(node["operatingSystemId"]),
            "type": self._render_node_type(node["typeId"]),
            "syncState": {"id": 1, "name": "Synchronized" if activated else "Not registered"},
            "domain": self._render_domain(node["domainId"], bid),
            "clientOptionSet": (self._render_option_set(node["clientOptionSetId"], bid)
                                if node.get("clientOptionSetId") is not None else None),
            "server": self._render_server(bid),
            "schedules": [dict(s) for s in node.get("schedules") or []], "nodeSchedules": [],
            "filespaces": [self._render_filespace(consumer, f) for f in node["filespaces"]],
            "events": [], "unscheduledActivities": [], "retentionSets": [], "activityLogs": [],
            "proxyAgents": self._related(node["proxyAgents"]),
            "proxyTargets": self._related(node["proxyTargets"]),
            "nodeGroups": [dict(g) for g in node.get("nodeGroups") or []],
            "tsmName": node.get("tsmName"),
            "tsmNodeId": node.get("tsmNodeId"),
            "tsmPassword": node.get("tsmPassword"),
            "contact": node["contact"],
            "sessionSecurity": {"id": 1, "name": "Transitional"} if activated else None,
            "containsVmFilespaces": False,
            "registeredTime": node.get("activatedDate"),
            "lastAccessTime": max((f["lastBackupEnd"] for f in node["filespaces"] if _past(f.get("lastBackupEnd"))),
                                  default=None),
            "decommissioned": bool(consumer.get("deletion")),
            "replicationState": False,
            "activityLogFilters": [],
            "remoteActivities": [],
            "name": consumer["name"],
            "dataSourceState": dict(source_state),
            "dataSourceType": dict(source_type),
            "consumer": self._slim_consumer(consumer),
            "id": node["id"],
            "createdDate": node["createdDate"],
        }
        return _drop_none(body)

    def _reference(self, body, name, table, label, required):
        value = _ci_get(body, name)
        if value is None:
            if required:
                raise ApiError(400, "BadRequest", "The request is invalid.",
                               "%s: The %s field is required (a reference with an id)." % (name, label))
            return None
        ref_id = _ci_get(value, "id") if isinstance(value, dict) else None
        if isinstance(ref_id, bool) or not isinstance(ref_id, int) or ref_id <= 0:
            if required or value:
                raise ApiError(400, "BadRequest", "The request is invalid.",
                               "%s: A reference with a positive integer id is expected." % name)
            return None
        if str(ref_id) not in self.state[table]:
            raise ApiError(400, "BadRequest", "The request is invalid.", "%s: No %s with id %d exists." % (name, label, ref_id))
        return ref_id

    def _node_fields(self, body, current=None):
        os_id = self._reference(body, "operatingSystem", "operatingSystems", "node operating system", True)
        type_id = self._reference(body, "type", "nodeTypes", "node type", True)
        if type_id not in self.state["operatingSystems"][str(os_id)]["supportedNodeTypes"]:
            raise ApiError(400, "BadRequest", "The request is invalid.", "type: The node type '%s' is not supported on %s."
                           % (self.state["nodeTypes"][str(type_id)]["name"],
                              self.state["operatingSystems"][str(os_id)]["name"]))
        domain_id = self._reference(body, "domain", "domains", "policy domain on the backup server", True)
        option_set_id = self._reference(body, "clientOptionSet", "clientOptionSets",
                                        "client option set on the backup server", False)
        server = _ci_get(body, "server")
        server_id = _ci_get(server, "id") if isinstance(server, dict) else None
        if server_id not in (None, 0, SERVER_ID):
            raise ApiError(400, "BadRequest", "The request is invalid.", "server: No backup server with id %s is "
                           "available to this business unit." % server_id)
        cpu = _ci_get(body, "cpuCount", 1)
        if isinstance(cpu, bool) or not isinstance(cpu, int) or cpu < 0:
            raise ApiError(400, "BadRequest", "The request is invalid.", "cpuCount: A non-negative integer is expected.")
        contact = _ci_get(body, "contact") or ""
        if not isinstance(contact, str):
            raise ApiError(400, "BadRequest", "The request is invalid.", "contact: A string is expected.")
        if current is not None and current.get("tsmName") and server_id not in (None, 0, current["serverId"]):
            raise ApiError(400, "BadRequest", "The request is invalid.",
                           "server: An activated node cannot move to another backup server.")
        return {"operatingSystemId": os_id, "typeId": type_id, "domainId": domain_id,
                "clientOptionSetId": option_set_id, "serverId": SERVER_ID, "cpuCount": cpu, "contact": contact}

    def _get_node(self, request, bid, cid):
        consumer = self._consumer(bid, cid)
        mode = self.state["sim"]["missing_node"]
        if consumer.get("node") is None and mode == "null":
            return Response.json(None)
        if consumer.get("node") is None and mode == "empty":
            return Response(200, b"", content_type="application/json; charset=utf-8")
        consumer, _node = self._node(bid, cid)
        return Response.json(self._render_node(consumer))

    def _create_node(self, request, bid, cid):
        consumer = self._writable(self._consumer(bid, cid))
        if consumer.get("node") is not None:
            raise ApiError(409, "Conflict", "The consumption unit already has a backup node.",
                           "Consumption unit %d already has backup node %d." % (cid, consumer["node"]["id"]))
        fields = self._node_fields(self._body(request))
        consumer["node"] = dict(fields, id=self._next_id("node"), createdDate=_iso(), proxyAgents=[],
                                proxyTargets=[], filespaces=[])
        self._audit(consumer, 200, "Backup node created for consumption unit '%s'." % consumer["name"])
        self.save()
        return Response.json(self._render_node(consumer))

    def _update_node(self, request, bid, cid):
        consumer, node = self._node(bid, cid)
        self._writable(consumer)
        body = self._body(request)
        if self.state["sim"]["put"] == "merge":
            # A property the body leaves out keeps its value (references and scalars as stored).
            body = dict(body)
            for key, field in (("operatingSystem", "operatingSystemId"), ("type", "typeId"), ("domain", "domainId"),
                               ("clientOptionSet", "clientOptionSetId")):
                if not _ci_has(body, key) and node.get(field) is not None:
                    body[key] = {"id": node[field]}
            for key in ("cpuCount", "contact"):
                if not _ci_has(body, key):
                    body[key] = node[key]
        fields = self._node_fields(body, node)
        fields.update(self._node_relations(consumer, node, body))
        changed = sorted(k for k, v in fields.items() if node.get(k) != v)
        node.update(fields)
        if changed:
            self._audit(consumer, 200, "Backup node of '%s' modified: %s." % (consumer["name"], ", ".join(changed)))
        self.save()
        return Response.json(self._render_node(consumer))

    def _node_relations(self, consumer, node, body):
        """What a full replace does to what the Node carries besides its fields: schedules and node groups become
        the body's (none when left out), proxy relations not in the body end (on both sides). A merge keeps what
        the body leaves out."""
        merge = self.state["sim"]["put"] == "merge"
        fields = {}
        for key in ("schedules", "nodeGroups"):
            if _ci_has(body, key) or not merge:
                items = _ci_get(body, key) or []
                fields[key] = [{"id": _ci_get(i, "id"), "name": _ci_get(i, "name")} for i in items if isinstance(i, dict)]
        for key, other_key in (("proxyAgents", "proxyTargets"), ("proxyTargets", "proxyAgents")):
            if merge and not _ci_has(body, key):
                continue
            kept = set()
            for item in _ci_get(body, key) or []:
                slim = _ci_get(item, "consumer") if isinstance(_ci_get(item, "consumer"), dict) else item
                kept.add(_ci_get(item, "consumerId", _ci_get(slim, "id")))
            fields[key] = [c for c in node[key] if c in kept]
            for gone in set(node[key]) - kept:
                other = (self.state["consumers"].get(str(gone)) or {}).get("node")
                if other:
                    other[other_key] = [c for c in other[other_key] if c != consumer["id"]]
        return fields

    def _delete_node(self, request, bid, cid):
        consumer, _node = self._node(bid, cid)
        rendered = self._render_node(consumer)
        self._remove_consumer(consumer, request, "Backup node and consumption unit")
        return Response.json(rendered)

    def _taken_names(self, exclude_consumer=None):
        names = {n.upper() for n in self.state["spServer"]["foreignNodes"]}
        names.update(d["tsmName"].upper() for d in self.state["spServer"]["deletedNodes"]
                     if d.get("heldUntil", 0) > _now())
        for consumer in self.state["consumers"].values():
            node = consumer.get("node")
            if node and node.get("tsmName") and consumer["id"] != exclude_consumer:
                names.add(node["tsmName"].upper())
        return names

    def _proposed_name(self, consumer):
        base = re.sub(r"[^A-Z0-9_.+&-]", "_", consumer["name"].upper())[:64] or "NODE"
        taken = self._taken_names(consumer["id"])
        if base not in taken:
            return base
        counter = 1
        while True:
            suffix = "_%03d" % counter
            candidate = base[:64 - len(suffix)] + suffix
            if candidate not in taken:
                return candidate
            counter += 1

    def _get_spname(self, request, bid, cid):
        consumer, node = self._node(bid, cid)
        return Response.json(node.get("tsmName") or self._proposed_name(consumer))

    def _activate_node(self, request, bid, cid):
        consumer, node = self._node(bid, cid)
        self._writable(consumer)
        raw = request.query_one("tsmName", "", case_insensitive=True).strip()
        name = raw.upper() if raw else (node.get("tsmName") or self._proposed_name(consumer))
        if not NODE_NAME_RE.match(name):
            raise ApiError(400, "InvalidNodeName", "The node name is not valid.",
                           "ANR2004E The node name '%s' is not valid: IBM Storage Protect node names are 1 to 64 "
                           "characters of A-Z, 0-9, _ . - + &." % raw[:100])
        if node.get("tsmName"):
            if node["tsmName"].upper() == name:
                return Response.json(node["tsmName"])
            raise ApiError(409, "NodeAlreadyActivated", "The backup node is already activated.",
                           "The backup node is already activated as '%s' and cannot be activated as '%s'."
                           % (node["tsmName"], name))
        if name in self._taken_names(consumer["id"]):
            raise ApiError(409, "NodeNameTaken", "The node name is already in use.",
                           "ANR2147E REGISTER NODE: Node %s is already registered on server %s."
                           % (name, self.state["server"]["name"]))
        node["tsmName"] = name
        node["tsmNodeId"] = str(self._next_id("spNode"))
        node["tsmPassword"] = random_secret(16)
        node["activatedDate"] = _iso()
        node["schedules"] = [dict(DEFAULT_SCHEDULE)]
        node["filespaces"] = self._fake_filespaces(self.state, consumer, _now())
        self._audit(consumer, 200, "Backup node of '%s' activated as %s." % (consumer["name"], name))
        self.save()
        return Response.json(name)

    @staticmethod
    def _fake_filespaces(state, consumer, when):
        node = consumer["node"]
        result = []
        for index, (pattern, fs_type, capacity) in enumerate(FAKE_FILESPACES.get(node["operatingSystemId"], [])):
            name = pattern % node["tsmName"].lower() if "%s" in pattern else pattern
            fs_id = state["nextId"]["filespace"]
            state["nextId"]["filespace"] = fs_id + 1
            used = 10.0 + 17.5 * index
            # The client's first backup of each filespace starts shortly after activation (not before it).
            start = when + 2 + 2 * index
            result.append({"id": fs_id, "tsmFilespaceId": index + 1, "type": fs_type, "name": name,
                           "capacityMegaBytes": capacity, "frontEndCapacityMegaBytes": round(capacity * used / 100.0, 1),
                           "percentageUtilized": used, "lastBackupStart": _iso(start),
                           "lastBackupEnd": _iso(start + 3), "createdDate": _iso(when)})
        return result

    def _set_node_password(self, request, bid, cid):
        consumer, node = self._activated_node(bid, cid)
        password = _ci_get(self._body(request), "tsmPassword")
        if not isinstance(password, str) or not SP_PASSWORD_RE.match(password):
            raise ApiError(400, "BadRequest", "The request is invalid.",
                           "tsmPassword: 8 to 64 characters of a-z A-Z 0-9 ~ ! @ # $ % ^ & * _ - + = ` | ( ) { } [ ] "
                           ": ; < > , . ? / are required.")
        node["tsmPassword"] = password
        self._audit(consumer, 200, "Password of backup node %s changed." % node["tsmName"])
        self.save()
        return Response.json(self._render_node(consumer))

    def _list_filespaces(self, request, bid, cid):
        consumer, node = self._node(bid, cid)
        _bool(request.query_one("tsmSync", case_insensitive=True), False)
        items = [self._render_filespace(consumer, f) for f in node["filespaces"]]
        return Response.json(self._collection("/v1/bunits/%d/consumers/%d/node/filespaces" % (bid, cid), items,
                                              "Filespace"))

    def _list_possible_proxy_nodes(self, request, bid, cid):
        consumer, node = self._node(bid, cid)
        related = set(node["proxyAgents"]) | set(node["proxyTargets"]) | {consumer["id"]}
        others = sorted((c for c in self.state["consumers"].values()
                         if c["bunitId"] == bid and c.get("node") and c["node"].get("tsmName") and c["id"] not in related),
                        key=lambda c: c["id"])
        return Response.json(self._collection("/v1/bunits/%d/consumers/%d/node/possibleproxynodes" % (bid, cid),
                                              [self._slim_node(c) for c in others], "Node"))

    def _proxy_pair(self, request, bid, cid, param, other_id=None):
        consumer, node = self._activated_node(bid, cid)
        if other_id is None:
            other_id = _int(request.query_one(param, case_insensitive=True), param)
            if other_id is None:
                raise ApiError(400, "BadRequest", "The request is invalid.", "%s is required." % param)
        if other_id == cid:
            raise ApiError(400, "BadRequest", "The request is invalid.", "A node cannot be its own proxy.")
        other = self.state["consumers"].get(str(other_id))
        if other is None or not self._in_scope(other["bunitId"]):
            raise ApiError(404, "NotFound", "Consumption unit not found.", "No consumption unit with id %d." % other_id)
        if not other.get("node") or not other["node"].get("tsmName"):
            raise ApiError(400, "NodeNotActivated", "The other backup node is not activated.",
                           "Consumption unit %d has no activated backup node." % other_id)
        return consumer, node, other, other["node"]

    def _link(self, agent, target):
        if target["id"] not in agent["node"]["proxyTargets"]:
            agent["node"]["proxyTargets"].append(target["id"])
            target["node"]["proxyAgents"].append(agent["id"])
            self._audit(target, 200, "Node %s granted proxy authority to %s."
                        % (target["node"]["tsmName"], agent["node"]["tsmName"]))
            self.save()

    def _unlink(self, agent, target):
        if target["id"] not in agent["node"]["proxyTargets"]:
            raise ApiError(404, "NotFound", "Proxy relation not found.", "Node %s is not a proxy agent of %s."
                           % (agent["node"]["tsmName"], target["node"]["tsmName"]))
        agent["node"]["proxyTargets"].remove(target["id"])
        target["node"]["proxyAgents"] = [c for c in target["node"]["proxyAgents"] if c != agent["id"]]
        self._audit(target, 200, "Node %s revoked proxy authority of %s."
                    % (target["node"]["tsmName"], agent["node"]["tsmName"]))
        self.save()

    def _list_proxy_agents(self, request, bid, cid):
        _consumer, node = self._node(bid, cid)
        return Response.json(self._collection("/v1/bunits/%d/consumers/%d/node/proxyagents" % (bid, cid),
                                              self._related(node["proxyAgents"]), "Node"))

    def _list_proxy_targets(self, request, bid, cid):
        _consumer, node = self._node(bid, cid)
        return Response.json(self._collection("/v1/bunits/%d/consumers/%d/node/proxytargets" % (bid, cid),
                                              self._related(node["proxyTargets"]), "Node"))

    def _add_proxy_agent(self, request, bid, cid):
        target, _node, agent, _other = self._proxy_pair(request, bid, cid, "proxyAgentId")
        self._link(agent, target)
        return Response.json(self._render_node(target))

    def _add_proxy_target(self, request, bid, cid):
        agent, _node, target, _other = self._proxy_pair(request, bid, cid, "proxyTargetId")
        self._link(agent, target)
        return Response.json(self._render_node(agent))

    def _remove_proxy_agent(self, request, bid, cid, agent_id):
        target, _node, agent, _other = self._proxy_pair(request, bid, cid, None, agent_id)
        self._unlink(agent, target)
        return Response(204, b"", content_type=None)

    def _remove_proxy_target(self, request, bid, cid, target_id):
        agent, _node, target, _other = self._proxy_pair(request, bid, cid, None, target_id)
        self._unlink(agent, target)
        return Response(204, b"", content_type=None)
