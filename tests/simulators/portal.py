# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Simulated CTERA Portal (Global Administration and Services Portal), XML API only.

Implements ../shared/specs/ctera-protocol.md sections 1 to 4 and 7, checked against ``cterasdk==2.20.50``:

* the CTERA XML object codec (``<val>``, ``<list>``, ``<obj class= uuid=>``, ``<att id=>``, no XML declaration);
  request bodies are accepted whatever their ``Content-Type`` (the SDK sends ``text/plain`` or
  ``application/octet-stream``);
* form login on ``/admin/api/login`` (global administrators) and ``/ServicesPortal/api/login`` (tenant users; the
  tenant is the first DNS label of the ``Host`` header when it names a tenant, otherwise the first tenant),
  ``JSESSIONID`` cookie with ``Path=/``, logout, the bootstrap GETs ``currentSession``, ``currentPortal``,
  ``version`` and ``rolesSettings/*``, and ``GET /{ctx}/public/publicInfo``;
* idle session expiry (``session_timeout`` seconds, or ``POST /_sim/faults {"expire_sessions": true}``): any call
  with an unknown or expired session answers ``302`` with ``Location: /ServicesPortal/login.html`` (relative), the
  exact signal the SDK turns into ``SessionExpired``;
* tenants ("acme" and "globex" seeded): browse with ``PUT /admin/api/currentPortal`` (kept per HTTP session),
  add (``db add`` on ``/teamPortals``, with or without a ``plan`` reference), list (``query`` on ``/portals``,
  ``/teamPortals``, ``getPortalsDisplayInfo``), get-multi, delete and undelete, ``subscribe`` to a plan,
  ``updatePortals``;
* subscription plans (global objects): the ``Default`` plan, read with ``query`` on ``/plans`` (list, ``by_name``),
  get-multi and GET on ``/plans/{name}``; every tenant refers to a plan (``plan``: the plan's ``baseObjectRef``);
* local users of a tenant: add, GET, get-multi, PUT (rename, null password = unchanged), delete, query with
  filters, ``include`` and paging as the SDK iterates, ``updateAccounts`` tasks;
* local groups: ``addGroup``, GET, get-multi, ``updateGroup`` (rename, description, members), ``getMembers``,
  query, delete; membership follows user renames and deletions;
* background tasks ``servers/MainDB/bgTasks/N``: ``GET`` outside a tenant, ``getTaskStatus`` inside one; a task is
  ``running`` on its first read and ``completed`` from the second read on;
* S3 credentials of a user (``getApiKeys``, ``createApiKey``, ``deleteApiKey``), keyed by the user's uid;
* devices (Edge Filers) registered with :meth:`PortalService.register_device`: ``query`` on ``/devices`` and
  get-multi/GET on ``/portals/{tenant}/devices/{name}``, with the attributes the SDK and its CLI export read;
* Edge Filer connections: a linked Edge simulator connecting as a tenant user (``device_tenant``: the user's
  password, or an activation code from ``GET /ssoActivation?username=U&portal=T`` as core/activation.py asks for
  one) becomes a device of that tenant, and is removed when it disconnects (``unregister_device``).

Everything except sessions is kept in ``self.state`` and persisted after each change.

Inferred behaviour
------------------
The SDK says nothing about these server-side details. Each entry says what the simulator does and the evidence
(paths in the cterasdk 2.20.50 wheel unless another source is named), or that it is unknown. Where an answer is
unknown and more than one is plausible, ``POST /_sim/portal`` with a JSON object ``{mode: answer}`` switches
between them (``SIM_MODES``; the first answer of each mode is the default, and ``/_sim/reset`` restores the
defaults), so the collection is tested against each.

* Error bodies are ``<obj><att id="msg"><val>text</val></att></obj>`` (the SDK exposes ``msg`` as ``reason``).
  Statuses: 400 for invalid input (bad role, bad e-mail, empty name, missing password, bad date, malformed XML,
  unknown method), 404 when the addressed object does not exist (PUT, delete, tasks, devices, unknown tenant on
  browse), 409 when a name is already taken (user, group, tenant), 403 when the session's role may not do it.
  Unknown beyond ``msg`` (clients/errors.py reads only that).
* **Missing object, full GET** (``GET /users/{name}``, ``/localGroups/{name}``, ``/plans/{name}``): unknown. The
  SDK never relies on it: its ``_get_entire_object`` wraps any error (core/users.py, groups.py, plans.py), and
  spec section 7.2 says "whatever status". Mode ``missing_get``: ``not_found`` (404, default), ``bad_request``
  (400), ``server_error`` (500) or ``empty`` (200 with no body).
* **Missing object, get-multi**: 200 with every requested attribute null, so ``name`` is null, which the SDK turns
  into ``ObjectNotFoundException`` (core/users.py ``get``, groups.py, plans.py, portals.py; the SDK's unit tests
  ``tests/ut/core/admin/test_users.py::test_get_user_not_found``, ``test_plans.py::test_get_plan_not_found`` in
  the ctera-python-sdk repository mock exactly that). Mode ``missing_get_multi``: ``null_name`` (default, the
  evidence) or ``not_found`` (404, which the SDK would surface as ``NotFound``), for users, groups, tenants,
  devices and plans.
* A global administrator who is not browsing a tenant and calls a tenant-scoped collection (``users``,
  ``localGroups``, ``domains``, ``getApiKeys``...) gets **400** with msg
  ``"This operation is available only in a tenant context. Browse a tenant first."``. Unknown.
* **Roles**: ``Disabled``, ``EndUser``, ``ReadWriteAdmin``, ``ReadOnlyAdmin``, ``Support`` and the compliance
  officer, whose name on the wire is unknown. The SDK sends ``Role.ComplianceOfficer`` = ``"ComplianceOffer"``
  (core/enum.py) and matches the role ``currentSession`` answers against the same value (enum.py
  ``Administrators``, lib/session/core.py), weak evidence that the portal spells it so; but its role-settings key
  is ``complianceOfficerSettings`` (enum.py ``RoleResolver``). Mode ``compliance_role``: ``ComplianceOffer``
  (default: sent and answered so, ``ComplianceOfficer`` refused with 400 like any unknown role) or
  ``ComplianceOfficer`` (answered so, ``ComplianceOffer`` also taken). The state keeps the role as
  ``ComplianceOfficer`` in both. (A portal that answers ``ComplianceOfficer`` and refuses ``ComplianceOffer`` would
  refuse the SDK too; it is not offered.)
* **A user's reference** ``baseObjectRef`` is ``objs/{uid}/{tenant}/PortalUser/{name}`` (the fields of
  common/utils.py ``parse_base_object_ref``), answered by get-multi and in listings (``include`` of
  ``baseObjectRef`` in a query, as core/plans.py ``by_name`` asks for it); the SDK reads member references only
  that way (core/groups.py ``_members_reference``). Whether a full GET of a user carries it is unknown. Mode
  ``user_get_ref``: ``included`` (default) or ``omitted``. Group calls take a user reference only as issued here
  (its uid and tenant must match).
* **The answer to a user's** ``add``: unknown (the SDK returns it unread, core/users.py). Mode ``user_add_answer``:
  ``reference`` (default: ``<val>objs/{uid}/{tenant}/PortalUser/{name}</val>``, as spec section 3.4 suggests) or
  ``none`` (no body).
* **Plans**: every tenant has a plan: cterasdk's cli/export.py maps ``portal.plan`` of every tenant, deleted ones
  included, through ``parse_base_object_ref(...).uid`` to the plans it listed, with no guard for a tenant without
  one. So tenants refer to a plan by its ``baseObjectRef``; a new tenant without a ``plan`` gets the ``Default``
  plan (the plan name the SDK's own unit tests use, ``tests/ut/core/admin/test_plans.py``), ``portals.add`` sends a
  plan reference (core/portals.py) and ``subscribe`` a plan name (404 for an unknown plan). A plan's reference is
  ``objs/{uid}//Plan/{name}``: the empty tenant segment is unknown (the SDK reads only the uid). Plans are read by
  global administrators only, also while browsing a tenant (403 for Services Portal sessions: unknown). The plan's
  attributes are those core/plans.py and cli/export.py read (``services``, ``retentionPolicy``, the ``amount`` of
  each item, ``storage`` in bytes); the values of the Default plan, and of whatever a plan's add or modify leaves
  out, are invented. Plan add, modify and delete: see "Tenancy and cloud folders".
* Services Portal login is open to every tenant user whose role is not ``Disabled``; user, group and key
  administration of the tenant needs an administrator role. ``ReadWriteAdmin`` may write; ``ReadOnlyAdmin``,
  ``Support`` and ``ComplianceOfficer`` sessions may read but every write answers 403 (msg
  ``"Permission denied"``); ``EndUser`` sessions may only read ``currentSession`` and their own user object, and manage their own S3 keys.
  Global administrators have role ``ReadWriteAdmin`` and may do everything.
* A user's ``requirePasswordChangeOn`` does not block API logins (the real portal forces a change in the web UI).
  No password complexity policy is enforced, only a non-empty password on add.
* User and group names are case-sensitive and must not contain ``/``, ``\\``, ``?``, ``#`` or control characters.
  Unknown.
* ``getMembers`` returns the members' ``baseObjectRef`` strings (``<val>``), which is what the SDK's
  ``add_members``/``remove_members`` compare with the refs they compute (they put both in a ``set``).
* ``createApiKey`` returns an ``ApiKey`` object with ``uid``, ``accessKey``, ``secretKey`` (only in that answer),
  ``userUid``, ``creationDate``, ``expirationDate`` (null), ``lastUsed`` (null); ``getApiKeys`` lists the same
  objects with ``secretKey`` null. The secret is kept in state because the portal needs it for Direct IO.
* ``GET /admin/api/servers/MainDB/bgTasks/N`` works only outside a tenant; while browsing a tenant it answers 400
  (the SDK switches to ``getTaskStatus`` there, which suggests the global ``servers`` tree is not reachable from a
  tenant context). ``getTaskStatus`` outside a tenant answers 400 with the tenant-context message.
* An ``EndUser`` may read (GET, get-multi) their own ``/users/{name}`` object, which the SDK needs to resolve the
  uid for self-service S3 keys.
* ``/_sim/reset`` keeps the admin password and the registered devices (they stand for running Edge Filer
  simulators); every other object is dropped and the seeded tenants come back.
* ``/devices`` queried by a global administrator outside a tenant lists the devices of every tenant; inside a
  tenant (browsing, or Services Portal) only that tenant's, unless ``allPortals`` is true (global admin only).
* ``portals.add`` returns ``<val>/portals/{name}</val>`` ("a relative url path to the Team Portal").
  ``delete`` on ``/teamPortals/{name}`` moves the tenant to the trash can (hidden from lists, browse fails);
  ``moveFromTrashcan`` brings it back.
* Errors injected through ``/_sim/faults`` without a ``body`` answer the CTERA error object with the HTTP reason
  phrase as ``msg`` (e.g. 503 -> ``Service Unavailable``).
* Sessions live in memory only: a restart of the simulator logs everybody out (as a portal restart does).
* Passwords are stored as salted SHA-256 hashes; ``password`` is always null when read.
* Activation codes (``ssoActivation``): an ``ActivationCodeInfo`` object with ``code`` (the SDK reads only that),
  ``XXXX-XXXX-XXXX-XXXX`` hex text, valid for the user and tenant it was issued for until a restart of the state;
  the format, lifetime and whether a code is single-use are unknown (a code can be used again here). An
  ``EndUser`` may not issue one (403). A filer that connects by IP address (the simulator's URL) joins the one
  tenant where the user has that password; a user with the same password in several tenants is refused.

Tenancy and cloud folders (``simulators/portal_tenancy.py``)
------------------------------------------------------------
Calls as cterasdk 2.20.50 makes them; checked by tests/conformance/test_portal_tenancy_sdk.py. Inferred:

* **Plans**: ``GET /defaults/Plan`` answers a Plan with null name and the default content (plans.add starts from
  it); ``add`` on ``/plans`` answers the plan's reference (unknown: the SDK returns it unread), 409 for a taken
  name; ``PUT /plans/{name}`` takes the whole object (plans.modify); ``DELETE /plans/{name}``. A service state
  must be ``OK``, ``Disabled`` or ``Lite`` (core/enum.py ``PlanServiceState``), amounts non-negative (400
  otherwise). Deleting a plan that a tenant (also a trashed one) subscribes to is refused with 400: unknown, but
  every tenant must refer to a plan (see Plans above).
* **Tenant changes**: the SDK has no call to change a tenant's display name, billing id, company or comment. The
  simulator takes ``PUT /portals/{name}`` (or ``/teamPortals/{name}``) with the whole TeamPortal object, as the SDK
  modifies plans, folder groups and buckets (GET the object, PUT it back); the name cannot change (400) and the
  plan changes only through ``subscribe``. Unknown whether a real portal takes it, and how it answers. Mode
  ``tenant_put``: ``empty`` (default: applied, no body, as the SDK's other whole-object PUTs are answered),
  ``object`` (applied, answers the whole TeamPortal object as changed), ``whole_object`` (applied only when every
  attribute the GET answers is sent, else 400 naming the missing ones: a replace, not a merge), ``ignored`` (200
  with no body, nothing changes: a server that drops what it does not take) or ``not_allowed`` (405: no such
  request). ctera_tenant works in the first three and fails in the last two (it reads the tenant back after the
  change and names what the portal did not apply); tests/integration/test_portal_tenancy.py runs each.
* **Folder groups** (``/foldersGroups``): ``createFolderGroup`` on ``/{ctx}/api`` with name, owner reference (or
  null) and deduplication method, answering the group's reference ``objs/{uid}/{tenant}/FolderGroup/{name}``
  (unknown, unread by the SDK); ``query`` (``ownedBy`` a user uid), get-multi, GET, ``PUT`` of the whole object
  (rename, owner), ``deleteGroup``. Deleting a group that still holds cloud folders (also deleted ones) answers
  400: unknown.
* **Cloud drive folders** (``/cloudDrives``): ``addCloudDrive`` answers ``/{ctx}/webdav/Users/{owner's display
  name}/{folder}`` (the SDK keeps what follows ``/Users`` with a regular expression, so the answer holds that path;
  the rest is unknown). A folder's reference is ``objs/{uid}/{tenant}/CloudDrive/{name}``; ``GET``/``PUT`` on it
  read and replace the whole object (drives.modify), ``POST /objs/{uid}`` ``delete`` moves it to the recycle bin
  (``isDeleted``), ``deleteFolderPermanently`` removes it (and from zones). ``query`` lists live folders, with
  ``includeDeleted`` the deleted ones too; a ``RefFilter`` on ``owner`` compares the owner's user name (drives.find
  sends the name). A user's ``displayName`` is "first last" (the user name when both are empty): drives.recover
  sends ``restoreResources`` for ``Users/{displayName}/{folder}``, which brings a deleted folder back and answers a
  background task. The folder name is unique per owner, a deleted folder included (409). ``folderQuota`` is whole
  GB or null (no quota); 0 or less is refused (400). Owner and folder group are required (400).
* **Zones**: ``addZone``, ``saveZone`` (``basicInfo`` and a ``delta``: devices by uid, folders by owner uid and
  folder uid, ``added``/``removed``), ``deleteZones`` (a list of ids, answers ``ok``), ``getZonesDisplayInfo``
  (query), ``getZoneBasicInfo`` (id), ``getZoneFolders`` and ``getZoneDevices`` (``ZoneQuery`` paging). Add and
  save answer ``{rc, msg}``; ``rc`` is ``OK`` or, for a taken (case-insensitive) or invalid name,
  ``ZoneNameAlreadyExists``/``InvalidName`` with HTTP 200 (zones.py only tests ``rc``; the other values are
  unknown). Zone ids come from the uid counter. Folder rows carry ``uid``, ``name``, ``owner`` (reference),
  ``ownerName``, ``group``; device rows ``uid``, ``name``, ``deviceType`` (unknown: the SDK only lists them).
* **What a filer sees** (``cloud_folders_for_device``, ``cloud_folder_paths_for_device``): the live folders of the
  zones that hold the device, or, when no zone holds it, the folders owned by the user it connected as; a filer
  connected to this portal shows them on its ``cloud`` volume as ``users/{owner's display name}/{folder}``
  (tests/simulators/edge.py, "Cloud volume"). Unknown: a real portal's rule when zones are off for the tenant.

Cloud folder content and Direct IO (``simulators/portal_files.py``, ``simulators/objectstore.py``)
-------------------------------------------------------------------------------------------------
Calls as cterasdk 2.20.50 makes them (spec sections 6.1, 6.2); checked by tests/conformance/test_portal_files_sdk.py.
File content is kept as blocks on disk (``<state dir>/portal-blocks``), written while the upload streams in and read
block by block for downloads; no file is held whole in memory. ``POST /_sim/files`` sets the block size
(default 4 MiB), the compression (``snappy`` default, ``gzip``, ``snappy-java``, ``none``), encryption (default on)
and direct mode (default on), globally or per cloud folder uid. Inferred:

* **Namespace**: a tenant user's ``/ServicesPortal/webdav/`` lists that user's cloud folders (scope ``Personal``,
  permission ``ReadWrite``), their content has scope ``InsideCloudFolder``. ``Users/{display name}/{folder}/..``
  (the name a folder's ``cloudFolderInfo.ownerFriendlyName`` and ``addCloudDrive`` show; the user name is taken
  too) is open to global administrators browsing the tenant (``/admin/webdav``, only ``Users`` there) and to
  tenant administrators. The server does not check the role's ``canAccessEndUserFolders``: the SDK checks it
  client-side (cio/core/commands.py ``ensure_user_access``); unknown whether a portal also refuses.
* ``fetchResources``: ``root`` null for a missing path (and ``errorType`` ``DestinationNotExists`` when depth is
  not 0); children sorted by name, paged by ``start``/``limit`` with ``hasMore``; ``lastmodified`` is the upload
  time (the upload carries no modification time); ``permalink`` an invented URL.
* ``makeCollection`` answers nothing on success, else ``FileWithTheSameNameExist`` (also for an existing cloud
  folder or ``Users`` entry: SDK makedirs creates every parent and ignores only that answer), ``DestinationNotExists``,
  ``InvalidName`` (empty, ``.``, ``..``, ``\\ / : ? & < > " |``), ``PermissionDenied`` (at the root).
* ``deleteResources`` removes at once (a directory with everything below it) and frees the blocks; no recycle bin
  for files (unknown). ``moveResources`` takes full destination paths within one cloud folder. Both answer a task
  (``getTaskStatus``), ``failed`` with ``errorType`` and ``cursor`` when a source is missing or a destination is
  taken (``Conflict``).
* **Upload** (``POST /{ctx}/upload/folders/{uid}``, multipart, streamed): the target is ``fullpath``'s path; the
  file exists only once the whole body arrived and its size equals ``fileSize``: a body cut short stores nothing
  (the blocks written so far are removed; the ``drop`` fault with ``after_bytes`` cuts the connection that far
  into the body), a size mismatch answers ``rc`` 1. An upload to an existing path
  replaces the file (new file id). Answer ``{rc: 0, msg: OK}`` or ``rc`` 1 with a message.
* **WebDAV GET** streams the plain bytes (``ETag``: SHA-256 of the content, invented); 404 for a missing file or
  a directory.
* **Direct IO** ``GET /directio/{file_id}``: bearer = an access key id of a user of the file's tenant who owns the
  folder or has an administrator role; unknown key 401, unknown or foreign file 400 (``ObjectNotFoundError``), a
  folder not in direct mode 422. JSON: ``file_id``, ``encrypt_info`` (``wrapped_key`` under that key's secret as
  spec 6.1 step 2 says), ``compression_type``, ``chunks`` (``url``, ``len`` = plain length). Blocks: compressed,
  then byte 0 = 1, IV, AES-256-CBC/PKCS#7; snappy-java framing uses 32 KiB pieces. Block URLs are pre-signed for
  900 s on the object-storage listener (``object_store_url`` in the ready line), which answers ``ETag`` = MD5 of
  the stored bytes and shares the Portal's lock and fault plan. An empty file has no chunks (the SDK then raises
  ``BlocksNotFoundError``).
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import http
import re
import secrets
import time

from simulators import _xml
from simulators._base import Response, RouteTable, Service, random_secret
from simulators.portal_files import FilesMixin
from simulators.portal_tenancy import TenancyMixin

VERSION = "8.3.1234.5"
LOGIN_PAGE = "/ServicesPortal/login.html"
CONTEXTS = ("admin", "ServicesPortal")
# Roles as the state keeps them; the compliance officer's spelling on the wire is the "compliance_role" mode.
ROLES = ("Disabled", "EndUser", "ReadWriteAdmin", "ReadOnlyAdmin", "Support", "ComplianceOfficer")
ADMIN_ROLES = ("ReadWriteAdmin", "ReadOnlyAdmin", "Support", "ComplianceOfficer")
READ_ONLY_ROLES = ("ReadOnlyAdmin", "Support", "ComplianceOfficer")
ROLE_SETTINGS = {
    "readWriteAdminSettings": ("ReadWriteAdmin", True),
    "readOnlyAdminSettings": ("ReadOnlyAdmin", False),
    "supportAdminSettings": ("Support", False),
    "complianceOfficerSettings": ("ComplianceOfficer", False),
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BAD_NAME_RE = re.compile(r"[/\\?#\x00-\x1f]")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TENANT_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
NO_TENANT_MSG = "This operation is available only in a tenant context. Browse a tenant first."
GATEWAY_TYPES = ("CloudPlug", "C200", "C400", "C800", "C800P", "vGateway")
DEFAULT_PLAN = "Default"
PLAN_ITEMS = ("vGateways", "vGateways4", "vGateways8", "appliances", "vGateways32", "vGateways64", "vGateways128",
              "vGateways256", "workstationAgents", "serverAgents", "cloudDrives", "cloudDrivesLite", "archiveStorage")
PLAN_SERVICES = ("Cloud folders", "Cloud Backup", "Seeding", "Remote Access")
# Answers no vendor source pins down, switched with POST /_sim/portal (see "Inferred behaviour"); the first of
# each is the default.
SIM_MODES = {
    "missing_get": ("not_found", "bad_request", "server_error", "empty"),
    "missing_get_multi": ("null_name", "not_found"),
    "compliance_role": ("ComplianceOffer", "ComplianceOfficer"),
    "user_get_ref": ("included", "omitted"),
    "user_add_answer": ("reference", "none"),
    "tenant_put": ("empty", "object", "whole_object", "ignored", "not_allowed"),
}
MISSING_GET_STATUS = {"not_found": 404, "bad_request": 400, "server_error": 500}


# ---------------------------------------------------------------------------------------------------------------
# XML codec (spec section 1.3). Decoded values: str for <val>, list for <list>, dict for <obj> (class and uuid
# under the keys "@class" and "@uuid"), None for an empty <att/>. Scalars stay strings: the server converts the
# few numeric/boolean fields it needs, so a user called "007" stays "007".
# ---------------------------------------------------------------------------------------------------------------

def fromxml(body):
    """Parse a request body; an empty body is ``None`` (objects carry ``@class``/``@uuid``)."""
    return _xml.parse(body, "@class", "@uuid")


def toxml(value):
    """Encode a Python value as CTERA XML (no declaration, no whitespace)."""
    return _xml.build(value, "@class", "@uuid")


def as_bool(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def as_int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def now_iso():
    return datetime.datetime.now().replace(microsecond=0).isoformat()


class ApiError(Exception):
    def __init__(self, status, msg):
        Exception.__init__(self, msg)
        self.status = status
        self.msg = msg


def xml_response(value, status=200, headers=None):
    return Response(status, toxml(value), "text/xml;charset=UTF-8", headers)


def error_response(status, msg):
    return xml_response({"msg": msg}, status)


def _hash_password(password, salt=None):
    salt = salt or secrets.token_hex(8)
    return "%s$%s" % (salt, hashlib.sha256((salt + password).encode("utf-8")).hexdigest())


def _check_password(password, stored):
    if not stored or "$" not in stored:
        return False
    salt = stored.split("$", 1)[0]
    return secrets.compare_digest(_hash_password(password, salt).encode("utf-8"), stored.encode("utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Query evaluation (spec section 3.5)
# ---------------------------------------------------------------------------------------------------------------

def _filter_value(flt):
    cls = flt.get("@class", "StringFilter")
    raw = flt.get("value")
    if cls in ("IntFilter", "IntRefFilter"):
        return as_int(raw)
    if cls in ("BooleanFilter", "BooleanRefFilter"):
        return as_bool(raw)
    return "" if raw is None else str(raw)


def _comparable(field_value, wanted):
    if isinstance(wanted, bool):
        return (as_bool(field_value) if field_value is not None else None), wanted
    if isinstance(wanted, int):
        return as_int(field_value), wanted
    return (None if field_value is None else str(field_value)), wanted


def _lookup(obj, field):
    value = obj
    for part in str(field).split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def filter_matches(obj, flt):
    field = flt.get("field")
    restriction = flt.get("restriction") or "eq"
    have, wanted = _comparable(_lookup(obj, field), _filter_value(flt))
    if restriction == "like":
        return have is not None and str(wanted).lower() in str(have).lower()
    if restriction == "notLike":
        return have is None or str(wanted).lower() not in str(have).lower()
    if restriction == "eq":
        return have == wanted
    if restriction == "ne":
        return have != wanted
    if have is None or wanted is None:
        return False
    try:
        if restriction == "ge":
            return have >= wanted
        if restriction == "gt":
            return have > wanted
        if restriction == "le":
            return have <= wanted
        if restriction == "lt":
            return have < wanted
    except TypeError:
        return False
    raise ApiError(400, "Unknown filter restriction: %s" % restriction)


def project(obj, include):
    """Keep only the included attributes (query ``include`` names carry no leading slash)."""
    if not include:
        return obj
    out = {"@class": obj.get("@class")} if obj.get("@class") else {}
    for name in include:
        out[name] = _lookup(obj, name)
    return out


def run_query(objects, param):
    """Apply filters/orFilter, include and paging to full objects; return the QueryResult object."""
    param = param if isinstance(param, dict) else {}
    filters = param.get("filters") or []
    if not isinstance(filters, list):
        raise ApiError(400, "filters must be a list")
    if filters:
        if as_bool(param.get("orFilter") or False):
            objects = [o for o in objects if any(filter_matches(o, f) for f in filters)]
        else:
            objects = [o for o in objects if all(filter_matches(o, f) for f in filters)]
    start = max(0, as_int(param.get("startFrom"), 0) or 0)
    limit = as_int(param.get("countLimit"), 50)
    if limit is None or limit <= 0:
        limit = 50
    page = objects[start:start + limit]
    include = param.get("include") or []
    return {"@class": "QueryResult", "objects": [project(o, include) for o in page],
            "hasMore": start + limit < len(objects)}


def get_multi(obj, paths):
    """Answer of ``db get-multi``: the requested attribute paths (``/a`` or ``/a/b``), null when absent."""
    out = {"@class": obj.get("@class")} if obj and obj.get("@class") else {}
    for path in paths or []:
        name = str(path).strip("/")
        out[name.rsplit("/", 1)[-1] if name else name] = _lookup(obj or {}, name.replace("/", "."))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Routing helpers
# ---------------------------------------------------------------------------------------------------------------

def _segments(path):
    """The non-empty segments of a path (the portal does not count empty ones)."""
    return [segment for segment in (path or "").split("/") if segment]


def _read(obj, path):
    """GET of an object, or of the attribute that the rest of the path names (``/a/b`` -> ``a.b``)."""
    names = _segments(path)
    return xml_response(_lookup(obj, ".".join(names)) if names else obj)


def _login_redirect():
    """What a call without a valid session gets: the SDK turns it into ``SessionExpired``."""
    return Response(302, b"", None, [("Location", LOGIN_PAGE)])


def _not_allowed(*_args):
    raise ApiError(405, "Method not allowed")


def _no_method(*_args):
    """Another HTTP method than GET or POST on a collection that takes method calls: no method name to run (400)."""
    raise ApiError(400, "Unknown method ")


def _no_domain(_request, _session, _tenant, path=None):
    """No domain (directory service) is simulated: ``/domains/{name}`` always answers 404."""
    names = _segments(path)
    raise ApiError(404, "Domain %s does not exist" % (names[0] if names else ""))


# ---------------------------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------------------------

class PortalService(FilesMixin, TenancyMixin, Service):
    """CTERA Portal simulator (see module docstring)."""

    kind = "portal"

    def __init__(self, state_path, session_timeout=1800.0, name=None):
        self.session_timeout = float(session_timeout)
        self.sessions = {}
        self._kept_devices = []
        Service.__init__(self, state_path, name=name)
        self._context_routes, self._api_routes = self._build_routes()

    # -- framework hooks -----------------------------------------------------------------------------------------
    def initial_state(self):
        state = {
            "admin_password": random_secret(),
            "next_uid": 1000,
            "next_task": 1,
            "next_key": 1,
            "tenants": {},
            "tasks": {},
            "api_keys": {},
            "plans": {},
            "sim": dict((key, modes[0]) for key, modes in SIM_MODES.items()),
        }
        self._new_plan(state, DEFAULT_PLAN)
        for tenant in ("acme", "globex"):
            self._new_tenant(state, {"name": tenant, "displayName": tenant.capitalize(),
                                     "companyName": tenant.capitalize() + " Inc."})
        return state

    def on_load(self):
        self.sessions = {}
        # State written by an older simulator: no modes, no plans, tenants without a plan.
        for key, modes in SIM_MODES.items():
            self.state.setdefault("sim", {}).setdefault(key, modes[0])
        if not self.state.setdefault("plans", {}):
            self._new_plan(self.state, DEFAULT_PLAN)
        for record in self.state["tenants"].values():
            if record.get("plan") not in self.state["plans"]:
                record["plan"] = DEFAULT_PLAN

    def _sim_endpoint(self, request):
        """``POST /_sim/portal`` JSON ``{mode: answer}`` (every key optional; see ``SIM_MODES``) chooses the answers
        of the inferred behaviour; the JSON answer holds every mode. A ``/_sim/reset`` restores the defaults. Other
        ``/_sim/*`` as in the base."""
        if request.path == "/_sim/files" and request.method == "POST":
            with self.lock:
                return self.files_sim_endpoint(request)
        if request.path != "/_sim/portal":
            return Service._sim_endpoint(self, request)
        if request.method != "POST":
            return Response.json({"error": "POST a JSON object"}, status=405)
        plan = request.json() or {}
        if not isinstance(plan, dict) or any(plan[key] not in SIM_MODES.get(key, ()) for key in plan):
            return Response.json({"error": "modes: a JSON object of %s" % SIM_MODES}, status=400)
        with self.lock:
            self.state["sim"].update(plan)
            self.save()
            return Response.json({"sim": dict(self.state["sim"])})

    def reset(self):
        # Registered devices stand for running Edge Filer simulators, which a reset does not remove.
        with self.lock:
            self._kept_devices = [
                (tenant, dict(device)) for tenant, record in self.state["tenants"].items()
                for device in record.get("devices", {}).values()
            ]
            Service.reset(self)

    def after_reset(self):
        self.sessions = {}
        for tenant, device in getattr(self, "_kept_devices", []):
            record = self._tenant_record(tenant, include_deleted=True)
            if record is not None:
                record.setdefault("devices", {})[device["name"]] = device
        self._kept_devices = []

    def credentials(self):
        return {"username": "admin", "password": self.state["admin_password"]}

    def fault_response(self, status, body, headers):
        """Injected errors carry a CTERA error object unless the fault plan gives its own body."""
        if body:
            return Response(status, body, headers=headers)
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        return Response(status, toxml({"msg": reason}), "text/xml;charset=UTF-8", headers)

    def credentials_state(self):
        return {"admin_password": self.state["admin_password"]}

    def active_sessions(self):
        with self.lock:
            self._purge_sessions()
            return len(self.sessions)

    def expire_sessions(self):
        with self.lock:
            self.sessions = {}

    def register_device(self, name, tenant, url, model="vGateway", connected=True, version="7.11.1000.1"):
        """Register (or update) an Edge Filer of ``tenant`` reachable at ``url``."""
        with self.lock:
            record = self._tenant_record(tenant)
            if record is None:
                raise ValueError("unknown tenant: %s" % tenant)
            devices = record.setdefault("devices", {})
            device = devices.get(name)
            if device is None:
                device = {"uid": self._uid(), "name": name, "createDate": now_iso(), "comment": None}
                devices[name] = device
            device.update({"url": url, "deviceType": model, "connected": bool(connected), "version": version,
                           "updateTime": now_iso()})
            self.save()
            return dict(device)

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _uid(self, state=None):
        state = state if state is not None else self.state
        state["next_uid"] += 1
        return state["next_uid"]

    def _new_plan(self, state, name):
        """A subscription plan (only the Default plan is simulated: what every tenant starts with)."""
        now = now_iso()
        state["plans"][name] = {"uid": self._uid(state), "name": name, "createDate": now, "modifiedDate": now}

    def _new_tenant(self, state, param):
        uid = self._uid(state)
        name = param["name"]
        state["tenants"][name] = {
            "uid": uid, "name": name, "displayName": param.get("displayName") or None,
            "companyName": param.get("companyName") or None, "externalPortalId": param.get("externalPortalId") or None,
            "comment": param.get("comment") or None, "plan": param.get("plan") or DEFAULT_PLAN, "createDate": now_iso(),
            "deleted": False, "users": {}, "groups": {}, "devices": {},
        }
        return state["tenants"][name]

    def _tenant_record(self, name, include_deleted=False):
        record = self.state["tenants"].get(name) if name else None
        if record is None or (record.get("deleted") and not include_deleted):
            return None
        return record

    def _portal_obj(self, record):
        return {
            "@class": "TeamPortal", "name": record["name"], "uid": record["uid"],
            "baseObjectRef": "objs/%d/%s/TeamPortal/%s" % (record["uid"], record["name"], record["name"]),
            "displayName": record.get("displayName"), "companyName": record.get("companyName"),
            "externalPortalId": record.get("externalPortalId"), "comment": record.get("comment"),
            "plan": self._plan_ref(self.state["plans"][record["plan"]]), "createDate": record.get("createDate"),
            "isDeleted": bool(record.get("deleted")), "activationStatus": "Enabled",
        }

    @staticmethod
    def _plan_ref(plan):
        return "objs/%d//Plan/%s" % (plan["uid"], plan["name"])

    def _plan_obj(self, plan):
        """A plan with the attributes cterasdk's plans.py and cli/export.py read: what was added or modified, the
        invented defaults for the rest (portal_tenancy.py keeps ``services``, ``retention`` and ``items``)."""
        services, items = plan.get("services") or {}, plan.get("items") or {}
        retention = dict({"retainAll": 24, "hourly": 24, "daily": 7, "weekly": 4, "monthly": 12, "quarterly": 0,
                          "yearly": 0, "retainDeleted": 30}, **(plan.get("retention") or {}))
        obj = {"@class": "Plan", "name": plan["name"], "uid": plan["uid"], "baseObjectRef": self._plan_ref(plan),
               "createDate": plan["createDate"], "modifiedDate": plan["modifiedDate"],
               "services": [{"@class": "PlanService", "serviceName": service, "serviceState": services.get(service, "OK")}
                            for service in PLAN_SERVICES],
               "retentionPolicy": dict(retention, **{"@class": "RetentionPolicy"}),
               "storage": {"@class": "PlanItem", "amount": items.get("storage", 1 << 40)}}
        obj.update((item, {"@class": "PlanItem", "amount": items.get(item, 0)}) for item in PLAN_ITEMS)
        return obj

    def _plan_of_ref(self, ref):
        """The name of the plan a reference (as cterasdk's portals.add sends it) names; 404 if none."""
        for plan in self.state["plans"].values():
            if ref == self._plan_ref(plan):
                return plan["name"]
        raise ApiError(404, "Plan %s does not exist" % ref)

    def _wire_role(self, role):
        """A stored role as the portal answers it (the compliance officer's spelling is a mode)."""
        return self.state["sim"]["compliance_role"] if role == "ComplianceOfficer" else role

    def _stored_role(self, role):
        """The role a request names, as the state keeps it; None when the portal would refuse that name. Answering
        ``ComplianceOffer``, the portal knows no other name; answering ``ComplianceOfficer``, it also takes
        cterasdk's ``ComplianceOffer``."""
        spelling = self.state["sim"]["compliance_role"]
        if role in (spelling, "ComplianceOffer"):
            return "ComplianceOfficer"
        return role if role in ROLES and role != "ComplianceOfficer" else None

    def _missing_get(self, what):
        """A full GET of a missing user, group or plan, as the "missing_get" mode answers it."""
        mode = self.state["sim"]["missing_get"]
        if mode == "empty":
            return xml_response(None)
        raise ApiError(MISSING_GET_STATUS[mode], "%s does not exist" % what)

    def _get_multi(self, obj, param, what):
        """get-multi of ``obj``; of a missing object (None) as the "missing_get_multi" mode answers it."""
        if obj is None and self.state["sim"]["missing_get_multi"] == "not_found":
            raise ApiError(404, "%s does not exist" % what)
        return xml_response(get_multi(obj, param))

    @staticmethod
    def _user_ref(tenant, user):
        return "objs/%d/%s/PortalUser/%s" % (user["uid"], tenant, user["name"])

    @staticmethod
    def _group_ref(tenant, group):
        return "objs/%d/%s/PortalGroup/%s" % (group["uid"], tenant, group["name"])

    def _user_obj(self, tenant, user):
        return {
            "@class": "PortalUser", "name": user["name"], "uid": user["uid"],
            "baseObjectRef": self._user_ref(tenant, user), "email": user.get("email"),
            "firstName": user.get("firstName"), "lastName": user.get("lastName"), "password": None,
            "role": self._wire_role(user.get("role")), "company": user.get("company"), "comment": user.get("comment"),
            "requirePasswordChangeOn": user.get("requirePasswordChangeOn"), "createDate": user.get("createDate"),
            "lastLogin": user.get("lastLogin"),
            "displayName": self._display_name(user),
        }

    def _group_obj(self, tenant, group):
        return {
            "@class": "PortalGroup", "name": group["name"], "uid": group["uid"],
            "baseObjectRef": self._group_ref(tenant, group), "description": group.get("description"),
            "createDate": group.get("createDate"),
        }

    def _device_obj(self, tenant, device):
        record = self.state["tenants"][tenant]
        status = "Connected" if device.get("connected") else "Disconnected"
        return {
            "@class": "Device", "name": device["name"], "uid": device["uid"],
            "portal": self._portal_obj(record)["baseObjectRef"], "deviceType": device.get("deviceType"),
            "version": device.get("version"), "remoteAccessUrl": device.get("url"), "hostname": device["name"],
            "comment": device.get("comment"), "createDate": device.get("createDate"), "owner": None,
            "deviceConnectionStatus": {"@class": "DeviceConnectionStatus", "connected": bool(device.get("connected")),
                                       "updateTime": device.get("updateTime")},
            "deviceReportedStatus": {"@class": "DeviceReportedStatus", "status": {"device": {
                "deviceReportedStatus": status, "platform": device.get("deviceType"),
                "installedFirmware": {"version": device.get("version")}}}},
        }

    def _purge_sessions(self):
        limit = time.time() - self.session_timeout
        for sid in [sid for sid, s in self.sessions.items() if s["last_seen"] < limit]:
            del self.sessions[sid]

    def _session(self, request, ctx):
        self._purge_sessions()
        sid = request.cookies.get("JSESSIONID")
        session = self.sessions.get(sid) if sid else None
        if session is None or session["ctx"] != ctx:
            return None
        session["last_seen"] = time.time()
        return session

    def _host_tenant(self, request):
        host = (request.header("Host") or "").strip()
        if host.startswith("["):
            label = ""
        else:
            label = host.split(":", 1)[0].split(".", 1)[0].lower()
        if self._tenant_record(label):
            return label
        live = [r for r in self.state["tenants"].values() if not r.get("deleted")]
        live.sort(key=lambda r: r["uid"])
        return live[0]["name"] if live else None

    def _tenant_of(self, session):
        """Tenant the session operates on, or None (global admin not browsing)."""
        tenant = session.get("tenant")
        if tenant and self._tenant_record(tenant) is None:
            return None
        return tenant

    def _require_tenant(self, session):
        tenant = self._tenant_of(session)
        if tenant is None:
            raise ApiError(400, NO_TENANT_MSG)
        if session["kind"] == "tenant" and session["role"] not in ADMIN_ROLES:
            raise ApiError(403, "Permission denied")
        return tenant

    @staticmethod
    def _require_write(session):
        if session["kind"] == "tenant" and session["role"] in READ_ONLY_ROLES:
            raise ApiError(403, "Permission denied")

    @staticmethod
    def _require_global(session):
        if session["kind"] != "global":
            raise ApiError(403, "Permission denied")

    def _new_task(self, name, tenant):
        task_id = self.state["next_task"]
        self.state["next_task"] += 1
        portal_uid = self.state["tenants"][tenant]["uid"] if tenant and tenant in self.state["tenants"] else 0
        self.state["tasks"][str(task_id)] = {"id": task_id, "name": name, "startTime": now_iso(), "reads": 0,
                                             "portalUid": portal_uid, "tenant": tenant}
        self.save()
        return "servers/MainDB/bgTasks/%d" % task_id

    def _task_obj(self, ref):
        match = re.search(r"servers/([^/]+)/bgTasks/(\d+)$", str(ref or ""))
        task = self.state["tasks"].get(match.group(2)) if match and match.group(1) == "MainDB" else None
        if task is None:
            raise ApiError(404, "Task %s does not exist" % ref)
        task["reads"] += 1
        if task["reads"] >= 2 and not task.get("endTime"):
            task["endTime"] = now_iso()
        self.save()
        done = bool(task.get("endTime"))
        start = datetime.datetime.fromisoformat(task["startTime"])
        end = datetime.datetime.fromisoformat(task["endTime"]) if done else datetime.datetime.now()
        return {
            "@class": "BgTaskStatus", "id": task["id"], "name": task["name"], "startTime": task["startTime"],
            "endTime": task.get("endTime"), "elapsedTime": max(0, int((end - start).total_seconds())),
            "status": ("failed" if task.get("errorType") else "completed") if done else "running",
            "percentage": 100 if done else 50, "result": None, "progstring": "Completed" if done else "Running",
            "portalUid": task["portalUid"], "errorType": task.get("errorType"), "cursor": task.get("cursor"),
        }

    # -- routing ---------------------------------------------------------------------------------------------------
    def _build_routes(self):
        """The route tables: paths after ``/{ctx}`` that handle the session themselves (handlers take the request and
        the context), then paths below ``/{ctx}/api`` (handlers take the request, the session and the groups).

        The fixed resources (``/currentSession``...) must be spelled exactly; every other path is compared segment by
        segment, so a run of slashes is one separator and a leading or trailing slash does not count (``/+``, ``/*``).
        """
        tenant, user_tenant = self._in_tenant, self._in_user_tenant
        rest = r"(/.*)?"
        user = r"/+users/+([^/]+)"
        group = r"/+localGroups/+([^/]+)"
        portals = r"/+(portals|teamPortals)"
        portal = portals + r"/+([^/]+)"
        device = r"/+portals/+([^/]+)/+devices/+([^/]+)"
        plan = r"/+plans/+([^/]+)"
        context_routes = RouteTable([
            ("GET", r"/public/publicInfo", self._public_info),
            ("POST", r"/api/login", self._login),
            ("POST", r"/api/logout", self._logout),
            *self._files_context_routes(),
        ])
        api_routes = RouteTable([
            ("GET", r"/currentSession", self._get_current_session),
            ("GET", r"/currentPortal", self._get_current_portal),
            ("GET", r"/version", self._get_version),
            ("GET", r"/+rolesSettings/+([^/]+)/*", self._get_role_settings),
            ("GET", r"/settings/dnsSuffix", self._get_dns_suffix),
            ("PUT", r"/currentPortal", self._browse),
            ("POST", r"/*", self._root_method),
            ("*", r"/*", _not_allowed),
            *self._tenancy_routes(tenant, rest),
            ("GET", r"/+users/*", tenant(self._list_users)),
            ("POST", r"/+users/*", tenant(self._users_method)),
            ("*", r"/+users/*", tenant(_not_allowed)),
            ("GET", user + rest, user_tenant(self._get_user)),
            ("PUT", user + r"/*", user_tenant(self._update_user)),
            ("POST", user + r"/*", user_tenant(self._user_method)),
            ("*", user + rest, user_tenant(_not_allowed)),
            ("GET", r"/+localGroups/*", tenant(self._list_groups)),
            ("POST", r"/+localGroups/*", tenant(self._groups_method)),
            ("*", r"/+localGroups/*", tenant(_no_method)),
            ("GET", group + rest, tenant(self._get_group)),
            ("POST", group + r"/*", tenant(self._group_method)),
            ("*", group + rest, tenant(_not_allowed)),
            ("*", r"/+domains" + rest, tenant(_no_domain)),
            ("GET", r"/+ssoActivation/*", self._sso_activation),
            ("POST", r"/+devices/*", self._devices_method),
            ("*", r"/+devices/*", _not_allowed),
            ("POST", device + r"/*", self._device_method),
            ("GET", device + rest, self._get_device),
            ("PUT", device + r"/+comment/*", self._set_device_comment),
            ("*", device + rest, self._device_not_allowed),
            ("GET", portals + r"/*", self._list_portals),
            ("POST", portals + r"/*", self._portals_method),
            ("*", portals + r"/*", self._portals_no_method),
            ("GET", portal + rest, self._get_portal),
            ("POST", portal + r"/*", self._portal_method),
            ("*", portal + rest, self._portal_not_allowed),
            ("GET", r"/+(servers/+[^/]+/+bgTasks/+[^/]+)/*", self._get_global_task),
            ("GET", r"/+plans/*", self._list_plans),
            ("POST", r"/+plans/*", self._plans_method),
            ("*", r"/+plans/*", _no_method),
            ("GET", plan + rest, self._get_plan),
            ("POST", plan + r"/*", self._plan_method),
            ("*", plan + rest, _not_allowed),
        ])
        return context_routes, api_routes

    def route(self, request):
        parts = request.path.split("/")
        ctx = parts[1] if len(parts) > 1 else ""
        if ctx == "directio" and len(parts) == 3 and request.method == "GET":
            return self.directio(request, parts[2])
        if ctx not in CONTEXTS:
            return Response(404, "Not Found", "text/plain")
        rest = "/" + "/".join(parts[2:])
        if request.path == LOGIN_PAGE:
            return Response(200, "<html><body>CTERA Portal login</body></html>", "text/html;charset=UTF-8")
        try:
            handler, _groups = self._context_routes.find(request.method, rest)
            if handler is not None:
                return handler(request, ctx)
            if rest != "/api" and not rest.startswith("/api/"):
                return error_response(404, "Resource does not exist")
            session = self._session(request, ctx)
            if session is None or not self._follow_user(session):
                return _login_redirect()
            handler, groups = self._api_routes.find(request.method, rest[len("/api"):])
            if handler is None:
                raise ApiError(404, "Resource does not exist")
            return handler(request, session, *groups)
        except _xml.XMLError as exc:
            return error_response(400, str(exc))
        except ApiError as exc:
            return error_response(exc.status, exc.msg)

    def _in_tenant(self, handler):
        """A handler of a tenant-scoped resource, called as ``handler(request, session, tenant, *groups)``."""
        def scoped(request, session, *groups):
            return handler(request, session, self._require_tenant(session), *groups)
        return scoped

    def _in_user_tenant(self, handler):
        """``_in_tenant`` for ``/users/{name}[/...]``, except that a Services Portal user may read (GET or get-multi)
        their own user object, whatever the role."""
        def scoped(request, session, name, path=None):
            if not _segments(path) and self._reads_own_user(request, session, name):
                return handler(request, session, session["tenant"], name, path)
            return handler(request, session, self._require_tenant(session), name, path)
        return scoped

    def _reads_own_user(self, request, session, name):
        """A GET or get-multi of the session's own user object by a Services Portal session."""
        if session["kind"] != "tenant" or name != session["username"]:
            return False
        if request.method == "GET":
            return True
        if request.method != "POST":
            return False
        try:
            env = fromxml(request.body)
        except _xml.XMLError:
            return False
        return isinstance(env, dict) and env.get("name") == "get-multi"

    @staticmethod
    def _envelope(request):
        body = fromxml(request.body)
        if not isinstance(body, dict) or not body.get("name"):
            raise ApiError(400, "Expected a method call envelope")
        return body

    def _call(self, request, methods, *args, checks=None):
        """Run the method the request's envelope names: ``methods[name](*args, param)``. Another name answers 400,
        after ``checks(*args)`` if given (where the portal looks at the object and the permission first)."""
        env = self._envelope(request)
        name = env["name"]
        handler = methods.get(name) if isinstance(name, str) else None
        if handler is None:
            if checks is not None:
                checks(*args)
            raise ApiError(400, "Unknown method %s" % name)
        return handler(*args, env.get("param"))

    # -- session ---------------------------------------------------------------------------------------------------
    def _public_info(self, request, ctx):
        tenant = self._host_tenant(request) if ctx == "ServicesPortal" else None
        return xml_response({"@class": "PublicInfo", "name": tenant or "Administration", "version": VERSION,
                             "isGlobalAdmin": ctx == "admin", "portalType": "Team" if tenant else "Global"})

    def _login(self, request, ctx):
        form = request.form()
        username = form.get("j_username", "")
        password = form.get("j_password", "")
        if ctx == "admin":
            ok = username == "admin" and secrets.compare_digest(password.encode("utf-8"),
                                                                self.state["admin_password"].encode("utf-8"))
            session = {"kind": "global", "username": username, "role": "ReadWriteAdmin", "tenant": None,
                       "user_uid": 1}
        else:
            tenant = self._host_tenant(request)
            user = self.state["tenants"][tenant]["users"].get(username) if tenant else None
            ok = bool(user) and user.get("role") != "Disabled" and _check_password(password, user.get("password_hash"))
            session = {"kind": "tenant", "username": username, "role": user.get("role") if user else None,
                       "tenant": tenant, "user_uid": user["uid"] if user else None}
            if ok:
                user["lastLogin"] = now_iso()
                self.save()
        if not ok:
            self.stats_failed_logins += 1
            return error_response(403, "Wrong username or password")
        self.stats_logins += 1
        sid = secrets.token_hex(16).upper()
        session.update(sid=sid, ctx=ctx, last_seen=time.time())
        self.sessions[sid] = session
        return xml_response("Login succeed").set_cookie("JSESSIONID", sid, path="/")

    def _logout(self, request, ctx):
        session = self._session(request, ctx)
        if session is None:
            return _login_redirect()
        self.sessions.pop(session["sid"], None)
        return xml_response("Logout succeed").set_cookie("JSESSIONID", "", expire=True)

    def _current_user(self, session):
        """Tenant-side user record of a Services Portal session."""
        if session["kind"] != "tenant":
            return None
        record = self._tenant_record(session["tenant"])
        if record is None:
            return None
        for user in record["users"].values():
            if user["uid"] == session["user_uid"]:
                return user
        return None

    def _follow_user(self, session):
        """A Services Portal session follows its user: it ends (False) when the user is gone or disabled, and takes
        the user's current name and role otherwise."""
        if session["kind"] != "tenant":
            return True
        user = self._current_user(session)
        if user is None or user.get("role") == "Disabled":
            self.sessions.pop(session["sid"], None)
            return False
        session["role"] = user["role"]
        session["username"] = user["name"]
        return True

    def _get_current_session(self, _request, session):
        tenant = self._tenant_of(session)
        return xml_response({
            "@class": "CurrentSessionInfo", "username": session["username"], "role": self._wire_role(session["role"]),
            "domain": None, "userUid": session["user_uid"], "portal": tenant or "",
            "isGlobalAdmin": session["kind"] == "global", "locale": "en",
        })

    def _get_current_portal(self, _request, session):
        return xml_response(self._tenant_of(session) or "")

    @staticmethod
    def _get_version(_request, _session):
        return xml_response(VERSION)

    @staticmethod
    def _get_dns_suffix(_request, _session):
        return xml_response("localhost")

    @staticmethod
    def _get_role_settings(_request, _session, key):
        if key not in ROLE_SETTINGS:
            raise ApiError(404, "Role settings %s do not exist" % key)
        name, write = ROLE_SETTINGS[key]
        read = True
        return xml_response({
            "@class": "PortalRoleSettings", "name": name, "superUser": write, "allowRemoteWipe": write,
            "allowSSO": write, "allowSeedingExport": write, "allowSeedingImport": write,
            "canAccessEndUserFolders": False, "canChangePortalSettings": write, "canChangeRoles": write,
            "canChangeUserEmail": write, "canChangeUserPassword": write, "canManageAllFolders": write,
            "canManagePlans": write, "canManageUsers": write, "canManageLogSettings": write,
            "allowFoldersFilesPermanentDelete": write, "canManageLegalHolds": name == "ComplianceOfficer",
            "canManageComplianceSetting": name == "ComplianceOfficer", "canViewUsers": read,
        })

    def _browse(self, request, session):
        self._require_global(session)
        name = fromxml(request.body)
        name = "" if name is None else name
        if not isinstance(name, str):
            raise ApiError(400, "Expected a tenant name")
        if name and self._tenant_record(name) is None:
            raise ApiError(404, "Portal %s does not exist" % name)
        session["tenant"] = name or None
        return xml_response(None)

    # -- POST /{ctx}/api (global methods) --------------------------------------------------------------------------
    def _root_method(self, request, session):
        return self._call(request, {
            "updateAccounts": functools.partial(self._provisioning, "updateAccounts"),
            "updatePortals": functools.partial(self._provisioning, "updatePortals"),
            "getTaskStatus": self._get_task_status,
            "getPortalsDisplayInfo": self._get_portals_display_info,
            "getApiKeys": self._get_api_keys,
            "createApiKey": self._create_api_key,
            "deleteApiKey": self._delete_api_key,
            "addGroup": self._add_group,
            **self._tenancy_methods(),
            **self._files_methods(),
        }, session)

    def _provisioning(self, name, session, _param):
        if session["kind"] == "tenant":
            self._require_tenant(session)
        self._require_write(session)
        if name == "updatePortals":
            self._require_global(session)
        return xml_response(self._new_task("Apply provisioning changes (%s)" % name, self._tenant_of(session)))

    def _get_task_status(self, session, param):
        if self._tenant_of(session) is None:
            raise ApiError(400, NO_TENANT_MSG)
        return xml_response(self._task_obj(param))

    def _get_global_task(self, _request, session, ref):
        if self._tenant_of(session) is not None:
            raise ApiError(400, "Use getTaskStatus in a tenant context")
        return xml_response(self._task_obj(ref))

    def _get_portals_display_info(self, session, param):
        self._require_global(session)
        param = param if isinstance(param, dict) else {}
        trash = as_bool(param.get("isTrashcan") or False)
        objs = [dict(self._portal_obj(r), **{"@class": "PortalDisplayInfo"})
                for r in sorted(self.state["tenants"].values(), key=lambda r: r["uid"]) if bool(r["deleted"]) == trash]
        return xml_response(run_query(objs, param))

    # -- S3 credentials --------------------------------------------------------------------------------------------
    def _key_owner(self, session, uid):
        tenant = self._tenant_of(session)
        if tenant is None:
            raise ApiError(400, NO_TENANT_MSG)
        for user in self.state["tenants"][tenant]["users"].values():
            if user["uid"] == uid:
                break
        else:
            raise ApiError(404, "User with uid %s does not exist" % uid)
        if session["kind"] == "tenant" and session["role"] not in ADMIN_ROLES and session["user_uid"] != uid:
            raise ApiError(403, "Permission denied")
        return user

    @staticmethod
    def _require_key_write(session, owner_uid):
        if session["kind"] == "tenant" and session["role"] in READ_ONLY_ROLES and session["user_uid"] != owner_uid:
            raise ApiError(403, "Permission denied")

    def _user_keys(self, session, param):
        """The user whose uid ``getApiKeys``/``createApiKey`` take, and that user's keys."""
        uid = as_int(param)
        if uid is None:
            raise ApiError(400, "Expected a user uid")
        return self._key_owner(session, uid), self.state["api_keys"].setdefault(str(uid), [])

    def _get_api_keys(self, session, param):
        _user, keys = self._user_keys(session, param)
        return xml_response([self._key_obj(k, False) for k in keys])

    def _create_api_key(self, session, param):
        user, keys = self._user_keys(session, param)
        self._require_key_write(session, user["uid"])
        key = {"uid": self.state["next_key"], "accessKey": "CT" + secrets.token_hex(10).upper(),
               "secretKey": base64.b64encode(secrets.token_bytes(30)).decode("ascii"), "userUid": user["uid"], "creationDate": now_iso()}
        self.state["next_key"] += 1
        keys.append(key)
        self.save()
        return xml_response(self._key_obj(key, True))

    def _delete_api_key(self, session, param):
        key_uid = as_int(param)
        for owner_uid, keys in self.state["api_keys"].items():
            for key in keys:
                if key["uid"] == key_uid:
                    self._key_owner(session, int(owner_uid))
                    self._require_key_write(session, int(owner_uid))
                    keys.remove(key)
                    self.save()
                    return xml_response(None)
        raise ApiError(404, "API key %s does not exist" % param)

    @staticmethod
    def _key_obj(key, with_secret):
        return {"@class": "ApiKey", "uid": key["uid"], "accessKey": key["accessKey"],
                "secretKey": key["secretKey"] if with_secret else None, "userUid": key["userUid"],
                "creationDate": key["creationDate"], "expirationDate": None, "lastUsed": None}

    # -- users -----------------------------------------------------------------------------------------------------
    def _validate_user(self, tenant, data, existing=None):
        """Validate a PortalUser object; return the normalised fields to store."""
        if not isinstance(data, dict):
            raise ApiError(400, "Expected a PortalUser object")
        name = data.get("name")
        name = "" if name is None else str(name)
        if not name.strip():
            raise ApiError(400, "User name must not be empty")
        if BAD_NAME_RE.search(name) or len(name) > 128:
            raise ApiError(400, "Invalid user name: %s" % name)
        users = self.state["tenants"][tenant]["users"]
        if name in users and (existing is None or users[name] is not existing):
            raise ApiError(409, "User %s already exists" % name)
        email = data.get("email")
        if not email or not EMAIL_RE.match(str(email)):
            raise ApiError(400, "Invalid email address: %s" % ("" if email is None else email))
        role = self._stored_role(data.get("role"))
        if role is None:
            raise ApiError(400, "Invalid role: %s. Valid roles: %s"
                           % (data.get("role"), ", ".join(self._wire_role(r) for r in ROLES)))
        change_on = data.get("requirePasswordChangeOn")
        if change_on not in (None, ""):
            change_on = str(change_on)
            try:
                if not DATE_RE.match(change_on):
                    raise ValueError(change_on)
                datetime.date.fromisoformat(change_on)
            except ValueError as exc:
                raise ApiError(400, "Invalid date for requirePasswordChangeOn (expected YYYY-MM-DD): %s"
                               % change_on) from exc
        else:
            change_on = None
        fields = {"name": name, "email": str(email), "role": role, "requirePasswordChangeOn": change_on}
        for key in ("firstName", "lastName", "company", "comment"):
            value = data.get(key)
            fields[key] = None if value is None else str(value)
        password = data.get("password")
        if existing is None and (password is None or str(password) == ""):
            raise ApiError(400, "Password is required")
        if password not in (None, ""):
            fields["password_hash"] = _hash_password(str(password))
        return fields

    def _find_user(self, tenant, name):
        user = self.state["tenants"][tenant]["users"].get(name)
        if user is None:
            raise ApiError(404, "User %s does not exist" % name)
        return user

    def _list_users(self, _request, _session, tenant):
        return xml_response([self._user_obj(tenant, u) for u in self.state["tenants"][tenant]["users"].values()])

    def _users_method(self, request, session, tenant):
        return self._call(request, {"query": self._query_users, "add": self._add_user}, session, tenant)

    def _query_users(self, _session, tenant, param):
        return xml_response(run_query([self._user_obj(tenant, u) for u in self.state["tenants"][tenant]["users"].values()],
                                      param))

    def _add_user(self, session, tenant, param):
        self._require_write(session)
        fields = self._validate_user(tenant, param)
        user = dict(fields, uid=self._uid(), createDate=now_iso(), lastLogin=None)
        self.state["tenants"][tenant]["users"][user["name"]] = user
        self.save()
        return xml_response(self._user_ref(tenant, user) if self.state["sim"]["user_add_answer"] == "reference" else None)

    def _get_user(self, _request, _session, tenant, name, path=None):
        user = self.state["tenants"][tenant]["users"].get(name)
        if user is None:
            return self._missing_get("User %s" % name)
        obj = self._user_obj(tenant, user)
        if not _segments(path) and self.state["sim"]["user_get_ref"] == "omitted":
            del obj["baseObjectRef"]
        return _read(obj, path)

    def _update_user(self, request, session, tenant, name, _path=None):
        self._require_write(session)
        user = self._find_user(tenant, name)
        fields = self._validate_user(tenant, fromxml(request.body), existing=user)
        users = self.state["tenants"][tenant]["users"]
        old_name = user["name"]
        user.update(fields)
        if fields["name"] != old_name:
            del users[old_name]
            users[fields["name"]] = user
        self.save()
        return xml_response(None)

    def _user_method(self, request, session, tenant, name, _path=None):
        return self._call(request, {"get-multi": self._user_get_multi, "delete": self._delete_user}, session, tenant, name)

    def _user_get_multi(self, _session, tenant, name, param):
        user = self.state["tenants"][tenant]["users"].get(name)
        return self._get_multi(self._user_obj(tenant, user) if user else None, param, "User %s" % name)

    def _delete_user(self, session, tenant, name, _param):
        self._require_write(session)
        user = self._find_user(tenant, name)
        del self.state["tenants"][tenant]["users"][name]
        for group in self.state["tenants"][tenant]["groups"].values():
            if user["uid"] in group["members"]:
                group["members"].remove(user["uid"])
        self.state["api_keys"].pop(str(user["uid"]), None)
        self.save()
        return xml_response(None)

    # -- groups ----------------------------------------------------------------------------------------------------
    def _member_uids(self, tenant, refs):
        uids = []
        for ref in refs or []:
            match = re.match(r"^objs/(\d+)/([^/]*)/PortalUser/(.+)$", str(ref))
            user = None
            if match and match.group(2) == tenant:
                uid = int(match.group(1))
                user = next((u for u in self.state["tenants"][tenant]["users"].values() if u["uid"] == uid), None)
            if user is None:
                raise ApiError(404, "User %s does not exist" % ref)
            if user["uid"] not in uids:
                uids.append(user["uid"])
        return uids

    def _validate_group(self, tenant, data, existing=None):
        if not isinstance(data, dict):
            raise ApiError(400, "Expected a PortalGroup object")
        name = "" if data.get("name") is None else str(data.get("name"))
        if not name.strip():
            raise ApiError(400, "Group name must not be empty")
        if BAD_NAME_RE.search(name) or len(name) > 128:
            raise ApiError(400, "Invalid group name: %s" % name)
        groups = self.state["tenants"][tenant]["groups"]
        if name in groups and (existing is None or groups[name] is not existing):
            raise ApiError(409, "Group %s already exists" % name)
        description = data.get("description")
        return {"name": name, "description": None if description is None else str(description)}

    def _add_group(self, session, param):
        tenant = self._require_tenant(session)
        self._require_write(session)
        if not isinstance(param, dict) or not isinstance(param.get("groupData"), dict):
            raise ApiError(400, "Expected an AddGroupParam object")
        fields = self._validate_group(tenant, param["groupData"])
        members = self._member_uids(tenant, param.get("members"))
        group = dict(fields, uid=self._uid(), createDate=now_iso(), members=members)
        self.state["tenants"][tenant]["groups"][group["name"]] = group
        self.save()
        return xml_response(self._group_ref(tenant, group))

    def _find_group(self, tenant, name):
        group = self.state["tenants"][tenant]["groups"].get(name)
        if group is None:
            raise ApiError(404, "Group %s does not exist" % name)
        return group

    def _writable_group(self, session, tenant, name):
        group = self._find_group(tenant, name)
        self._require_write(session)
        return group

    def _list_groups(self, _request, _session, tenant):
        return xml_response([self._group_obj(tenant, g) for g in self.state["tenants"][tenant]["groups"].values()])

    def _groups_method(self, request, session, tenant):
        return self._call(request, {"query": self._query_groups}, session, tenant)

    def _query_groups(self, _session, tenant, param):
        return xml_response(run_query([self._group_obj(tenant, g) for g in self.state["tenants"][tenant]["groups"].values()],
                                      param))

    def _get_group(self, _request, _session, tenant, name, _path=None):
        group = self.state["tenants"][tenant]["groups"].get(name)
        if group is None:
            return self._missing_get("Group %s" % name)
        return xml_response(self._group_obj(tenant, group))

    def _group_method(self, request, session, tenant, name):
        return self._call(request, {"get-multi": self._group_get_multi, "getMembers": self._get_members,
                                    "delete": self._delete_group, "updateGroup": self._update_group},
                          session, tenant, name, checks=self._writable_group)

    def _group_get_multi(self, _session, tenant, name, param):
        group = self.state["tenants"][tenant]["groups"].get(name)
        return self._get_multi(self._group_obj(tenant, group) if group else None, param, "Group %s" % name)

    def _get_members(self, _session, tenant, name, param):
        group = self._find_group(tenant, name)
        users_by_uid = {u["uid"]: u for u in self.state["tenants"][tenant]["users"].values()}
        refs = [self._user_ref(tenant, users_by_uid[uid]) for uid in group["members"] if uid in users_by_uid]
        param = param if isinstance(param, dict) else {}
        start = max(0, as_int(param.get("startFrom"), 0) or 0)
        limit = as_int(param.get("countLimit"), 50) or 50
        return xml_response({"@class": "QueryResult", "objects": refs[start:start + limit],
                             "hasMore": start + limit < len(refs)})

    def _delete_group(self, session, tenant, name, _param):
        self._writable_group(session, tenant, name)
        del self.state["tenants"][tenant]["groups"][name]
        self.save()
        return xml_response(None)

    def _update_group(self, session, tenant, name, param):
        group = self._writable_group(session, tenant, name)
        if not isinstance(param, dict) or not isinstance(param.get("groupData"), dict):
            raise ApiError(400, "Expected an UpdateGroupParam object")
        fields = self._validate_group(tenant, param["groupData"], existing=group)
        to_add = self._member_uids(tenant, param.get("membersToAdd"))
        to_delete = self._member_uids(tenant, param.get("membersToDelete"))
        group.update(fields)
        group["members"] = [uid for uid in group["members"] if uid not in to_delete]
        group["members"] += [uid for uid in to_add if uid not in group["members"]]
        if fields["name"] != name:
            groups = self.state["tenants"][tenant]["groups"]
            del groups[name]
            groups[fields["name"]] = group
        self.save()
        return xml_response(None)

    # -- tenants ---------------------------------------------------------------------------------------------------
    def _list_portals(self, _request, session, _head):
        self._require_global(session)
        return xml_response([self._portal_obj(r) for r in self.state["tenants"].values() if not r["deleted"]])

    def _portals_method(self, request, session, head):
        self._require_global(session)
        methods = {"query": self._query_portals}
        if head == "teamPortals":
            methods["add"] = self._add_tenant
        return self._call(request, methods)

    def _portals_no_method(self, _request, session, _head):
        self._require_global(session)
        _no_method()

    def _query_portals(self, param):
        param = param if isinstance(param, dict) else {}
        trash = as_bool(param.get("isTrashcan") or False)
        objs = [self._portal_obj(r) for r in sorted(self.state["tenants"].values(), key=lambda r: r["uid"])
                if bool(r["deleted"]) == trash]
        return xml_response(run_query(objs, param))

    def _add_tenant(self, param):
        if not isinstance(param, dict):
            raise ApiError(400, "Expected a TeamPortal object")
        name = "" if param.get("name") is None else str(param["name"])
        if not name:
            raise ApiError(400, "Portal name must not be empty")
        if not TENANT_NAME_RE.match(name) or len(name) > 63:
            raise ApiError(400, "Invalid portal name: %s (lower-case letters, digits and '-')" % name)
        if name in self.state["tenants"] or name in ("admin", "ServicesPortal"):
            raise ApiError(409, "Portal %s already exists" % name)
        plan = self._plan_of_ref(param["plan"]) if param.get("plan") else DEFAULT_PLAN
        self._new_tenant(self.state, dict(param, plan=plan))
        self.save()
        return xml_response("/portals/%s" % name)

    @staticmethod
    def _require_own_portal(session, name):
        if session["kind"] == "tenant" and name != session["tenant"]:
            raise ApiError(403, "Permission denied")

    def _get_portal(self, _request, session, _head, name, _path=None):
        self._require_own_portal(session, name)
        record = self._tenant_record(name)
        if record is None:
            raise ApiError(404, "Portal %s does not exist" % name)
        return xml_response(self._portal_obj(record))

    def _portal_method(self, request, session, _head, name):
        self._require_own_portal(session, name)
        return self._call(request, {"get-multi": self._portal_get_multi, "delete": self._delete_portal,
                                    "moveFromTrashcan": self._restore_portal, "subscribe": self._subscribe_portal},
                          session, name, checks=self._managed_portal)

    def _portal_not_allowed(self, _request, session, _head, name, _path=None):
        self._require_own_portal(session, name)
        _not_allowed()

    def _portal_get_multi(self, _session, name, param):
        record = self._tenant_record(name)
        return self._get_multi(self._portal_obj(record) if record else None, param, "Portal %s" % name)

    def _managed_portal(self, session, name):
        """The record of a tenant that a global administrator changes, also from the trash can."""
        self._require_global(session)
        record = self._tenant_record(name, include_deleted=True)
        if record is None:
            raise ApiError(404, "Portal %s does not exist" % name)
        return record

    def _set_portal(self, session, name, key, value):
        self._managed_portal(session, name)[key] = value
        self.save()
        return xml_response(None)

    def _delete_portal(self, session, name, _param):
        return self._set_portal(session, name, "deleted", True)

    def _restore_portal(self, session, name, _param):
        return self._set_portal(session, name, "deleted", False)

    def _subscribe_portal(self, session, name, param):
        """``subscribe`` takes the plan's name (cterasdk portals.subscribe); the tenant then refers to the plan."""
        self._managed_portal(session, name)
        if param not in self.state["plans"]:
            raise ApiError(404, "Plan %s does not exist" % param)
        return self._set_portal(session, name, "plan", param)

    # -- plans (global objects) ------------------------------------------------------------------------------------
    def _plans(self, session):
        self._require_global(session)
        return [self._plan_obj(p) for p in sorted(self.state["plans"].values(), key=lambda p: p["uid"])]

    def _list_plans(self, _request, session):
        return xml_response(self._plans(session))

    def _plans_method(self, request, session):
        return self._call(request, {"query": lambda param: xml_response(run_query(self._plans(session), param))})

    def _get_plan(self, _request, session, name, path=None):
        self._require_global(session)
        plan = self.state["plans"].get(name)
        if plan is None:
            return self._missing_get("Plan %s" % name)
        return _read(self._plan_obj(plan), path)

    def _plan_method(self, request, session, name):
        self._require_global(session)
        plan = self.state["plans"].get(name)
        return self._call(request, {"get-multi": lambda param: self._get_multi(
            self._plan_obj(plan) if plan else None, param, "Plan %s" % name)})

    # -- devices ---------------------------------------------------------------------------------------------------
    def _devices_method(self, request, session):
        return self._call(request, {"query": self._query_devices}, session)

    def _query_devices(self, session, param):
        param = param if isinstance(param, dict) else {}
        tenant = self._tenant_of(session)
        if session["kind"] == "tenant" and session["role"] not in ADMIN_ROLES:
            raise ApiError(403, "Permission denied")
        all_portals = session["kind"] == "global" and (tenant is None or as_bool(param.get("allPortals") or False))
        objs = []
        for record in sorted(self.state["tenants"].values(), key=lambda r: r["uid"]):
            if record["deleted"] or (not all_portals and record["name"] != tenant):
                continue
            for device in sorted(record.get("devices", {}).values(), key=lambda d: d["uid"]):
                objs.append(self._device_obj(record["name"], device))
        return xml_response(run_query(objs, param))

    def _device_record(self, session, tenant, name):
        """Device ``name`` of ``tenant``, or None; 403 unless the session administers that tenant."""
        if session["kind"] == "tenant" and (tenant != session["tenant"] or session["role"] not in ADMIN_ROLES):
            raise ApiError(403, "Permission denied")
        record = self._tenant_record(tenant)
        return record.get("devices", {}).get(name) if record else None

    def _find_device(self, session, tenant, name):
        device = self._device_record(session, tenant, name)
        if device is None:
            raise ApiError(404, "Device %s does not exist" % name)
        return device

    def _device_method(self, request, session, tenant, name):
        return self._call(request, {"get-multi": self._device_get_multi}, tenant, self._device_record(session, tenant, name))

    def _device_get_multi(self, tenant, device, param):
        return self._get_multi(self._device_obj(tenant, device) if device else None, param, "Device")

    def _get_device(self, _request, session, tenant, name, path=None):
        return _read(self._device_obj(tenant, self._find_device(session, tenant, name)), path)

    def _set_device_comment(self, request, session, tenant, name):
        device = self._find_device(session, tenant, name)
        self._require_write(session)
        value = fromxml(request.body)
        device["comment"] = value if isinstance(value, str) and value else None
        self.save()
        return xml_response(None)

    def _device_not_allowed(self, _request, session, tenant, name, _path=None):
        self._find_device(session, tenant, name)
        _not_allowed()

    # -- Edge Filer connections (called by the Edge simulators linked to this portal) ------------------------------
    # A filer connecting with ``services.connect``/``services.activate`` authenticates as a tenant user (or with an
    # activation code issued by ``GET /ssoActivation``) and becomes a device of that user's tenant; disconnecting
    # removes the device. See the module docstring, "Edge Filer connections".
    def device_tenant(self, server, user, password=None, code=None):
        """The tenant a filer connecting to ``server`` as ``user`` joins, or ValueError with the portal's reason.

        The tenant is the first DNS label of ``server`` when it names one (as a real portal's address does);
        otherwise (the simulator reached by IP address) the one tenant where ``user`` exists with that password.
        An activation code names its tenant and user itself."""
        with self.lock:
            if code is not None:
                issued = self.state.setdefault("activation_codes", {}).get(code)
                if issued is None or issued["user"] != user:
                    raise ValueError("Invalid activation code")
                return issued["tenant"]
            label = str(server or "").split(":", 1)[0].split(".", 1)[0].lower()
            tenants = [label] if self._tenant_record(label) else [
                r["name"] for r in sorted(self.state["tenants"].values(), key=lambda r: r["uid"]) if not r["deleted"]]
            matches = []
            for tenant in tenants:
                found = self.state["tenants"][tenant]["users"].get(user)
                if found and found.get("role") != "Disabled" and _check_password(password or "",
                                                                                 found.get("password_hash")):
                    matches.append(tenant)
            if not matches:
                raise ValueError("Wrong user name or password")
            if len(matches) > 1:
                raise ValueError("User %s exists in several tenants (%s): connect to the tenant's own address"
                                 % (user, ", ".join(matches)))
            return matches[0]

    def unregister_device(self, name, tenant):
        """Remove device ``name`` from ``tenant`` (a filer that disconnected); no error when it is not there."""
        with self.lock:
            record = self._tenant_record(tenant, include_deleted=True)
            if record is not None and record.get("devices", {}).pop(name, None) is not None:
                self.save()

    def _sso_activation(self, request, session):
        """``GET /ssoActivation?username=U[&portal=T]`` (core/activation.py): an activation code for user U of
        tenant T (default: the session's tenant)."""
        username = (request.query.get("username") or [""])[0]
        tenant = (request.query.get("portal") or [""])[0] or self._tenant_of(session)
        if session["kind"] == "tenant" and (tenant != session["tenant"] or session["role"] not in ADMIN_ROLES):
            raise ApiError(403, "Permission denied")
        if not self._tenant_record(tenant):
            raise ApiError(400, "This operation is available only in a tenant context. Browse a tenant first.")
        if username not in self.state["tenants"][tenant]["users"]:
            raise ApiError(404, "User %s does not exist" % username)
        code = "-".join(secrets.token_hex(2).upper() for _part in range(4))
        self.state.setdefault("activation_codes", {})[code] = {"tenant": tenant, "user": username}
        self.save()
        return xml_response({"@class": "ActivationCodeInfo", "code": code, "username": username, "portal": tenant})
