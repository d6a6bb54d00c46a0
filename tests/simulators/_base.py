# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared machinery of the protocol simulators: HTTP(S) server, request/response objects,
persistent JSON state, request statistics and fault injection.

Each simulated service (a CTERA Portal, one Edge Filer, Cloutility) is a ``Service`` subclass that
implements ``route(request) -> Response`` (the CTERA simulators look their handlers up in a ``RouteTable``)
and keeps everything it must survive a restart in ``self.state`` (a JSON-serialisable dict). The framework answers ``/_sim/stats``, ``/_sim/reset`` and
``/_sim/faults`` for every service before the request reaches ``route``.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import ssl
import threading
import time
import urllib.parse
from http import cookies as http_cookies
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Request:
    """One HTTP request as a service sees it."""

    def __init__(self, method, raw_path, headers, body, client):
        self.method = method.upper()
        self.raw_path = raw_path
        split = urllib.parse.urlsplit(raw_path)
        self.raw_url_path = split.path
        # Path with percent-escapes decoded, as the servers compare names decoded.
        self.path = urllib.parse.unquote(split.path)
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers
        self.body = body or b""
        self.client = client
        jar = http_cookies.SimpleCookie()
        try:
            jar.load(headers.get("Cookie", ""))
        except http_cookies.CookieError:
            pass
        self.cookies = {k: v.value for k, v in jar.items()}
        self.scheme = "http"  # set by the server: "https" when the listener serves TLS
        # A file-like reader of the body when the service streams it (``Service.streams_body``); ``body`` is then empty.
        self.body_stream = None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def query_one(self, name, default=None, case_insensitive=False):
        if case_insensitive:
            for key, values in self.query.items():
                if key.lower() == name.lower():
                    return values[0]
            return default
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        if not self.body:
            return None
        return json.loads(self.text)

    def form(self):
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.text, keep_blank_values=True).items()}


class Response:
    def __init__(self, status=200, body=b"", content_type="text/plain; charset=utf-8", headers=None):
        self.status = status
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        self.headers = list(headers or [])
        if content_type and body is not None:
            self.headers.append(("Content-Type", content_type))
        self.drop_connection = False
        # A large body sent piece by piece: an iterable of bytes and its total length (``body`` is then ignored).
        self.stream = None
        self.stream_length = 0

    @classmethod
    def json(cls, data, status=200, headers=None):
        return cls(status, json.dumps(data), "application/json; charset=utf-8", headers)

    def set_cookie(self, name, value, path="/", expire=False):
        morsel = "%s=%s; Path=%s; HttpOnly" % (name, value, path)
        if expire:
            morsel += "; Max-Age=0"
        self.headers.append(("Set-Cookie", morsel))
        return self


class RouteTable:
    """Method and path to handler; the first row that matches wins.

    Rows are ``(methods, pattern, handler)``: ``methods`` is one method, several separated by spaces, or ``*`` for
    any; ``pattern`` is a regular expression that must match the whole path (``.`` matches a newline too, which a
    percent-decoded path may hold). A row whose method does not match is passed over, so a later row with the same
    pattern and ``*`` can answer the other methods (405).
    """

    def __init__(self, rows):
        self.rows = [(tuple(methods.split()), re.compile(pattern, re.DOTALL), handler) for methods, pattern, handler in rows]

    def find(self, method, path):
        """Return ``(handler, groups)`` of the first row matching ``method`` and ``path``, ``(None, ())`` if none does."""
        for methods, pattern, handler in self.rows:
            if methods != ("*",) and method not in methods:
                continue
            match = pattern.fullmatch(path)
            if match:
                return handler, match.groups()
        return None, ()


class FaultPlan:
    """Injected failures, set with ``POST /_sim/faults``.

    Plan keys (all optional):
      latency_ms: int            added to every request
      errors: [{status, count, path (prefix, optional), method (optional), retry_after (optional), body (optional),
                location (optional: a Location header, e.g. a redirect to the login page)}]
                                 the next ``count`` matching requests answer ``status``
      drop: [{count, path, method, after_bytes (optional)}]  the next matching requests get their connection closed
                                 with no answer; with ``after_bytes``, a request whose body the service streams
                                 (an upload) is handled until that many bytes of its body were read, then the
                                 connection is closed (a connection lost mid-upload)
      foreign: [{kind, count, path, method, status (optional), size (optional)}]
                                 the next matching requests get an answer that is not the API's (a captive portal,
                                 a misrouted proxy, a broken server). ``kind``: ``html`` (a login page, HTTP 200
                                 text/html), ``json`` (``{"status": "ok"}``), ``xml`` (``<response>ok</response>``),
                                 ``empty`` (HTTP 200, no body), ``redirect`` (302 to http://captive.example/login),
                                 ``large`` (``size`` bytes of JSON-looking text, default 10 MB)
      slow: [{delay_ms, count, path, method}]  the next matching requests are answered after ``delay_ms`` (a
                                 latency spike; the request is then handled normally)
      expire: [{count, path, method}]  every current session is invalidated just before the next matching
                                 requests are handled (a session or token that expires between two requests)
      expire_sessions: true      every current session is invalidated now (the service decides how)

    Recurring rules (any list above): instead of ``count``, a rule may give ``every`` (and ``burst``, default 1):
    of every ``every`` matching requests the last ``burst`` are hit, for as long as the plan stands (``every: 5,
    burst: 2``: the 1st and 2nd, the 6th and 7th, ...; a client that retries the 1st meets the 2nd hit too); or
    ``rate`` (0..1) with ``seed``: each matching request is hit with that probability, drawn from a random generator
    of its own seeded with ``seed`` (default 0), so a run is repeatable. ``/_sim/stats`` counts the hits of each
    kind under ``faults_injected``.
    """

    def __init__(self):
        self.latency_ms = 0
        self.errors = []
        self.drops = []
        self.foreign = []
        self.slow = []
        self.expire = []
        self._rngs = {}

    def set(self, plan):
        self.latency_ms = int(plan.get("latency_ms", 0) or 0)
        self.errors = [self._rule(e) for e in plan.get("errors", [])]
        self.drops = [self._rule(d) for d in plan.get("drop", [])]
        self.foreign = [self._rule(f) for f in plan.get("foreign", [])]
        self.slow = [self._rule(s) for s in plan.get("slow", [])]
        self.expire = [self._rule(x) for x in plan.get("expire", [])]
        for rule in self.foreign:
            if rule.get("kind") not in FOREIGN_KINDS:
                raise ValueError("foreign kind %r is not one of %s" % (rule.get("kind"), ", ".join(FOREIGN_KINDS)))
        self._rngs = {}

    @staticmethod
    def _rule(rule):
        rule = dict(rule, count=int(rule.get("count", 1)), seen=0)
        if rule.get("every") is not None:
            rule["every"] = int(rule["every"])
            rule["burst"] = int(rule.get("burst", 1))
            if rule["every"] < 1 or not 0 < rule["burst"] <= rule["every"]:
                raise ValueError("every must be >= 1 and burst between 1 and every: %r" % (rule,))
        if rule.get("rate") is not None:
            rule["rate"] = float(rule["rate"])
            if not 0.0 <= rule["rate"] <= 1.0:
                raise ValueError("rate must be between 0 and 1: %r" % (rule,))
        return rule

    def describe(self):
        return {"latency_ms": self.latency_ms, "errors": self.errors, "drop": self.drops, "foreign": self.foreign,
                "slow": self.slow, "expire": self.expire}

    @staticmethod
    def _match(rule, request):
        if rule.get("method") and rule["method"].upper() != request.method:
            return False
        return request.path.startswith(rule.get("path", ""))

    def _hit(self, rule, request):
        """Whether ``rule`` hits this request (and account for it)."""
        if not self._match(rule, request):
            return False
        if rule.get("every") is not None:
            rule["seen"] += 1
            return (rule["seen"] - 1) % rule["every"] < rule["burst"]
        if rule.get("rate") is not None:
            rng = self._rngs.get(id(rule))
            if rng is None:
                rng = self._rngs[id(rule)] = random.Random(rule.get("seed", 0))
            return rng.random() < rule["rate"]
        if rule["count"] > 0:
            rule["count"] -= 1
            return True
        return False

    def take(self, request):
        """Return ('drop', rule), ('error', rule), ('foreign', rule) or (None, None) for this request."""
        for verdict, rules in (("drop", self.drops), ("error", self.errors), ("foreign", self.foreign)):
            for rule in rules:
                if self._hit(rule, request):
                    return verdict, rule
        return None, None

    def take_delay(self, request):
        """Seconds a latency spike adds to this request (0.0 if none)."""
        for rule in self.slow:
            if self._hit(rule, request):
                return int(rule.get("delay_ms", 1000)) / 1000.0
        return 0.0

    def take_expiry(self, request):
        """Whether every session is to be invalidated before this request is handled."""
        hits = [self._hit(rule, request) for rule in self.expire]  # every rule counts the request (no short cut)
        return any(hits)


CAPTIVE_PAGE = ("<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head><body><h1>Welcome</h1>"
                "<form action=\"/login\" method=\"post\"><input name=\"user\"><input type=\"password\" "
                "name=\"pass\"></form></body></html>\n")
FOREIGN_KINDS = ("html", "json", "xml", "empty", "redirect", "large")


def foreign_response(rule):
    """The answer of a ``foreign`` fault rule (see ``FaultPlan``)."""
    kind = rule["kind"]
    status = int(rule.get("status", 200))
    if kind == "html":
        return Response(status, CAPTIVE_PAGE, "text/html; charset=utf-8")
    if kind == "json":
        return Response(status, json.dumps({"status": "ok"}), "application/json; charset=utf-8")
    if kind == "xml":
        return Response(status, "<response>ok</response>", "text/xml; charset=utf-8")
    if kind == "empty":
        return Response(status, b"", None)
    if kind == "redirect":
        return Response(int(rule.get("status", 302)), b"", None, [("Location", "http://captive.example/login")])
    size = int(rule.get("size", 10 * 1024 * 1024))
    filler = ("x" * 1024) * (size // 1024 + 1)
    return Response(status, ('{"message": "%s"}' % filler[:max(0, size - 16)]), "application/json; charset=utf-8")


class Service:
    """Base class of one simulated service instance with its own state file."""

    kind = "service"

    def __init__(self, state_path, name=None):
        self.state_path = state_path
        self.name = name or self.kind
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self.stats_requests = {}
        self.stats_logins = 0
        self.stats_failed_logins = 0
        self.stats_faults = {}
        self.stats_fault_hits = {}
        self.state = None
        if state_path and os.path.exists(state_path):
            with open(state_path, "r", encoding="utf-8") as handle:
                self.state = json.load(handle)
            self.on_load()
        else:
            self.state = self.initial_state()
            self.save()

    # -- to implement -------------------------------------------------------
    def initial_state(self):
        return {}

    def on_load(self):
        """Called after state was read back from disk (rebuild indexes here)."""

    def route(self, request):
        raise NotImplementedError

    def streams_body(self, method, path):  # pylint: disable=unused-argument
        """Whether the body of this request is handed over as ``request.body_stream`` (to ``route_stream``, called
        without the service lock) instead of being read whole first."""
        return False

    def route_stream(self, request):
        raise NotImplementedError

    def active_sessions(self):
        return 0

    def expire_sessions(self):
        """Invalidate every current session (fault injection)."""

    def credentials(self):
        """What the ready line says about this service (url is added by the server)."""
        return {}

    # -- framework ----------------------------------------------------------
    def save(self):
        if not self.state_path:
            return
        tmp = self.state_path + ".tmp"
        # json.dumps uses the C encoder; json.dump into a file would take the pure-Python path (100x slower).
        data = json.dumps(self.state, separators=(",", ":"))
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, self.state_path)

    def reset(self):
        with self.lock:
            keep = self.credentials_state()
            self.state = self.initial_state()
            self.state.update(keep)
            self.stats_requests = {}
            self.stats_logins = 0
            self.stats_failed_logins = 0
            self.stats_faults = {}
            self.stats_fault_hits = {}
            self.faults = FaultPlan()
            self.after_reset()
            self.save()

    def credentials_state(self):
        """State keys that survive a reset (the generated admin credentials)."""
        return {}

    def after_reset(self):
        pass

    def count(self, request):
        key = "%s %s" % (request.method, request.path)
        self.stats_requests[key] = self.stats_requests.get(key, 0) + 1

    def stats(self):
        total = sum(self.stats_requests.values())
        return {
            "service": self.kind,
            "name": self.name,
            "requests": dict(sorted(self.stats_requests.items())),
            "total_requests": total,
            "logins": self.stats_logins,
            "failed_logins": self.stats_failed_logins,
            "active_sessions": self.active_sessions(),
            "faults": self.faults.describe(),
            # Injected faults by kind (error, drop, foreign, slow, expire): a client that survived an error or a
            # drop sent that request again, so error + drop is what it retried.
            "faults_injected": dict(sorted(self.stats_faults.items())),
            # The same by request: "<kind> <METHOD> <path>" -> hits.
            "fault_hits": dict(sorted(self.stats_fault_hits.items())),
        }

    def dispatch(self, request):
        """Entry point used by the HTTP handler."""
        if request.path.startswith("/_sim/"):
            return self._sim_endpoint(request)
        with self.lock:
            self.count(request)
            verdict, rule = self.faults.take(request)
            delay = self.faults.take_delay(request) if verdict is None else 0.0
            expire = verdict is None and self.faults.take_expiry(request)
            for kind, hit in ((verdict, verdict is not None), ("slow", delay > 0), ("expire", expire)):
                if hit:
                    self.stats_faults[kind] = self.stats_faults.get(kind, 0) + 1
                    key = "%s %s %s" % (kind, request.method, request.path)
                    self.stats_fault_hits[key] = self.stats_fault_hits.get(key, 0) + 1
            if expire:
                self.expire_sessions()
        if self.faults.latency_ms or delay:
            time.sleep(self.faults.latency_ms / 1000.0 + delay)
        if verdict == "drop":
            if rule.get("after_bytes") is not None and request.body_stream is not None:
                request.body_stream = CutBody(request.body_stream, int(rule["after_bytes"]))
                response = self.route_stream(request)
            else:
                response = Response(500)
            response.drop_connection = True
            return response
        if verdict == "error":
            headers = []
            if rule.get("retry_after") is not None:
                headers.append(("Retry-After", str(rule["retry_after"])))
            if rule.get("location"):
                headers.append(("Location", rule["location"]))
            body = rule.get("body", "")
            return self.fault_response(int(rule["status"]), body, headers)
        if verdict == "foreign":
            return foreign_response(rule)
        if request.body_stream is not None:
            return self.route_stream(request)
        with self.lock:
            return self.route(request)

    def fault_response(self, status, body, headers):
        return Response(status, body or "", headers=headers)

    def _sim_endpoint(self, request):
        if request.path == "/_sim/stats" and request.method == "GET":
            with self.lock:
                return Response.json(self.stats())
        if request.path == "/_sim/reset" and request.method == "POST":
            self.reset()
            return Response.json({"reset": True})
        if request.path == "/_sim/faults" and request.method == "POST":
            plan = request.json() or {}
            with self.lock:
                try:
                    self.faults.set(plan)
                except ValueError as exc:
                    return Response.json({"error": str(exc)}, status=400)
                if plan.get("expire_sessions"):
                    self.expire_sessions()
            return Response.json({"faults": self.faults.describe()})
        if request.path == "/_sim/state" and request.method == "GET":
            with self.lock:
                return Response.json(self.state)
        return Response.json({"error": "unknown simulator endpoint"}, status=404)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "filefleet-sim/1.0"
    sys_version = ""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if os.environ.get("FILEFLEET_SIM_LOG"):
            BaseHTTPRequestHandler.log_message(self, format, *args)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        stream = None
        if self.server.service.streams_body(self.command, urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)):
            body = b""
            stream = BodyReader(self.rfile, length, chunked)
        else:
            body = self.rfile.read(length) if length else b""
            if chunked:
                body = self._read_chunked()
        request = Request(self.command, self.path, self.headers, body, self.client_address)
        request.body_stream = stream
        request.scheme = "https" if self.server.ssl_context is not None else "http"
        try:
            response = self.server.service.dispatch(request)
        except Exception as exc:  # a simulator bug must not kill the server thread
            response = Response(500, "simulator error: %r" % (exc,))
        if response.drop_connection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if stream is not None and not stream.exhausted:
            self.close_connection = True  # the rest of an unread body cannot be told from the next request
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        if response.stream is not None:
            self.send_header("Content-Length", str(response.stream_length))
            self.end_headers()
            if self.command != "HEAD":
                for piece in response.stream:
                    self.wfile.write(piece)
            return
        self.send_header("Content-Length", str(len(response.body)))
        # Headers and body in one write: two small segments would meet Nagle and delayed ACK (a 40 ms stall).
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD" and response.body:
            self._headers_buffer.append(response.body)
        self.flush_headers()

    def _read_chunked(self):
        chunks = []
        while True:
            line = self.rfile.readline().strip()
            size = int(line.split(b";")[0], 16)
            if size == 0:
                self.rfile.readline()
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        return b"".join(chunks)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle
    do_PROPFIND = do_MKCOL = do_COPY = do_MOVE = do_OPTIONS = _handle


class BodyReader:
    """A request body read on demand (``read(n)``), plain (``Content-Length``) or chunked."""

    def __init__(self, rfile, length, chunked):
        self.rfile = rfile
        self.left = length
        self.chunked = chunked
        self.chunk_left = 0
        self.exhausted = not chunked and length == 0

    def read(self, size):
        """Up to ``size`` bytes (fewer only at the end); ``b""`` at the end. A body cut short raises ``EOFError``."""
        if self.exhausted:
            return b""
        if self.chunked:
            if self.chunk_left == 0:
                line = self.rfile.readline()
                if not line:
                    raise EOFError("request body cut short")
                self.chunk_left = int(line.split(b";")[0].strip() or b"0", 16)
                if self.chunk_left == 0:
                    self.rfile.readline()
                    self.exhausted = True
                    return b""
            data = self.rfile.read(min(size, self.chunk_left))
            if not data:
                raise EOFError("request body cut short")
            self.chunk_left -= len(data)
            if self.chunk_left == 0:
                self.rfile.readline()
            return data
        data = self.rfile.read(min(size, self.left))
        if not data:
            raise EOFError("request body cut short")
        self.left -= len(data)
        self.exhausted = self.left == 0
        return data


class CutBody:
    """A streamed request body that ends (``EOFError``) after ``limit`` bytes: the ``after_bytes`` drop fault."""

    def __init__(self, inner, limit):
        self.inner = inner
        self.left = limit

    @property
    def exhausted(self):
        return self.inner.exhausted

    def read(self, size):
        if self.left <= 0:
            raise EOFError("request body cut short (drop fault)")
        data = self.inner.read(min(size, self.left))
        self.left -= len(data)
        return data


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, service, ssl_context=None):
        self.service = service
        self.ssl_context = ssl_context
        ThreadingHTTPServer.__init__(self, address, _Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            # Handshake happens lazily in the handler thread, so a slow client cannot block accept().
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if os.environ.get("FILEFLEET_SIM_LOG"):
            ThreadingHTTPServer.handle_error(self, request, client_address)


class TLSMaterial:
    """A CA generated once into the state dir and a server certificate for 127.0.0.1/localhost."""

    def __init__(self, state_dir):
        import trustme  # test dependency, only needed when TLS is on

        self.ca_path = os.path.join(state_dir, "ca.pem")
        cert_path = os.path.join(state_dir, "server.pem")
        key_path = os.path.join(state_dir, "server-key.pem")
        if not (os.path.exists(self.ca_path) and os.path.exists(cert_path) and os.path.exists(key_path)):
            ca = trustme.CA(organization_name="filefleet simulator CA")
            cert = ca.issue_cert("127.0.0.1", "localhost", "*.localhost")
            ca.cert_pem.write_to_path(self.ca_path)
            cert.private_key_pem.write_to_path(key_path)
            with open(cert_path, "wb") as handle:
                for blob in cert.cert_chain_pems:
                    handle.write(blob.bytes())
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert_path, key_path)


class Listener:
    """Runs one service on one port in a background thread."""

    def __init__(self, service, port, host="127.0.0.1", tls=None):
        self.service = service
        self.tls = tls
        self.server = _Server((host, port), service, tls.context if tls else None)
        self.host = host
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.5},
                                       name="sim-%s-%s" % (service.kind, self.port), daemon=True)

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def random_secret(length=20):
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    rng = random.SystemRandom()
    # Always a letter first and never all digits: CTERA's XML decoder type-sniffs numbers.
    return "S" + "".join(rng.choice(alphabet) for _index in range(length - 1))
