# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA Edge Filer simulator (one filer per ``EdgeService`` instance).

Speaks the Edge Filer wire protocol used by ``cterasdk`` 2.20.50 (see
../shared/specs/ctera-protocol.md, sections 1.3, 5 and 7): the CTERA XML object format on
``/admingui/api/...`` (requests of any Content-Type, ``type``/``name``/``param`` method envelopes) and the
JSON login probe of CTERA Migrate.

What is simulated
-----------------
* Session: form login ``POST /admingui/api/login`` (cookie ``_cteraSessionId_``, Path=/), bad login = HTTP 500
  with ``msg`` "Wrong username or password"; ``GET /migration/rest/v1/auth/user`` (cookie authenticated, JSON,
  answers an ``x-mt-x`` header); ``GET currentuser``; ``POST logout`` (body ``foo=bar``);
  ``GET nosession/logininfo``; idle expiry after ``session_timeout`` seconds.
* Device: ``GET status/device[/attr]`` (``runningFirmware`` etc.), ``POST status/device``
  (``reboot``/``poweroff``/``reset2default`` accepted), ``GET|PUT config/device/<attr>``.
  Firmware by index: ``index % 4 == 3`` -> ``7.11.1000.1`` (SDK ``SharesV1`` shape), others ``7.12.5600.3``
  (``SharesV7``). Hostname = filer name. Volumes ``cloud`` and ``local`` with a fixed directory tree
  (``VOLUME_TREE``, kept in ``state["volume_tree"]``; on a filer connected to the linked portal, ``cloud`` holds
  the portal's folders instead: see "Cloud volume" below), listed by ``POST status/fileManager``
  ``listPhysicalFolders`` and, as cterasdk's ``volumes.get()`` reads them, by ``GET config/storage/volumes[/name]``
  (``{name, device, size, fileSystemType}``). ``POST /_sim/edge {"volumes": [...]}`` sets the volume names.
* Shares (``config/fileservices/share``): list, get, ``db``/``add``, whole-object PUT (class ``ShareConfig`` and
  ``uuid`` kept), DELETE, and GET/PUT of every attribute (``acl``, ``trustedNFSClients``, ``access``,
  ``screenedFileTypes``, ...), with validation errors as XML ``msg`` bodies.
* Cloud sync: ``config/cloudsync/mode`` (``enabled``/``disabled``) and ``proc/cloudsync/serviceStatus[/id]``, a
  state machine evaluated from the wall clock when read: enabled -> InitializingConnection -> ConnectingFolders ->
  Syncing -> Synced (phase lengths ``state["sim"]["sync_phase_seconds"]``, default 0.3/0.5/0.7 s);
  disabled -> Off; enabled while not connected to a portal -> InitializingConnection -> DisconnectedPortal.
* Portal connection: ``GET status/services[/CTERAPortal/connectionState...]``; the SDK's ``services.connect()``
  (proxy check, ``status/network`` ``tcpconnect``, ``isWebSsoEnabled``, ``attachAndSave``, license PUT),
  ``services.activate()`` (``attachAndSave`` with an ``activationCode``), ``services.disconnect()``
  (``PUT config/services`` with no body), ``reconnect``, and ``licenses.apply``/``get``
  (``config/device/activeLicenseType``: ``vGateway4`` ... ``vGateway128``, ``vGateway`` for EV16, ``NA``).
  serve.py links every filer to the portal simulator it runs beside (``link_portal``): connecting to the portal's
  address (``host:port`` of its URL) checks the user's password (or an activation code from the portal's
  ``GET /ssoActivation``) on that portal and registers the filer, under its host name, as a device of the user's
  tenant; disconnecting, connecting elsewhere or ``/_sim/reset`` unregisters it. ``portal.filefleet.test`` stands
  for a portal outside the simulators that accepts any user. Filers start connected to it (with
  ``--edge-tenants``, registered on the linked portal under their tenant).
  Tests flip connectivity with ``set_portal_connected(bool)`` or ``POST /_sim/edge {"portal_connected": false}``
  (which also sets ``sync_phase_seconds``, ``backup_seconds``, ``task_seconds``, the answer modes of the
  inferred behaviour below and ``volumes``; a ``/_sim/reset`` restores the defaults).
* Cloud backup: ``status/services`` ``attachFolder`` / ``attachEncryptedFolder`` / ``createFolder`` (background
  tasks), ``GET|PUT config/backup``, ``GET defaults/BackupSettings``, ``GET proc/backup/backupStatus``,
  ``POST status/sync`` ``start``/``pause``/``resume`` (counted in ``state["backup"]["controls"]``).
* Background tasks: ``GET proc/bgtasks/N`` and ``POST proc/bgtasks`` ``db``/``query`` ``{key, value}``.
* Config export ``GET /admingui/api/export``: a ``<db id="config" ...>`` document of the current configuration.
* Device (edge_device.py): factory state (``serve.py --edge-factory``: no administrator, ``isfirstlogin`` true in
  ``nosession/logininfo``, every login refused until ``POST nosession/createfirstuser``; the wizard
  ``config/gui/openFirstTimeWizard`` on; a default host name; ``activeLicenseType`` ``NA``; ``config/services``
  null and not connected; workgroup ``CTERA``), ``PUT config/device/hostname|location``, ``config/time``
  (``TimeZone``, ``NTPMode``, ``NTPServer``), local users (``db``/``add``, whole-object PUT, DELETE), local groups
  (``db``/``add``, PUT, ``PUT .../members``, DELETE), the SMB settings ``config/fileservices/cifs`` and
  ``status/fileservices/cifs`` (``joinStatus``, ``joinDomain``, ``enumDiscoveredDomains``) against a simulated
  Active Directory (``DIRECTORY``: domain ``corp.filefleet.test``, flat name ``CORP``, its administrator's password
  on the ready line, the same for every filer of a run).

Inferred behaviour
------------------
Every answer no vendor source shows, with the evidence it rests on (file paths in the cterasdk 2.20.50 wheel, and
CTERA's own Ansible collection ``ctera.ctera``), or "unknown" with the modes ``POST /_sim/edge`` offers so that the
collection is tested against each plausible answer:

* No session, an unknown session or an idle-expired session on any authenticated resource: HTTP 401 with XML
  ``msg`` "Not logged in" / "Session expired". Unknown (the SDK raises ``Unauthorized`` on any error and never
  re-logs in). On ``/migration/rest/v1/*`` the same as JSON. ``expire_sessions()`` drops every session.
* ``x-mt-x`` is checked only on ``/migration/rest/v1/*`` resources other than ``auth/user`` (the admin GUI API
  relies on the cookie); other Migrate resources are not simulated (404). Unknown; the SDK sends the header
  everywhere (clients/clients.py), so either works with it.
* Validation errors answer HTTP 400 (bad value, bad name, unknown attribute, unknown volume or directory,
  screened file types on a non-``winAclMode`` share, renaming through PUT), 409 for a duplicate share name
  (compared case-insensitively, like SMB), 404 for an unknown share or path, 405 for an unsupported method on a
  known path, 500 for a method that cannot run in the current device state (e.g. backup while disconnected).
  Unknown: the SDK only reads ``msg`` (clients/errors.py).
* Values are stored and answered as the text that was sent (``007`` stays ``007``, ``1.10`` stays ``1.10``): the
  filer is not a Python client and has no reason to retype them. Unknown, but the plausible answer; a client that
  retypes values on a GET -> PUT round trip (cterasdk's convert/deserializers.py ParseValue does) shows it here.
* Directories: a share directory must exist in the volume tree (a filer cannot share a missing folder); the
  empty directory (whole volume) is allowed. A default share ``cloud`` (volume ``cloud``, whole volume) exists,
  as the SDK's ``ShouldSupportWinNtAcl`` fix-up assumes (edge/sync.py). A share's ``directory`` is accepted with or
  without a leading ``/`` and answered with it (``/users/docs``, ``/`` for the whole volume): CTERA's own Ansible
  collection reads ``share.directory[1:]`` (plugins/modules/ctera_filer_share.py), while cterasdk sends it without
  (edge/shares.py ``_add_share_param``). The ``/`` for the whole volume is unknown.
* Volumes: ``listPhysicalFolders`` of ``/`` lists exactly the volumes (``fullpath`` ``/NAME``), the list the SDK
  validates share directories against and offers in its error (edge/shares.py ``_validate_root_directory``), and
  ``config/storage/volumes`` holds the same names (edge/volumes.py). That both list the same names is inferred; the
  class of a volume object is unknown (none is sent).
* ACL principals: ``LocalUser``/``LocalGroup`` must reference an existing local user/group
  (``#config#auth#users#NAME``); domain principals are accepted as given (``DOMAIN\\name``).
* V7 firmware rejects the V1-only share attributes (``dirPermissions``, ``exportToPCAgent``, ``exportToRSync``)
  as unknown; V1 fills them with defaults (777, false, false) when absent. Unknown; the SDK just does not send them.
* "Suspended" cloud sync is exactly what the SDK's ``sync.suspend()`` does: mode ``disabled``, status ``Off``
  (edge/sync.py). There is no separate suspended flag.
* Sync status after a connectivity change while enabled restarts the state machine (InitializingConnection first).
  The states are the SDK tracker's progress and success sets (edge/sync.py); the timing is invented.
* Backup configuration: no backup folder exists at first (``attachFolder`` -> ``NotFound``), the status id is
  ``NotInitialized`` until ``PUT config/backup`` carries the shared secret issued by the attach/create task, then
  ``Attached`` (the ids of edge/enum.py ``BackupConfStatusID``; ``is_configured`` in edge/backup.py). The passphrase
  is never stored or echoed: the task result's ``sharedSecret`` is a key derived from salt and passphrase,
  ``GET config/backup`` and the export answer ``sharedSecret`` as null, and the state keeps only
  ``passphraseCheck`` = sha256(salt + ":" + passphrase) and a hash of the derived key (the derived key of a task
  result is held in memory only, so after a restart that old task answers ``sharedSecret`` null).
* Backup runs: ``start`` runs a backup for ``state["sim"]["backup_seconds"]`` (default 1 s), ``pause`` suspends it
  (also an idle one), ``resume`` continues; they answer 500 "Backup is not configured" before configuration.
  Unknown: the SDK only names the calls (edge/backup.py).
* Backup status (``proc/backup/backupStatus``): ``serviceStatus.id`` is what the SDK reads (edge/backup.py);
  ``serviceStatus.desc`` and ``backupHistory`` (``lastSuccessfulSync``, ``totalFiles``, ``totalSize``) are the
  fields cterasdk's cli/export.py reads from the backup status a filer reports to its portal. Whether and how a
  filer reports a suspended or running backup is unknown, so ``backup_status`` selects the answer:
  ``extended`` (default: ``status`` = ``Idle``/``Running``/``Suspended``/``NotConfigured``, ``suspended``,
  ``running``, ``progress``, ``encryptionMode``, ``lastSuccessfulBackupTime``, ``currentBackupStartTime``),
  ``status`` (only the ``status`` text) or ``vendor`` (none of these invented fields).
* Task references: a method that starts a background task answers ``/proc/bgtasks/N``, or the integer ``N``.
  Both are plausible: the SDK accepts an integer or any text holding the number (lib/tasks.py
  ``AwaitableEdgeTask._task_reference``), and its portal connect waits on the ``id`` of the ``attachAndSave`` answer
  (edge/services.py ``_attach``). Which one each method answers is unknown, so ``task_refs`` selects it: ``path``
  (default), ``integer``, or ``mixed`` (integer for odd task ids, path for even).
* Task ends: a task finishes after ``state["sim"]["task_seconds"]`` (default 0: already finished when first read)
  with the status ``task_end`` selects: ``completed`` (default), ``completed with warnings``, ``failed``,
  ``stopped`` or ``disabled``, the five end states of common/enum.py ``TaskRunningStatus`` that lib/tasks.py waits
  for. Which tasks end how on a real filer is unknown. A task that did not complete has a null ``result`` and a
  ``progstring`` saying why (unknown), and a ``createFolder`` that did not complete creates no folder. The 50 most
  recent tasks are kept. The ``sharedSecret`` of a backup folder task lives only in memory (it is never written to
  the state file): after a restart the task answers it as null. Whether a real filer keeps it across a restart is
  unknown; a client must not report backup configured unless the filer says so (tests/integration/test_fault_matrix.py).
* Portal connection (see "What is simulated"). ``isWebSsoEnabled`` answers ``connectOK`` with ``hasWebSSO``
  false for a reachable server, ``UntrustedCA`` (no ``result``) for the linked portal unless ``trustCertificate``
  is true (its certificate is signed by the simulators' own CA, which a filer does not know), and
  ``ConnectionFailed`` for any other server; ``tcpconnect`` to port 995 answers ``Open`` for a reachable server
  and ``Closed`` otherwise. The ``rc`` names other than ``connectOK`` and the ``Untrusted*`` family
  (services.py ``_UNTRUSTED_CERTIFICATE_ERRORS``) are unknown. A refused password or activation code, an untrusted
  certificate or an unreachable server fail the ``attachAndSave`` task, whose ``description`` says why (the SDK
  reports ``error.task.description``, services.py ``_connect_to_services``); the tenant is the first DNS label of
  the server when it names one, otherwise the one tenant where the user has that password. Unknown: whether a
  filer keeps its old connection while a new attach fails. Mode ``failed_attach``: ``keeps`` (default: the filer
  is left exactly as it was) or ``drops`` (disconnected, old settings still saved; ``reconnect`` restores them).
  Note that the SDK waits for the attach task without reading how it ended and then tracks the connection state,
  so a failed attach of a filer that stays connected to its old portal looks like a success to it.
* Cloud volume of a filer connected to the linked portal simulator (connected through ``attachAndSave`` to its
  address, so registered as a device): the ``cloud`` volume holds ``users``, ``users/{owner's display name}`` and
  ``users/{owner's display name}/{folder}`` for each live cloud drive folder the portal gives the filer
  (``PortalService.cloud_folder_paths_for_device``: the folders of the zones that hold the device or, with no
  zone, those of the user it connected as), read again on every request, so a new folder, a folder added to the
  filer's zone or one taken away shows at once. Evidence: cterasdk core/types.py ``Share.absolute`` puts portal
  folders under ``/cloud/users/{path}`` and the Portal names its folders ``Users/{owner's display name}/{folder}``
  (the ``addCloudDrive`` answer); how fast a real filer shows a change is unknown. A share on a directory that is
  not there is refused (400) as for any volume; shares already made on a folder that went away stay. Filers
  connected to ``portal.filefleet.test`` (the default start) or to no portal keep the fixed ``VOLUME_TREE``, and
  so does a filer in mode ``cloud_volume: fixed`` (default ``portal``).
* ``reboot``, ``poweroff`` and ``reset2default`` are accepted no-ops (sessions and configuration survive).
* Factory state: the default host name ``vGateway-NNNN`` (the filer's index) is invented; a real filer's is unknown.
  ``createfirstuser`` answers an empty body (the SDK reads nothing), refuses a second first user with 403 (the SDK
  checks ``initialized`` first) and makes the user a member of ``Administrators``. The filer's own factory login
  (if any) is unknown: here nobody can log in until the first user exists.
* Logins: any local user with its password may log in (a real filer may only let administrators in; unknown).
  Passwords are kept as salted hashes in ``state["user_secrets"]`` and never answered (GET answers ``password``
  null, as users.py ``modify`` expects: it sends the object back with ``password`` null unless it changes it, and a
  null password keeps the old one).
* Local users: ``db``/``add`` with ``{username, password, fullName, email, uid}`` (users.py); a missing ``uid`` gets
  the next free one from 601 (the first user has 600; numbering unknown); a duplicate name (case-insensitive) is
  409, a taken ``uid`` or a bad value 400 (unknown statuses: the SDK wraps every error). Deleting a user removes it
  from every group; deleting the user of the current session is refused (400, inferred).
* Local groups: cterasdk 2.20.50 has no call that adds, changes or deletes a group, only ``add_members`` and
  ``remove_members`` (GET ``config/auth/groups/NAME/members`` then PUT the whole list, groups.py). Adding a group
  is inferred from users.py: ``db``/``add`` on ``config/auth/groups`` with ``{name, description, members}``; a
  description through a whole-object PUT; DELETE removes a group (the three built-in groups answer 403). Members
  are ``LocalUser``/``LocalGroup`` references (``#config#auth#users#NAME``, ``#config#auth#groups#NAME``) that must
  exist, or ``DomainUser``/``DomainGroup`` names, accepted only on a joined filer (types.py ``UserGroupEntry``).
* Host name: 1 to 63 letters, digits or ``-`` (an RFC 1123 label, inferred); location: free text. Time zone: text
  of the form ``(GMT+HH:MM) Name``, the only format a vendor source shows (CTERA's Ansible collection,
  ctera_filer_timezone: ``(GMT-05:00) Eastern Time (US , Canada)``); the list of names a filer accepts is unknown,
  so any name of that form is accepted. NTP: ``NTPMode`` ``enabled``/``disabled`` and ``NTPServer`` a list of host
  names (ntp.py); switching NTP off keeps the servers. Factory values: NTP on with ``0.pool.ntp.org``,
  ``1.pool.ntp.org`` and the time zone ``(GMT-08:00) Pacific Time (US , Canada)`` (invented).
* Active Directory: directoryservice.py ``connect`` PUTs the whole ``config/fileservices/cifs`` object with ``type``
  ``domain`` and then calls ``joinDomain`` ``{username, password[, ouPath]}``; ``connected()`` is ``joinStatus == 0``.
  The join succeeds for the simulated directory's domain (case-insensitive) and its administrator (``name``,
  ``CORP\\name`` or ``name@domain``) with the right password, and an ``ouPath`` that is one of its OUs (``DIRECTORY``);
  anything else answers 500 with a message naming the reason ("wrong user name or password") and leaves the filer
  not joined, with ``type`` ``domain`` saved (what the SDK's order of calls leaves behind). A not-joined filer
  answers ``joinStatus`` 1 (any non-zero value means not joined to the SDK; which one is unknown). ``disconnect``
  (type ``workgroup``, workgroup ``CTERA``) or a PUT naming another domain ends the join. ``enumDiscoveredDomains``
  lists the directory's flat name once joined. A joined filer accepts domain principals (``CORP\\name``, case-
  insensitive) in share ACLs and group members only if the directory knows them (users ``alice``, ``bob``,
  ``carol``, ``dave``, ``ad-admin``; groups ``Domain Users``, ``Domain Admins``, ``Finance``, ``Sales``,
  ``Engineering``); a filer that is not joined accepts any domain principal in a share ACL, as before (unknown).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import secrets
import time
import uuid as uuidlib
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr


from simulators import _xml as ctera_xml
from simulators._base import Response, RouteTable, Service, random_secret
from simulators.edge_device import DeviceError, DeviceMixin

XML_TYPE = "text/xml; charset=utf-8"
API = "/admingui/api"
MIGRATE = "/migration/rest/v1"
COOKIE = "_cteraSessionId_"

FIRMWARE_V1 = "7.11.1000.1"
FIRMWARE_V7 = "7.12.5600.3"
MODELS = ("C400", "C800", "C200", "HC1200")

VOLUME_TREE = {
    "cloud": ["users", "users/admin", "users/admin/My Files", "projects", "public", "shared", "team",
              "departments", "departments/finance", "departments/sales", "departments/engineering"],
    "local": ["backups", "scratch", "archive"],
}
LOCAL_GROUPS = ("Administrators", "Everyone", "Read Only Administrators")

ACCESS_MODES = ("winAclMode", "authenticated")
CSC_MODES = ("manual", "documents", "disable")
FILE_ACCESS = ("ReadWrite", "ReadOnly", "None")
PRINCIPALS = ("LocalUser", "LocalGroup", "DomainUser", "DomainGroup")
SHARE_NAME_FORBIDDEN = set('\\/:*?"<>|')
SHARE_BOOLS = ("exportToAFP", "exportToFTP", "exportToNFS", "indexed")
V1_ONLY = ("dirPermissions", "exportToPCAgent", "exportToRSync")
SHARE_ATTRS = ("name", "volume", "directory", "access", "clientSideCaching") + SHARE_BOOLS + (
    "comment", "acl", "trustedNFSClients", "screenedFileTypes")
# Modes of the answers no vendor source pins down (set with POST /_sim/edge; see "Inferred behaviour").
TASK_REF_MODES = ("path", "integer", "mixed")
TASK_ENDS = ("completed", "completed with warnings", "failed", "stopped", "disabled")
TASK_FAILURES = ("failed", "stopped", "disabled")
BACKUP_STATUS_MODES = ("extended", "status", "vendor")
SIM_DEFAULTS = {"sync_phase_seconds": [0.3, 0.5, 0.7], "backup_seconds": 1.0, "task_seconds": 0.0,
                "task_refs": "path", "task_end": "completed", "backup_status": "extended", "failed_attach": "keeps",
                "cloud_volume": "portal"}
FAILED_ATTACH_MODES = ("keeps", "drops")
CLOUD_VOLUME_MODES = ("portal", "fixed")
LICENSES = ("NA", "vGateway4", "vGateway8", "vGateway", "vGateway32", "vGateway64", "vGateway128")
ENCRYPTION_MODES = ("RecoverableKeyEncryption", "SecretKeyEncryption")
TASKS_KEPT = 50


class ApiError(Exception):
    def __init__(self, status, msg):
        Exception.__init__(self, msg)
        self.status = status
        self.msg = msg


# -- CTERA XML codec ---------------------------------------------------------------------------------------------
# Server-side representation: <obj> -> dict (class in "_classname", uuid in "_uuid"), <list> -> list,
# <val> -> str (typed by the handlers), empty <att/> -> None.

def from_xml(body):
    """Parse a request body; ``None`` for an empty body."""
    try:
        return ctera_xml.parse(body)
    except ctera_xml.XMLError as exc:
        raise ApiError(400, "Invalid XML document") from exc


def to_xml(value):
    """Build the CTERA XML of a value (``None`` -> empty body)."""
    return ctera_xml.build(value)


# -- small helpers ---------------------------------------------------------------------------------------------

def _iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(epoch)) if epoch else None


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_bool(value, field):
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ApiError(400, "Invalid value for %s: expected true or false" % field)


def _as_int(value, field):
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, "Invalid value for %s: expected an integer" % field) from exc


def _enum(value, allowed, field):
    if value not in allowed:
        raise ApiError(400, "Invalid value for %s: %s (allowed: %s)" % (field, value, ", ".join(allowed)))
    return value


def _xml(value, status=200, headers=None):
    return Response(status, to_xml(value), XML_TYPE, headers)


def _err(status, msg):
    return Response(status, to_xml({"_classname": "ErrorInfo", "msg": msg}), XML_TYPE)


def _envelope(request):
    body = from_xml(request.body)
    if not isinstance(body, dict) or not body.get("name"):
        raise ApiError(400, "Invalid method call: expected an object with type, name and param")
    return body.get("type") or "user-defined", body["name"], body.get("param")


def _call(request, methods, kind=None):
    """Run the method the request's envelope names, ``methods[name](param)``; another name, or another envelope type
    than ``kind`` when given, answers 400."""
    env_kind, name, param = _envelope(request)
    handler = methods.get(name) if isinstance(name, str) and kind in (None, env_kind) else None
    if handler is None:
        raise ApiError(400, "Unknown method: %s" % name)
    return handler(param)


def _tail(text):
    """The segments after a route's fixed part, empty ones included: ``"/a//b"`` -> ``["a", "", "b"]``, None -> ``[]``
    (what precedes the first ``/`` belongs to the fixed part's last segment)."""
    return (text or "").split("/")[1:]


def _dict(param):
    return param if isinstance(param, dict) else {}


def _not_found(*_args):
    return _err(404, "Resource does not exist")


def _not_allowed(*_args):
    return _err(405, "Method not allowed")


def _accept(_param):
    """An action the simulator accepts and does nothing for."""
    return _xml(None)


class EdgeService(DeviceMixin, Service):
    """One simulated CTERA Edge Filer."""

    kind = "edge"

    def __init__(self, state_path, name, index, session_timeout=1800.0, factory=False, directory_password=None):
        self.index = int(index)
        # Device part (edge_device.py): a factory filer starts without an administrator; the simulated directory's
        # administrator password is the same for every filer of a serve.py run.
        self.factory = bool(factory)
        self.directory_password = directory_password
        self.session_timeout = float(session_timeout)
        self._sessions = {}
        self._task_keys = {}  # task id -> derived backup key, kept in memory only (never persisted)
        Service.__init__(self, state_path, name)
        self._open_routes, self._routes, self._migrate_routes = self._build_routes()

    # -- state ---------------------------------------------------------------------------------------------
    def initial_state(self):
        now = time.time()
        firmware = FIRMWARE_V1 if self.index % 4 == 3 else FIRMWARE_V7
        password = (self.state or {}).get("credentials", {}).get("password") or random_secret()
        state = {
            "credentials": {"username": "admin", "password": password},
            "device": {
                "hostname": self.name,
                "model": MODELS[self.index % len(MODELS)],
                "firmware": firmware,
                "serialNumber": "SIM%09d" % (self.index + 1),
                "MacAddress": "02:00:00:%02x:%02x:%02x" % (
                    (self.index >> 16) & 255, (self.index >> 8) & 255, self.index & 255),
                "bootTime": now,
            },
            "config": {
                "_classname": "Config",
                "device": {"_classname": "DeviceConfig", "hostname": self.name, "location": "",
                           "activeLicenseType": "vGateway"},
                "network": {"proxy": {"_classname": "ProxySettings", "configurationMode": "NoProxy"}},
                "auth": {
                    "users": [{"_classname": "UserConfig", "username": "admin", "fullName": "Administrator",
                               "email": "", "uid": 600, "password": None}],
                    "groups": [{"_classname": "GroupConfig", "name": group, "description": ""}
                               for group in LOCAL_GROUPS],
                },
                "services": self._services_config(),
                "fileservices": {"share": [self._new_share({"name": "cloud", "volume": "cloud", "directory": ""},
                                                           firmware)]},
                "cloudsync": {"_classname": "CloudSyncSettings", "mode": "enabled"},
                "backup": self._backup_defaults(),
                "gui": {"adminRemoteAccessSSO": False, "openFirstTimeWizard": False},
                "storage": {"volumes": [self._volume_config(name) for name in sorted(VOLUME_TREE)]},
            },
            "volume_tree": {name: list(dirs) for name, dirs in VOLUME_TREE.items()},
            "portal": {"connected": True, "since": now},
            "cloudsync": {"changed": now - 3600.0},
            "backup": {"folder": None, "attached": False, "run": "Idle", "started": None, "done": 0.0,
                       "lastSuccess": None, "controls": {"start": 0, "pause": 0, "resume": 0}},
            "tasks": [],
            "next_task": 1,
            "sim": copy.deepcopy(SIM_DEFAULTS),
        }
        self.device_initial(state, state["credentials"])
        return state

    def on_load(self):
        """State written by an older simulator: fill in what it did not keep yet."""
        for key, value in SIM_DEFAULTS.items():
            self.state["sim"].setdefault(key, copy.deepcopy(value))
        self.state.setdefault("volume_tree", {name: list(dirs) for name, dirs in VOLUME_TREE.items()})
        self.state["config"].setdefault("storage", {"volumes": [self._volume_config(name)
                                                                for name in sorted(self.state["volume_tree"])]})
        self.state["backup"].setdefault("controls", {"start": 0, "pause": 0, "resume": 0})
        self.device_on_load()

    @staticmethod
    def _volume_config(name):
        """A volume as ``GET config/storage/volumes`` answers it (the attributes cterasdk's volumes.add sends)."""
        return {"name": name, "device": "array-1", "size": 512000, "fileSystemType": "xfs"}

    @staticmethod
    def _services_config(server="portal.filefleet.test", user="edge-admin"):
        return {"_classname": "ServicesSettings", "server": server, "user": user, "trustCertificate": True}

    @staticmethod
    def _backup_defaults():
        return {"_classname": "BackupSettings", "encryptionMode": None, "sharedSecret": None, "passPhraseSalt": None,
                "backupPolicy": {"_classname": "BackupPolicy", "includeSets": []},
                "retentionPolicy": {"_classname": "RetentionPolicy", "retainAll": 7, "hourly": 24, "daily": 7,
                                    "weekly": 4, "monthly": 12, "quarterly": 0, "yearly": 0, "deleted": 30},
                "schedule": {"_classname": "BackupSchedule", "mode": "daily", "time": "01:00"}}

    def credentials_state(self):
        return self.device_credentials_state()

    def credentials(self):
        """The ready line's entry: the administrator's credentials (on a factory filer: those its setup is expected
        to create, with ``factory`` true) and the simulated directory (``directory``)."""
        creds = self.state["expected_credentials"] if self.factory else self.state["credentials"]
        answer = {"username": creds["username"], "password": creds["password"],
                  "directory": self.directory_credentials()}
        if self.factory:
            answer["factory"] = True
        return answer

    @property
    def firmware(self):
        return self.state["device"]["firmware"]

    @property
    def v1(self):
        return tuple(int(part) for part in self.firmware.split(".")[:3]) < (7, 12, 5400)

    # -- sessions ------------------------------------------------------------------------------------------
    def active_sessions(self):
        with self.lock:
            self._drop_idle(time.time())
            return len(self._sessions)

    def expire_sessions(self):
        with self.lock:
            self._sessions.clear()

    def _drop_idle(self, now):
        for sid in [sid for sid, sess in self._sessions.items() if now - sess["last"] > self.session_timeout]:
            del self._sessions[sid]

    def _session(self, request):
        """Return (session, error message) for the request's cookie."""
        sid = request.cookies.get(COOKIE)
        sess = self._sessions.get(sid) if sid else None
        if sess is None:
            return None, "Not logged in"
        now = time.time()
        if now - sess["last"] > self.session_timeout:
            del self._sessions[sid]
            return None, "Session expired"
        sess["last"] = now
        return sess, None

    # -- Python helpers for tests --------------------------------------------------------------------------
    def set_portal_connected(self, connected):
        with self.lock:
            self._set_connected(bool(connected))
            self.save()

    def set_sync_phase_seconds(self, initializing, connecting, syncing):
        with self.lock:
            self.state["sim"]["sync_phase_seconds"] = [float(initializing), float(connecting), float(syncing)]
            self.save()

    def _sim_endpoint(self, request):
        """``POST /_sim/edge`` JSON (every key optional) changes what a test cannot reach through the device API:
        ``portal_connected``, ``sync_phase_seconds``, ``backup_seconds``, ``task_seconds``; the answer modes
        ``task_refs`` (TASK_REF_MODES), ``task_end`` (TASK_ENDS), ``backup_status`` (BACKUP_STATUS_MODES) and
        ``failed_attach`` (FAILED_ATTACH_MODES), ``cloud_volume`` (CLOUD_VOLUME_MODES); and
        ``volumes``, the names of the filer's volumes (a new one is empty; a volume a share uses cannot go). Other
        ``/_sim/*`` as in the base."""
        if request.path != "/_sim/edge":
            return Service._sim_endpoint(self, request)
        if request.method != "POST":
            return Response.json({"error": "use POST"}, status=405)
        try:
            plan = request.json() or {}
            with self.lock:
                sim = self.state["sim"]
                if "sync_phase_seconds" in plan:
                    phases = [float(x) for x in plan["sync_phase_seconds"]]
                    if len(phases) != 3 or min(phases) < 0:
                        raise ValueError("sync_phase_seconds: three non-negative numbers")
                    sim["sync_phase_seconds"] = phases
                for key in ("backup_seconds", "task_seconds"):
                    if key in plan:
                        sim[key] = max(0.0, float(plan[key]))
                for key, allowed in (("task_refs", TASK_REF_MODES), ("task_end", TASK_ENDS),
                                     ("backup_status", BACKUP_STATUS_MODES), ("failed_attach", FAILED_ATTACH_MODES),
                                     ("cloud_volume", CLOUD_VOLUME_MODES)):
                    if key in plan:
                        if plan[key] not in allowed:
                            raise ValueError("%s: one of %s" % (key, ", ".join(allowed)))
                        sim[key] = plan[key]
                if "volumes" in plan:
                    self._set_volumes(plan["volumes"])
                if "portal_connected" in plan:
                    self._set_connected(bool(plan["portal_connected"]))
                self.save()
                return Response.json({"portal_connected": self.state["portal"]["connected"], "sim": sim,
                                      "volumes": sorted(self.state["volume_tree"])})
        except (ValueError, TypeError) as exc:
            return Response.json({"error": str(exc)}, status=400)

    def _set_volumes(self, names):
        valid = isinstance(names, list) and all(isinstance(n, str) and n and "/" not in n for n in names)
        if not valid or not names or len(set(names)) != len(names):
            raise ValueError("volumes: a list of distinct volume names")
        used = set(share["volume"] for share in self._share_list())
        if used - set(names):
            raise ValueError("volumes: %s hold shares" % ", ".join(sorted(used - set(names))))
        tree = self.state["volume_tree"]
        self.state["volume_tree"] = {name: tree.get(name, []) for name in names}
        self.state["config"]["storage"]["volumes"] = [self._volume_config(name) for name in names]

    def _set_connected(self, connected):
        portal = self.state["portal"]
        if portal["connected"] != connected:
            portal["connected"] = connected
            portal["since"] = time.time()
            if self.state["config"]["cloudsync"]["mode"] == "enabled":
                self.state["cloudsync"]["changed"] = time.time()
        if connected and not self.state["config"].get("services"):
            self.state["config"]["services"] = self._services_config()

    # -- routing -------------------------------------------------------------------------------------------
    def _build_routes(self):
        """Route tables of ``/admingui/api`` before and after the session check, and of the Migrate API.

        Admin API paths are matched without their leading and trailing slashes; the segments in between count as
        sent, empty ones too. Handlers take the request and the pattern's groups.
        """
        share = r"config/fileservices/share/([^/]*)"
        open_routes = RouteTable([
            ("POST", r"login", self._login),
            ("GET", r"nosession/logininfo", self._login_info),
            *self.device_open_routes(),
            ("*", r"nosession/.*", _not_found),
        ])
        routes = RouteTable(self.device_routes() + [
            ("POST", r"logout", self._logout),
            ("GET", r"currentuser", self._current_user),
            ("GET", r"export", self._export),
            ("GET", r"config/fileservices/share", self._list_shares),
            ("POST", r"config/fileservices/share", self._shares_method),
            ("GET", share, self._get_share),
            ("PUT", share, self._put_share),
            ("DELETE", share, self._delete_share),
            ("GET", share + r"/([^/]*)(/.*)?", self._get_share_attr),
            ("PUT", share + r"/([^/]*)", self._put_share_attr),
            ("*", r"config/fileservices/share(?:/([^/]*)(?:/([^/]*).*)?)?", self._share_not_allowed),
            ("GET", r"config/cloudsync/mode", self._get_sync_mode),
            ("PUT", r"config/cloudsync/mode", self._put_sync_mode),
            ("*", r"config/cloudsync/mode", _not_allowed),
            ("GET", r"proc/cloudsync/serviceStatus(.*)", self._get_sync_status),
            ("GET", r"status/services(/.*)?", self._get_services_status),
            ("POST", r"status/services", self._services_method),
            ("*", r"status/services(/.*)?", _not_allowed),
            ("PUT", r"config/services", self._disconnect),
            ("PUT", r"config/backup", self._put_backup_settings),
            ("GET", r"defaults/BackupSettings", self._get_backup_defaults),
            ("GET", r"proc/backup/backupStatus(.*)", self._get_backup_status),
            ("POST", r"status/sync", self._backup_control),
            ("POST", r"status/device", self._device_action),
            ("GET", r"status/device(/.*)?", self._get_device_status),
            ("POST", r"status/fileManager", self._file_manager),
            ("POST", r"status/network", self._network),
            ("GET", r"proc/bgtasks", self._list_tasks),
            ("POST", r"proc/bgtasks", self._query_tasks),
            ("GET", r"proc/bgtasks/([^/]*)(/.*)?", self._get_task),
            ("*", r"proc/bgtasks(/.*)?", _not_allowed),
            ("GET", r"config(/.*)?", self._get_config),
            ("PUT", r"config(/.*)?", self._put_config),
            ("*", r"config(/.*)?", _not_allowed),
        ])
        migrate_routes = RouteTable([
            ("GET", r"/auth/user", self._migrate_user),
        ])
        return open_routes, routes, migrate_routes

    def route(self, request):
        try:
            if request.path.startswith(MIGRATE + "/") or request.path == MIGRATE:
                return self._migrate(request)
            if request.path == API or request.path.startswith(API + "/"):
                return self._api(request, request.path[len(API):].strip("/"))
            return _not_found()
        except (ApiError, DeviceError) as error:
            return _err(error.status, error.msg)

    def _migrate(self, request):
        sess, why = self._session(request)
        if sess is None:
            return Response.json({"error": why}, status=401)
        handler, groups = self._migrate_routes.find(request.method, request.path[len(MIGRATE):])
        if handler is not None:
            return handler(request, *groups)
        if request.header("x-mt-x") != sess["mtx"]:
            return Response.json({"error": "Invalid x-mt-x token"}, status=401)
        return Response.json({"error": "Not found"}, status=404)

    def _api(self, request, path):
        handler, groups = self._open_routes.find(request.method, path)
        if handler is None:
            sess, why = self._session(request)
            if sess is None:
                return _err(401, why)
            handler, groups = self._routes.find(request.method, path)
        if handler is None:
            return _not_found()
        return handler(request, *groups)

    def _session_of(self, request):
        """The session of a request that passed the session check."""
        return self._sessions[request.cookies.get(COOKIE)]

    # -- login ---------------------------------------------------------------------------------------------
    def _login(self, request):
        """Any local user with its password; none before the first user of a factory filer was created."""
        form = request.form()
        username, password = form.get("username"), form.get("password", "")
        if not self.state["initialized"] or not self.password_matches(username, password):
            self.stats_failed_logins += 1
            return _err(500, "Wrong username or password")
        now = time.time()
        self._drop_idle(now)
        sid = secrets.token_hex(16)
        self._sessions[sid] = {"user": username, "last": now, "mtx": secrets.token_hex(16)}
        self.stats_logins += 1
        return Response(200, "", XML_TYPE).set_cookie(COOKIE, sid)

    def _login_info(self, _request):
        return _xml({"_classname": "LoginInfo", "hostname": self.state["config"]["device"]["hostname"],
                     "isfirstlogin": not self.state["initialized"], "isSSO": False,
                     "model": self.state["device"]["model"], "version": self.firmware})

    # Helpers the device part (edge_device.py) calls.
    @staticmethod
    def parse_body(request):
        return from_xml(request.body)

    @staticmethod
    def xml_answer(value):
        return _xml(value)

    @staticmethod
    def call_method(request, methods, kind=None):
        return _call(request, methods, kind)

    def public(self, node):
        return self._public_config(node)

    def walk_answer(self, root, tail):
        return self._walk_get(root, tail)

    def session_user(self, request):
        sess = self._sessions.get(request.cookies.get(COOKIE))
        return sess["user"] if sess else None

    def _logout(self, request):
        self._sessions.pop(request.cookies.get(COOKIE), None)
        return Response(200, "", XML_TYPE).set_cookie(COOKIE, "", expire=True)

    def _current_user(self, request):
        return _xml({"_classname": "CurrentUserInfo", "username": self._session_of(request)["user"],
                     "fullName": "Administrator", "email": "", "role": "admin", "isRemote": False})

    def _migrate_user(self, request):
        sess = self._session_of(request)
        return Response.json({"user": sess["user"], "username": sess["user"], "role": "admin"},
                             headers=[("x-mt-x", sess["mtx"])])

    # -- generic tree access -------------------------------------------------------------------------------
    @staticmethod
    def _walk(node, parts):
        for part in parts:
            if part == "":
                continue
            if isinstance(node, dict) and part in node and not part.startswith("_"):
                node = node[part]
            elif isinstance(node, list):
                match = [item for item in node if isinstance(item, dict)
                         and part in (item.get("name"), item.get("username"), item.get("_uuid"))]
                if not match:
                    raise ApiError(404, "Resource does not exist")
                node = match[0]
            else:
                raise ApiError(404, "Resource does not exist")
        return node

    def _walk_get(self, root, tail):
        """GET of ``root`` or of what the segments in ``tail`` (see ``_tail``) name inside it."""
        return _xml(self._walk(root, _tail(tail)))

    def _public_config(self, node):
        """Configuration as answered to clients: write-only secrets are null, and a share's directory has a leading
        ``/`` (``/users/docs``; ``/`` for the whole volume), as CTERA's own Ansible collection reads it. The state
        keeps it without, as cterasdk sends it."""
        if isinstance(node, dict):
            answer = {k: (None if k in ("sharedSecret", "password") else self._public_config(v))
                      for k, v in node.items()}
            if node.get("_classname") == "ShareConfig" and isinstance(node.get("directory"), str):
                answer["directory"] = "/" + node["directory"]
            return answer
        if isinstance(node, list):
            return [self._public_config(item) for item in node]
        return node

    def _get_config(self, _request, tail=None):
        return _xml(self._public_config(self._walk(self.state["config"], _tail(tail))))

    def _put_config(self, request, tail=None):
        config = self.state["config"]
        parts = _tail(tail)
        if not parts or parts[0] not in ("device", "gui", "network", "cloudsync", "backup"):
            raise ApiError(403, "This resource cannot be modified")
        if parts[0] == "backup" and parts[1:2] in (["sharedSecret"], ["passPhraseSalt"], ["encryptionMode"]):
            raise ApiError(400, "Encryption settings are set with PUT /config/backup as a whole")
        parent = self._walk(config, parts[:-1])
        leaf = parts[-1]
        if not isinstance(parent, dict) or leaf not in parent or leaf.startswith("_"):
            raise ApiError(404, "Resource does not exist")
        value = from_xml(request.body)
        current = parent[leaf]
        if isinstance(current, bool):
            value = _as_bool(value, leaf)
        elif isinstance(current, int) and not isinstance(current, bool):
            value = _as_int(value, leaf)
        elif isinstance(current, (dict, list)) != isinstance(value, (dict, list)):
            raise ApiError(400, "Invalid value for %s" % leaf)
        if parts == ["device", "activeLicenseType"]:
            _enum(value, LICENSES, "activeLicenseType")
        if parts == ["device", "hostname"] and (not isinstance(value, str) or not value):
            raise ApiError(400, "Invalid value for hostname")
        parent[leaf] = value
        self.save()
        return _xml(value)

    # -- device --------------------------------------------------------------------------------------------
    def _device_status(self):
        dev = self.state["device"]
        return {"_classname": "DeviceStatus", "runningFirmware": dev["firmware"],
                "hostname": self.state["config"]["device"]["hostname"], "model": dev["model"],
                "platform": "Edge Filer", "serialNumber": dev["serialNumber"], "MacAddress": dev["MacAddress"],
                "uptime": int(time.time() - dev["bootTime"]), "time": _iso(time.time()),
                "volumes": sorted(self.state["volume_tree"])}

    def _get_device_status(self, _request, tail=None):
        return self._walk_get(self._device_status(), tail)

    @staticmethod
    def _device_action(request):
        return _call(request, dict.fromkeys(("reboot", "poweroff", "reset2default"), _accept))

    def _file_manager(self, request):
        return _call(request, {"listPhysicalFolders": self._list_physical_folders})

    def _list_physical_folders(self, param):
        tree = self.state["volume_tree"]
        path = (param or {}).get("path", "/") if isinstance(param, dict) else "/"
        path = "/" + path.strip("/")
        if path == "/":
            children = [(vol, "/" + vol) for vol in sorted(tree)]
        else:
            volume, _sep, rel = path[1:].partition("/")
            if volume not in tree or (rel and rel not in tree[volume]):
                raise ApiError(404, "Resource does not exist")
            prefix = rel + "/" if rel else ""
            children = [(d[len(prefix):], "/%s/%s" % (volume, d)) for d in tree[volume]
                        if d.startswith(prefix) and "/" not in d[len(prefix):]]
        return _xml([{"_classname": "PhysicalFolder", "name": name_, "fullpath": full, "type": "folder",
                      "isShared": False} for name_, full in children])

    def _network(self, request):
        return _call(request, {"tcpconnect": self._tcp_connect})

    def _tcp_connect(self, param):
        param = _dict(param)
        task = self._new_task("TCP connect", "Testing TCP connection to %s:%s" % (param.get("address"),
                                                                                  param.get("port")),
                              {"_classname": "TcpConnectResult", "address": param.get("address"),
                               "rc": "Open" if self._server_problem(param.get("address"), True) is None else "Closed",
                               "port": param.get("port")})
        return _xml(self._task_ref(task))

    # -- shares --------------------------------------------------------------------------------------------
    def _share_list(self):
        return self.state["config"]["fileservices"]["share"]

    def _find_share(self, name):
        for share in self._share_list():
            if share["name"] == name:
                return share
        raise ApiError(404, "Share does not exist: %s" % name)

    def _new_share(self, fields, firmware=None):
        share = {"_classname": "ShareConfig", "_uuid": str(uuidlib.uuid4()), "name": None, "volume": None,
                 "directory": "", "access": "winAclMode", "clientSideCaching": "manual", "exportToAFP": False,
                 "exportToFTP": False, "exportToNFS": False, "indexed": False, "comment": None, "acl": [],
                 "trustedNFSClients": [], "screenedFileTypes": []}
        if (firmware or self.firmware) == FIRMWARE_V1:  # initial_state runs before self.state exists
            share.update({"dirPermissions": 777, "exportToPCAgent": False, "exportToRSync": False})
        share.update(fields)
        return share

    def _share_attribute(self, name, attr):
        """Share ``name`` once it is known to have the attribute ``attr`` (404 otherwise)."""
        share = self._find_share(name)
        if attr not in share or attr.startswith("_"):
            raise ApiError(404, "Resource does not exist")
        return share

    def _list_shares(self, _request):
        return _xml(self._public_config(self._share_list()))

    def _shares_method(self, request):
        return _call(request, {"add": self._add_share}, kind="db")

    def _get_share(self, _request, name):
        return _xml(self._public_config(self._find_share(name)))

    def _delete_share(self, _request, name):
        self._share_list().remove(self._find_share(name))
        self.save()
        return _xml(None)

    def _get_share_attr(self, _request, name, attr, rest=None):
        return _xml(self._walk(self._public_config(self._share_attribute(name, attr))[attr], _tail(rest)))

    def _put_share_attr(self, request, name, attr):
        share = self._share_attribute(name, attr)
        if attr == "name":
            raise ApiError(400, "A share cannot be renamed")
        updated = dict(share)
        updated[attr] = from_xml(request.body)
        if attr == "screenedFileTypes" and updated["access"] != "winAclMode":
            raise ApiError(400, "Blocked file types are supported only on shares with Windows ACL emulation "
                                "mode (winAclMode)")
        self._store_share(share, self._validate_share(updated, existing=share))
        return _xml(self._public_config(share)[attr])

    def _share_not_allowed(self, _request, name=None, attr=None):
        """405, once the share and attribute the path names are known to exist (404 otherwise)."""
        if attr is not None:
            self._share_attribute(name, attr)
        elif name is not None:
            self._find_share(name)
        return _not_allowed()

    def _add_share(self, param):
        if not isinstance(param, dict):
            raise ApiError(400, "Invalid share configuration")
        if "_classname" in param and param["_classname"] != "ShareConfig":
            raise ApiError(400, "Invalid class for a share: %s" % param["_classname"])
        fields = {k: v for k, v in param.items() if not k.startswith("_")}
        share = self._new_share(fields)
        if param.get("_uuid"):
            share["_uuid"] = param["_uuid"]
        share = self._validate_share(share, existing=None)
        self._share_list().append(share)
        self.save()
        return _xml("#config#fileservices#share#" + share["name"])

    def _put_share(self, request, name):
        share = self._find_share(name)
        body = from_xml(request.body)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid share configuration")
        if body.get("_classname") not in (None, "ShareConfig"):
            raise ApiError(400, "Invalid class for a share: %s" % body["_classname"])
        if body.get("_uuid") not in (None, share["_uuid"]):
            raise ApiError(400, "Share uuid mismatch")
        if body.get("name", share["name"]) != share["name"]:
            raise ApiError(400, "A share cannot be renamed")
        merged = dict(share)
        merged.update({k: v for k, v in body.items() if not k.startswith("_")})
        self._store_share(share, self._validate_share(merged, existing=share))
        return _xml(self._public_config(share))

    def _store_share(self, share, validated):
        share.clear()
        share.update(validated)
        self.save()

    def _validate_share(self, share, existing):
        allowed = set(SHARE_ATTRS) | (set(V1_ONLY) if self.v1 else set())
        unknown = [k for k in share if not k.startswith("_") and k not in allowed]
        if unknown:
            raise ApiError(400, "Unknown share attribute: %s" % ", ".join(sorted(unknown)))
        out = {"_classname": "ShareConfig", "_uuid": share.get("_uuid") or str(uuidlib.uuid4())}
        name = share.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "Share name is required")
        if len(name) > 80 or SHARE_NAME_FORBIDDEN & set(name) or name != name.strip():
            raise ApiError(400, "Invalid share name: %s (up to 80 characters, none of \\ / : * ? \" < > |)" % name)
        for other in self._share_list():
            if other is not existing and other["name"].lower() == name.lower():
                raise ApiError(409, "Share already exists: %s" % other["name"])
        out["name"] = name
        tree = self.state["volume_tree"]
        volume = share.get("volume")
        if volume not in tree:
            raise ApiError(400, "Volume does not exist: %s" % volume)
        out["volume"] = volume
        directory = (share.get("directory") or "").strip("/")  # accepted with or without the leading "/"
        if directory and directory not in tree[volume]:
            raise ApiError(400, "Directory does not exist: %s/%s" % (volume, directory))
        out["directory"] = directory
        out["access"] = _enum(share.get("access"), ACCESS_MODES, "access")
        out["clientSideCaching"] = _enum(share.get("clientSideCaching"), CSC_MODES, "clientSideCaching")
        for key in SHARE_BOOLS:
            out[key] = _as_bool(share.get(key), key)
        comment = share.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise ApiError(400, "Invalid value for comment")
        out["comment"] = comment
        out["acl"] = [self._validate_ace(ace) for ace in self._list(share.get("acl"), "acl")]
        out["trustedNFSClients"] = [self._validate_nfs(entry)
                                    for entry in self._list(share.get("trustedNFSClients"), "trustedNFSClients")]
        screened = self._list(share.get("screenedFileTypes"), "screenedFileTypes")
        if any(not isinstance(ext, str) or not ext or "/" in ext for ext in screened):
            raise ApiError(400, "Invalid value for screenedFileTypes: expected file extensions")
        if screened and out["access"] != "winAclMode":
            raise ApiError(400, "Blocked file types are supported only on shares with Windows ACL emulation mode "
                                "(winAclMode)")
        out["screenedFileTypes"] = list(screened)
        if self.v1:
            perms = _as_int(share.get("dirPermissions", 777), "dirPermissions")
            if not 0 <= perms <= 777 or any(c not in "01234567" for c in str(perms)):
                raise ApiError(400, "Invalid value for dirPermissions: %s" % perms)
            out["dirPermissions"] = perms
            out["exportToPCAgent"] = _as_bool(share.get("exportToPCAgent", False), "exportToPCAgent")
            out["exportToRSync"] = _as_bool(share.get("exportToRSync", False), "exportToRSync")
        return out

    @staticmethod
    def _list(value, field):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ApiError(400, "Invalid value for %s: expected a list" % field)
        return value

    def _validate_ace(self, ace):
        if not isinstance(ace, dict) or ace.get("_classname") != "ShareACLRule":
            raise ApiError(400, "Invalid access control entry: expected ShareACLRule")
        principal = ace.get("principal2")
        if not isinstance(principal, dict) or principal.get("_classname") not in PRINCIPALS:
            raise ApiError(400, "Invalid principal type (allowed: %s)" % ", ".join(PRINCIPALS))
        kind = principal["_classname"]
        if kind in ("LocalUser", "LocalGroup"):
            prefix = "#config#auth#users#" if kind == "LocalUser" else "#config#auth#groups#"
            ref = principal.get("ref")
            if not isinstance(ref, str) or not ref.startswith(prefix):
                raise ApiError(400, "Invalid %s reference: %s" % (kind, ref))
            known = self.local_names(kind)
            if ref[len(prefix):] not in known:
                label = "Local user" if kind == "LocalUser" else "Local group"
                raise ApiError(400, "%s does not exist: %s" % (label, ref[len(prefix):]))
            principal_out = {"_classname": kind, "ref": ref}
        else:
            pname = principal.get("name")
            if not isinstance(pname, str) or not pname.strip():
                raise ApiError(400, "Invalid %s name" % kind)
            problem = self.domain_principal_problem(kind, pname)
            if problem:
                raise ApiError(400, problem)
            principal_out = {"_classname": kind, "name": pname}
        perms = ace.get("permissions")
        access = perms.get("allowedFileAccess") if isinstance(perms, dict) else None
        _enum(access, FILE_ACCESS, "allowedFileAccess")
        return {"_classname": "ShareACLRule", "principal2": principal_out,
                "permissions": {"_classname": "FileAccessPermissions", "allowedFileAccess": access}}

    @staticmethod
    def _validate_nfs(entry):
        if not isinstance(entry, dict):
            raise ApiError(400, "Invalid trusted NFS client entry")
        address = entry.get("address")
        if not isinstance(address, str) or not address.strip() or " " in address:
            raise ApiError(400, "Invalid trusted NFS client address: %s" % address)
        netmask = entry.get("netmask")
        octets = netmask.split(".") if isinstance(netmask, str) else []
        if len(octets) != 4 or not all(o.isdigit() and int(o) <= 255 for o in octets):
            raise ApiError(400, "Invalid trusted NFS client netmask: %s" % netmask)
        bits = "".join("{0:08b}".format(int(o)) for o in octets)
        if "01" in bits:
            raise ApiError(400, "Invalid trusted NFS client netmask: %s" % netmask)
        out = {"address": address, "netmask": netmask,
               "accessLevel": _enum(entry.get("accessLevel"), FILE_ACCESS, "accessLevel"),
               "noRootSquash": _as_bool(entry.get("noRootSquash", False), "noRootSquash"),
               "insecure": _as_bool(entry.get("insecure", False), "insecure")}
        if entry.get("_classname"):
            out["_classname"] = entry["_classname"]
        return out

    # -- cloud sync ----------------------------------------------------------------------------------------
    def _get_sync_mode(self, _request):
        return _xml(self.state["config"]["cloudsync"]["mode"])

    def _put_sync_mode(self, request):
        mode = _enum(from_xml(request.body), ("enabled", "disabled"), "mode")
        if mode != self.state["config"]["cloudsync"]["mode"]:
            self.state["config"]["cloudsync"]["mode"] = mode
            self.state["cloudsync"]["changed"] = time.time()
            self.save()
        return _xml(mode)

    def sync_status_id(self, now=None):
        now = time.time() if now is None else now
        if self.state["config"]["cloudsync"]["mode"] != "enabled":
            return "Off"
        elapsed = now - self.state["cloudsync"]["changed"]
        init, connecting, syncing = self.state["sim"]["sync_phase_seconds"]
        if elapsed < init:
            return "InitializingConnection"
        if not self.state["portal"]["connected"]:
            return "DisconnectedPortal"
        if elapsed < init + connecting:
            return "ConnectingFolders"
        if elapsed < init + connecting + syncing:
            return "Syncing"
        return "Synced"

    def _get_sync_status(self, _request, tail):
        return self._walk_get(self._sync_status(), tail)

    def _sync_status(self):
        now = time.time()
        status = self.sync_status_id(now)
        syncing = status == "Syncing"
        return {"_classname": "CloudSyncStatus", "id": status,
                "message": "" if status in ("Synced", "Off") else status,
                "uploadingFiles": 3 if syncing else 0, "downloadingFiles": 1 if syncing else 0,
                "filesInUploadQueue": 12 if syncing else 0, "filesInDownloadQueue": 0,
                "scanningFiles": 0, "selectedFilesToSync": 0,
                "lastSuccessfulScan": _iso(self.state["cloudsync"]["changed"]) if status == "Synced" else None,
                "since": _iso(self.state["cloudsync"]["changed"])}

    # -- portal services -----------------------------------------------------------------------------------
    # The filer's connection to a CTERA Portal, as cterasdk's edge/services.py and licenses.py drive it. A filer
    # started by serve.py next to a portal simulator is linked to it (``link_portal``): connecting to the portal's
    # address (``host:port`` of its URL) authenticates the user there and registers the filer as a device of the
    # user's tenant; disconnecting removes the device. ``portal.filefleet.test`` stands for a portal outside the
    # simulators, which accepts any user (the address the filers of the existing tests are connected to).
    EXTERNAL_PORTAL = "portal.filefleet.test"
    UNTRUSTED = "UntrustedCA"
    portal_link = None      # the linked PortalService, if any
    portal_address = None   # its address as an administrator types it: "127.0.0.1:PORT"
    portal_tls = False      # whether the portal serves TLS with a CA the filer does not know
    public_url = None       # this filer's own URL (the device's remote access URL on the portal)
    boot_tenant = None      # tenant of a filer that starts connected (serve.py --edge-tenants)

    def link_portal(self, portal, address, tls, url, tenant=None):
        """Link this filer to the portal simulator ``portal`` reachable at ``address``; ``tenant``: the tenant a
        filer that starts connected is registered on (serve.py ``--edge-tenants``)."""
        with self.lock:
            self.portal_link, self.portal_address, self.portal_tls, self.public_url = portal, address, bool(tls), url
            self.boot_tenant = tenant
            self._register_at_boot()

    def dispatch(self, request):
        """Every request (``/_sim/state`` included) sees the cloud volume as the linked portal gives it now."""
        with self.lock:
            self._refresh_cloud_volume()
        return Service.dispatch(self, request)

    def _refresh_cloud_volume(self):
        """On a filer connected to the linked portal (mode ``cloud_volume: portal``), the ``cloud`` volume holds the
        cloud folders the portal gives this device, under ``users/{owner's display name}/{folder}``."""
        portal = self.state["portal"]
        services = self.state["config"].get("services") or {}
        if (self.portal_link is None or self.state["sim"].get("cloud_volume") != "portal" or not portal["connected"]
                or services.get("server") != self.portal_address or not portal.get("tenant")
                or "cloud" not in self.state["volume_tree"]):
            return
        tree = ["users"]
        for path in self.portal_link.cloud_folder_paths_for_device(portal["tenant"], portal["device"],
                                                                   services.get("user")):
            owner = "users/" + path.split("/", 1)[0]
            tree += [owner] if owner not in tree else []
            tree.append("users/" + path)
        if tree != self.state["volume_tree"]["cloud"]:
            self.state["volume_tree"]["cloud"] = tree
            self.save()

    def _register_at_boot(self):
        """A filer that starts connected, with a tenant, is a device of that tenant (as if it had connected)."""
        if self.boot_tenant and self.state["portal"]["connected"] and self.portal_link is not None:
            hostname = self.state["config"]["device"]["hostname"]
            self.portal_link.register_device(hostname, self.boot_tenant, self.public_url,
                                             model=self.state["device"]["model"], version=self.firmware)
            self.state["portal"].update(tenant=self.boot_tenant, device=hostname)
            self.save()

    def _services_status(self):
        portal = self.state["portal"]
        services = self.state["config"].get("services") or {}
        connected = portal["connected"] and bool(services)
        return {"_classname": "ServicesStatus",
                "CTERAPortal": {"_classname": "CTERAPortalStatus",
                                "connectionState": "Connected" if connected else "Disconnected",
                                "connectedAddress": "192.0.2.10" if connected else None,
                                "serverList": [{"_classname": "ServerInfo", "name": services.get("server")}]
                                if connected else [],
                                "establishedTime": _iso(portal["since"]) if connected else None,
                                "lastDisconnectReason": None if connected else "Connection lost"},
                "userDisplayName": services.get("user") if connected else None,
                "portalVersion": "8.3.1400.9" if connected else None,
                "serverName": services.get("server")}

    def _get_services_status(self, _request, tail=None):
        return self._walk_get(self._services_status(), tail)

    def _services_method(self, request):
        return _call(request, {
            "isWebSsoEnabled": self._web_sso_info,
            "attachAndSave": self._attach_and_save,
            "reconnect": self._reconnect,
            "attachFolder": functools.partial(self._backup_folder, "attachFolder"),
            "attachEncryptedFolder": functools.partial(self._backup_folder, "attachEncryptedFolder"),
            "createFolder": functools.partial(self._backup_folder, "createFolder"),
        })

    def _server_problem(self, server, trust):
        """Why the filer cannot reach ``server`` (an ``rc`` of ``isWebSsoEnabled``), or None."""
        if server == self.EXTERNAL_PORTAL:
            return None
        if self.portal_link is None or server != self.portal_address:
            return "ConnectionFailed"
        if self.portal_tls and not trust:
            return self.UNTRUSTED
        return None

    def _web_sso_info(self, param):
        """The SDK's connection check before ``connect`` (services.py ``_check_connection``): ``connectOK`` with
        ``hasWebSSO`` false, ``UntrustedCA`` (no result) for the linked portal's certificate unless
        ``trustCertificate`` is true, ``ConnectionFailed`` for a server the filer cannot reach."""
        param = _dict(param)
        problem = self._server_problem(param.get("server"), _as_bool(param.get("trustCertificate") or False,
                                                                     "trustCertificate"))
        if problem is not None:
            message = ("The certificate of %s is signed by an unknown authority" % param.get("server")
                       if problem == self.UNTRUSTED else "Cannot connect to %s" % param.get("server"))
            return _xml({"_classname": "ConnectResult", "rc": problem, "msg": message, "result": None})
        return _xml({"_classname": "ConnectResult", "rc": "connectOK", "msg": "",
                     "result": {"_classname": "WebSsoInfo", "hasWebSSO": False}})

    def _attach_and_save(self, param):
        """``attachAndSave`` (services.py ``_attach``): a task; on success the filer is connected to ``server`` as
        ``user`` and registered on a linked portal. A refused user, password or activation code, an untrusted
        certificate or an unknown server fail the task (its ``description`` says why, which the SDK reports) and
        leave the filer as it was, or, with ``failed_attach: drops``, disconnected from its old portal with the old
        settings still saved (``reconnect`` restores it)."""
        param = _dict(param)
        server, user = param.get("server"), param.get("user")
        if not server or not user:
            raise ApiError(400, "server and user are required")
        trust = _as_bool(param.get("trustCertificate") or False, "trustCertificate")
        problem, tenant = self._server_problem(server, trust), None
        reason = {None: None, self.UNTRUSTED: "The certificate of %s is not trusted" % server}.get(
            problem, "Cannot connect to %s" % server)
        if reason is None and self.state["sim"]["task_end"] in TASK_FAILURES:
            reason = "Failed: internal error"
        if reason is None and server == self.portal_address:
            try:
                tenant = self.portal_link.device_tenant(server, user, password=param.get("password"),
                                                        code=param.get("activationCode"))
            except ValueError as refused:
                reason = str(refused)
        if reason is not None:
            task = self._new_task("Connect to cloud services", reason, {"_classname": "AttachResult", "rc": "Failed",
                                                                        "msg": reason})
            task["end"] = "failed" if task["end"] not in TASK_FAILURES else task["end"]
            if self.state["sim"].get("failed_attach") == "drops":
                self._set_connected(False)
            self.save()
            return _xml({"_classname": "TaskRef", "id": task["id"]})
        self._portal_forget()
        self.state["config"]["services"] = {"_classname": "ServicesSettings", "server": server, "user": user,
                                            "trustCertificate": trust}
        self._set_connected(True)
        if tenant is not None:
            hostname = self.state["config"]["device"]["hostname"]
            self.portal_link.register_device(hostname, tenant, self.public_url, model=self.state["device"]["model"],
                                             version=self.firmware)
            self.state["portal"].update(tenant=tenant, device=hostname)
        task = self._new_task("Connect to cloud services", "Connecting to %s" % server,
                              {"_classname": "AttachResult", "rc": "OK"})
        self.save()
        return _xml({"_classname": "TaskRef", "id": task["id"]})

    def reset(self):
        """``/_sim/reset``: a filer back in its initial state is no longer a device of the portal it connected to."""
        with self.lock:
            self._portal_forget()
            Service.reset(self)
            self._register_at_boot()

    def _portal_forget(self):
        """Unregister this filer from the linked portal it was registered on (on disconnect or a new connection)."""
        portal = self.state["portal"]
        tenant, device = portal.pop("tenant", None), portal.pop("device", None)
        if tenant and device and self.portal_link is not None:
            self.portal_link.unregister_device(device, tenant)

    def _reconnect(self, _param):
        if self.state["config"].get("services"):
            self._set_connected(True)
            self.save()
        return _xml(None)

    def _disconnect(self, request):
        if from_xml(request.body) is not None:
            raise ApiError(400, "Only an empty body is accepted (disconnect)")
        self._portal_forget()
        self.state["config"]["services"] = None
        self._set_connected(False)
        self.save()
        return _xml(None)

    # -- backup --------------------------------------------------------------------------------------------
    @staticmethod
    def _derived_key(salt, secret):
        return _sha256("ctera-sim-backup-key:%s:%s" % (salt, secret))

    def _backup_folder(self, name, param):
        param = _dict(param)
        created = None
        if not self.state["portal"]["connected"]:
            raise ApiError(500, "The device is not connected to CTERA Portal")
        backup = self.state["backup"]
        folder = backup["folder"]
        if name == "attachFolder":
            if folder is None:
                result = {"attachFolderRC": "NotFound"}
            elif folder["encryptionMode"] == "SecretKeyEncryption":
                result = {"attachFolderRC": "IsEncrypted", "encryptionMode": folder["encryptionMode"],
                          "encryptedFolderKey": folder["encryptedFolderKey"], "passPhraseSalt": folder["salt"]}
            else:
                result = {"attachFolderRC": "OK", "encryptionMode": folder["encryptionMode"],
                          "sharedSecret": self._derived_key(folder["salt"], folder["id"]),
                          "passPhraseSalt": folder["salt"]}
        elif name == "attachEncryptedFolder":
            secret = param.get("sharedSecret") or ""
            if folder is None:
                result = {"attachFolderRC": "NotFound"}
            elif folder["passphraseCheck"] != _sha256("%s:%s" % (folder["salt"], secret)):
                result = {"attachFolderRC": "CheckCodeInCorrect"}
            else:
                result = {"attachFolderRC": "OK", "encryptionMode": folder["encryptionMode"],
                          "sharedSecret": self._derived_key(folder["salt"], secret), "passPhraseSalt": folder["salt"]}
        else:
            mode = _enum(param.get("encryptionMode"), ENCRYPTION_MODES, "encryptionMode")
            secret = param.get("sharedSecret")
            if folder is not None:
                result = {"createFolderRC": "FolderAlreadyExists"}
            elif mode == "SecretKeyEncryption" and (not isinstance(secret, str) or len(secret) < 1):
                raise ApiError(400, "A passphrase is required for SecretKeyEncryption")
            else:
                salt = secrets.token_hex(8)
                folder = {"id": str(uuidlib.uuid4()), "encryptionMode": mode, "salt": salt,
                          "encryptedFolderKey": secrets.token_hex(24), "created": _iso(time.time()),
                          "passphraseCheck": _sha256("%s:%s" % (salt, secret)) if mode == "SecretKeyEncryption"
                          else None}
                key = self._derived_key(salt, secret if mode == "SecretKeyEncryption" else folder["id"])
                folder["keyCheck"] = _sha256(key)
                backup["folder"] = created = folder
                result = {"createFolderRC": "OK", "sharedSecret": key, "passPhraseSalt": salt}
        result["_classname"] = "AttachFolderResult" if "attachFolderRC" in result else "CreateFolderResult"
        key = result.pop("sharedSecret", None)
        if key is not None:
            result["sharedSecret"] = None  # filled in from memory when the task is read
        task = self._new_task(name, "Cloud backup: %s" % name, result)
        if key is not None:
            self._task_keys[task["id"]] = key
        if task["end"] in TASK_FAILURES and created is not None:
            backup["folder"] = None  # a task that did not complete leaves no folder behind
        self.save()
        return _xml(self._task_ref(task))

    def _put_backup_settings(self, request):
        body = from_xml(request.body)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid backup settings")
        current = self.state["config"]["backup"]
        unknown = [k for k in body if not k.startswith("_") and k not in current]
        if unknown:
            raise ApiError(400, "Unknown backup settings attribute: %s" % ", ".join(sorted(unknown)))
        mode = body.get("encryptionMode", current["encryptionMode"])
        if mode is not None:
            _enum(mode, ENCRYPTION_MODES, "encryptionMode")
        secret = body.get("sharedSecret")
        folder = self.state["backup"]["folder"]
        attach = False
        if self.state["backup"]["attached"] and folder is not None and mode != folder["encryptionMode"]:
            raise ApiError(400, "Encryption settings do not match the cloud backup folder")
        if secret is not None:
            if folder is None or _sha256(secret) != folder["keyCheck"]:
                raise ApiError(400, "Invalid shared secret for the cloud backup folder")
            if mode != folder["encryptionMode"] or body.get("passPhraseSalt") != folder["salt"]:
                raise ApiError(400, "Encryption settings do not match the cloud backup folder")
            attach = True
        for key, value in body.items():
            if not key.startswith("_") and key != "sharedSecret":
                current[key] = value
        if attach:
            self.state["backup"]["attached"] = True
        self.save()
        return _xml(self._public_config(current))

    def _backup_run(self, now):
        """Materialise a finished backup run; returns the run state."""
        backup = self.state["backup"]
        if backup["run"] == "Running" and now - backup["started"] >= self.state["sim"]["backup_seconds"] - backup["done"]:
            backup["lastSuccess"] = backup["started"] + self.state["sim"]["backup_seconds"] - backup["done"]
            backup["run"], backup["started"], backup["done"] = "Idle", None, 0.0
            self.save()
        return backup

    def _get_backup_defaults(self, _request):
        return _xml(self._backup_defaults())

    def _get_backup_status(self, _request, tail):
        return self._walk_get(self._backup_status(), tail)

    def _backup_status(self):
        """``proc/backup/backupStatus``. Every mode has what vendor sources name: ``serviceStatus.id`` (cterasdk
        edge/backup.py is_configured) and ``serviceStatus.desc``, ``backupHistory.lastSuccessfulSync``/``totalFiles``/
        ``totalSize`` (the device backup status cterasdk cli/export.py reads from a portal). ``state["sim"]
        ["backup_status"]`` adds the invented run fields: ``extended`` all of them (``status``, ``suspended``,
        ``running``, ``progress``, ``encryptionMode``, ``lastSuccessfulBackupTime``, ``currentBackupStartTime``),
        ``status`` only the ``status`` text, ``vendor`` none."""
        now = time.time()
        backup = self._backup_run(now)
        attached = backup["attached"]
        total = self.state["sim"]["backup_seconds"] or 1.0
        done = backup["done"] + (now - backup["started"] if backup["run"] == "Running" else 0.0)
        status = {"_classname": "BackupStatus",
                  "serviceStatus": {"_classname": "BackupConfStatus",
                                    "id": "Attached" if attached else "NotInitialized",
                                    "desc": "Attached" if attached else "Cloud backup is not configured",
                                    "message": "" if attached else "Cloud backup is not configured"},
                  "backupHistory": {"_classname": "BackupHistory", "lastSuccessfulSync": _iso(backup["lastSuccess"]),
                                    "totalFiles": 1200 if backup["lastSuccess"] else 0,
                                    "totalSize": 52428800 if backup["lastSuccess"] else 0}}
        mode = self.state["sim"]["backup_status"]
        if mode in ("extended", "status"):
            status["status"] = backup["run"] if attached else "NotConfigured"
        if mode == "extended":
            status.update({
                "suspended": backup["run"] == "Suspended",
                "running": backup["run"] == "Running",
                "progress": int(min(100.0, 100.0 * done / total)) if backup["run"] != "Idle" else 0,
                "encryptionMode": self.state["config"]["backup"]["encryptionMode"] if attached else None,
                "lastSuccessfulBackupTime": _iso(backup["lastSuccess"]),
                "currentBackupStartTime": _iso(backup["started"]) if backup["run"] == "Running" else None})
        return status

    def _backup_control(self, request):
        return _call(request, {name: functools.partial(self._control_backup, name) for name in ("start", "pause", "resume")})

    def _control_backup(self, name, _param):
        now = time.time()
        backup = self._backup_run(now)
        if not backup["attached"]:
            raise ApiError(500, "Backup is not configured")
        backup["controls"][name] = backup["controls"].get(name, 0) + 1
        if name == "start" and backup["run"] == "Idle":
            backup["run"], backup["started"], backup["done"] = "Running", now, 0.0
        elif name == "start" and backup["run"] == "Suspended":
            backup["run"], backup["started"] = "Running", now
        elif name == "pause" and backup["run"] in ("Running", "Idle"):
            if backup["run"] == "Running":
                backup["done"] += now - backup["started"]
            backup["run"], backup["started"] = "Suspended", None
        elif name == "resume" and backup["run"] == "Suspended":
            if backup["done"] > 0:
                backup["run"], backup["started"] = "Running", now
            else:
                backup["run"] = "Idle"
        self.save()
        return _xml(None)

    # -- background tasks ----------------------------------------------------------------------------------
    def _new_task(self, name, description, result):
        """A background task; it ends as ``state["sim"]["task_end"]`` says at its start."""
        now = time.time()
        task = {"id": self.state["next_task"], "name": name, "description": description, "start": now,
                "result": result, "end": self.state["sim"]["task_end"]}
        self.state["next_task"] += 1
        self.state["tasks"].append(task)
        for old in self.state["tasks"][:-TASKS_KEPT]:
            self._task_keys.pop(old["id"], None)
        del self.state["tasks"][:-TASKS_KEPT]
        return task

    def _task_ref(self, task):
        """How a method that started ``task`` names it: ``/proc/bgtasks/N``, or the integer N
        (``state["sim"]["task_refs"]``: path, integer, or mixed = integer for odd task ids)."""
        mode = self.state["sim"]["task_refs"]
        if mode == "integer" or (mode == "mixed" and task["id"] % 2 == 1):
            return task["id"]
        return "/proc/bgtasks/%d" % task["id"]

    def _task_object(self, task):
        now = time.time()
        duration = self.state["sim"]["task_seconds"]
        finished = now - task["start"] >= duration
        end = task.get("end", "completed")
        result = task["result"] if end not in TASK_FAILURES else None
        if finished and result is not None and task["id"] in self._task_keys:
            result = dict(result, sharedSecret=self._task_keys[task["id"]])
        progress = {"completed": "Done", "completed with warnings": "Done with warnings: 2 files were skipped",
                    "failed": "Failed: internal error", "stopped": "Stopped", "disabled": "Disabled"}[end]
        return {"_classname": "BackgroundTaskStatus", "id": task["id"], "name": task["name"],
                "description": task["description"], "startTime": _iso(task["start"]),
                "endTime": _iso(task["start"] + duration) if finished else None,
                "elapsedTime": int(min(now - task["start"], duration)),
                "status": end if finished else "running", "percentage": 100 if finished else 50,
                "result": result if finished else None, "progstring": progress if finished else "Running"}

    def _task_objects(self):
        return [self._task_object(task) for task in self.state["tasks"]]

    def _list_tasks(self, _request):
        return _xml(self._task_objects())

    def _query_tasks(self, request):
        return _call(request, {"query": self._task_query}, kind="db")

    def _task_query(self, param):
        tasks = self._task_objects()
        if isinstance(param, dict) and param.get("key"):
            tasks = [t for t in tasks if str(t.get(param["key"])) == str(param.get("value"))]
        return _xml(tasks)

    def _get_task(self, _request, task_id, rest=None):
        match = [t for t in self._task_objects() if str(t["id"]) == task_id]
        if not match:
            raise ApiError(404, "Task does not exist: %s" % task_id)
        return _xml(self._walk(match[0], _tail(rest)))

    # -- export --------------------------------------------------------------------------------------------
    def _export(self, _request):
        config = self._public_config(self.state["config"])
        # Our own output, parsed back only to indent it the way Edge configuration files are (3 spaces).
        element = ElementTree.fromstring(to_xml(config))  # nosec B314
        ElementTree.indent(element, space="   ", level=1)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<db id="config" version="%s" firmware=%s '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:noNamespaceSchemaLocation="../../db/resources/db.xsd">\n   %s\n</db>\n') % (
                    self.firmware.split(".")[1], quoteattr(self.firmware),
                    ElementTree.tostring(element, encoding="unicode"))
        filename = "%s_%s.xml" % (self.state["config"]["device"]["hostname"],
                                  time.strftime("%Y-%m-%dT%H_%M_%S", time.localtime()))
        return Response(200, body, "application/xml; charset=utf-8",
                        [("Content-Disposition", 'attachment; filename="%s"' % filename)])
