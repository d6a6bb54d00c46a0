# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP transport of the collection, on ``requests``.

One keep-alive ``requests.Session`` per client, connect/read timeouts, ``validate_certs``/``ca_path``,
retries with exponential backoff and full jitter (transport errors and 502/503/504 for idempotent requests only,
429 with ``Retry-After`` for every request: it says the request was not processed), an exception hierarchy that carries method, URL, status and the server's
message, and redaction of every registered secret (in every encoding the client sends it) from anything that
leaves this module. Answers are read up to ``MAX_RESPONSE_BYTES``; server text kept in errors is cut at
``MAX_MESSAGE_CHARS``; ``check_answer`` refuses what is not the API's own answer (an HTML page, the wrong format,
a redirect, an empty body) instead of letting it read as an empty success.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import hashlib
import json as jsonlib
import os
import random
import re
import tempfile
import time
import traceback
from urllib.parse import quote, urlsplit, urlunsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported through missing_required_lib by the caller
    requests = None
    HTTPAdapter = object
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

REDACTED = "********"
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
RETRY_STATUSES = frozenset((429, 502, 503, 504))
# Answers that say the request was not processed (RFC 6585: "Too Many Requests"): safe to send again whatever the
# method. A 502/503/504 from a gateway may come after the service acted, so a POST answered so is not re-sent here
# (the engine reads a failed creation back and sends it again only when the object is not there: _engine.create).
NOT_PROCESSED_STATUSES = frozenset((429,))
USER_AGENT = "filefleet.office/0.1 (Ansible collection)"
# No API answer of these services comes near this; a bigger one is refused rather than held in memory.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
# Server text kept in an error or a result (messages, bodies); the rest is cut with a note of its length.
MAX_MESSAGE_CHARS = 2000
# What an error shows of an answer that is not the API's own.
SNIPPET_CHARS = 200
# A login has no side effect: it is retried like a GET. Refused credentials are never retried (401, 403, 400
# answer statuses outside RETRY_STATUSES), so a wrong password costs exactly one attempt.
LOGIN_IS_SAFE = True


def clip(text, limit=MAX_MESSAGE_CHARS):
    """``text`` cut at ``limit`` characters, saying how much was left out."""
    if text is None or not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit] + "... [%d more characters]" % (len(text) - limit)


class ApiError(Exception):
    """Any failure talking to an API. ``str()`` is safe to show: secrets are redacted."""

    def __init__(self, message, method=None, url=None, status=None, server_message=None, body=None):
        message = clip(message, 2 * MAX_MESSAGE_CHARS)
        super(ApiError, self).__init__(message)
        self.message = message
        self.method = method
        self.url = clip(url)
        self.status = status
        self.server_message = clip(server_message)
        self.body = clip(body)

    def __str__(self):
        parts = [self.message]
        if self.method and self.url:
            parts.append("(%s %s" % (self.method, self.url) + (" -> HTTP %s)" % self.status if self.status else ")"))
        if self.server_message and self.server_message not in self.message:
            parts.append("server said: %s" % self.server_message)
        return " ".join(parts)

    def to_result(self):
        return dict(msg=str(self), status=self.status, method=self.method, url=self.url, server_message=self.server_message)


class TransportError(ApiError):
    """Connection refused, reset or dropped."""


class TLSError(TransportError):
    """Certificate verification or handshake failed."""


class RequestTimeout(TransportError):
    """Connect or read timeout."""


class HTTPStatusError(ApiError):
    """The server answered with an error status."""


class BadRequest(HTTPStatusError):
    pass


class AuthenticationError(HTTPStatusError):
    """Login refused (bad credentials, locked account) or token rejected."""


class Forbidden(HTTPStatusError):
    pass


class NotFound(HTTPStatusError):
    pass


class Conflict(HTTPStatusError):
    pass


class ServerError(HTTPStatusError):
    pass


class UnexpectedAnswer(ApiError):
    """The answer is not the API's: an HTML page, the wrong format, a redirect, an empty or oversized body."""


class SessionExpired(ApiError):
    """The server says the session is gone (e.g. CTERA's redirect to the login page)."""


class WaitTimeout(ApiError):
    """A polled server-side operation did not reach the wanted state in time."""


_STATUS_CLASSES = {400: BadRequest, 401: AuthenticationError, 403: Forbidden, 404: NotFound, 409: Conflict}


def error_class_for(status):
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status and status >= 500:
        return ServerError
    return HTTPStatusError


# Query parameters of pre-signed URLs (AWS Signature V4 and V2, and the session token) whose values grant access.
PRESIGNED_QUERY = re.compile(r"((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)"
                             r"(?:=|%3D))[^&\s\"'<>]+", re.IGNORECASE)


class Redactor:
    """Replaces every registered secret with ``********``, in every form the client sends or a server echoes it.

    Forms: plain, URL-encoded (``%20`` and ``+``), base64 (standard and URL-safe, with or without padding) of the
    secret and of ``username:secret`` (HTTP Basic), JSON-escaped and XML-escaped. The signature and credential of
    any pre-signed URL in the text are masked too (``PRESIGNED_QUERY``), registered or not.
    """

    def __init__(self, secrets=(), username=None):
        self._secrets = set()
        self.username = username
        for secret in secrets:
            self.add(secret)

    def add(self, secret, username=None):
        if secret is None:
            return
        secret = str(secret)
        if len(secret) < 3:  # too short to redact without mangling unrelated text
            return
        forms = set([secret])
        for raw in [secret] + ["%s:%s" % (user, secret) for user in (username, self.username) if user]:
            encoded = base64.b64encode(raw.encode("utf-8")).decode("ascii")
            urlsafe = base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")
            forms.update((encoded, encoded.rstrip("="), urlsafe, urlsafe.rstrip("=")))
        forms.add(quote(secret, safe=""))
        forms.add(quote(secret, safe="").replace("%20", "+"))
        forms.add(quote(secret))
        forms.add(jsonlib.dumps(secret)[1:-1])
        forms.add(jsonlib.dumps(secret, ensure_ascii=False)[1:-1])
        forms.add(secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
        self._secrets.update(f for f in forms if len(f) >= 3)

    def __call__(self, value):
        if value is None:
            return None
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, dict):
            return dict((k, self(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self(v) for v in value]
        if not isinstance(value, str):
            return value
        for secret in sorted(self._secrets, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        # A pre-signed URL (Direct IO's object storage blocks) carries its own credential in the query: the
        # signature is a capability to read the block until it expires, so it is masked wherever a URL is shown.
        return PRESIGNED_QUERY.sub(lambda m: m.group(1) + REDACTED, value)

    def head(self, text, limit, whole):
        """The first ``limit`` characters of ``text``, redacted. When ``text`` is only the start of something longer
        (``whole`` false), its end may be the first part of a secret the read cut off, which no form matches; masks
        before it shorten the text, so it could come within ``limit``: an end that starts a form is dropped."""
        text = self(text)
        if not whole:
            text = text[:len(text) - self._cut_off(text)]
        return text[:limit]

    def _cut_off(self, text):
        """The length of the longest end of ``text`` that is the start of a secret's form (0 when none is)."""
        longest = 0
        for form in self._secrets:
            start = text.find(form[0], max(0, len(text) - len(form) + 1))
            while start != -1 and len(text) - start > longest:
                if form.startswith(text[start:]):
                    longest = len(text) - start
                    break
                start = text.find(form[0], start + 1)
        return longest


class InvalidName(ValueError):
    """A name that would change the URL it is placed in."""


def check_name(name, option="name"):
    """Refuse ``.``, ``..`` and control characters as a path segment (they change the URL, not just a name)."""
    text = str(name)
    if text in (".", ".."):
        raise InvalidName("%s=%r is not allowed: '.' and '..' would address another object (the URL path would "
                          "change), not one named %r" % (option, text, text))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidName("%s=%r is not allowed: it holds control characters, which cannot be part of a name in "
                          "a URL" % (option, text))
    return text


def retried_note(attempt_or_response):
    """`` (after N retries)`` for an attempt count or an answer of ``HttpClient.request``; ``""`` for none."""
    attempt = attempt_or_response
    if not isinstance(attempt, int):
        attempt = getattr(attempt_or_response, "retries", 0) or 0
    return " (after %d %s)" % (attempt, "retry" if attempt == 1 else "retries") if attempt else ""


def join_url(base, *segments, **kwargs):
    """``base`` + the API path in the first segment (``config/fileservices/share``: fixed text that may hold ``/``)
    + one path segment per further segment (a name or an id: ``/``, ``?``, ``#``, ``%`` and blanks are
    percent-encoded, so a name never adds path segments or a query). ``.``, ``..`` and control characters are
    refused (``InvalidName`` naming ``option``, default ``name``) in every segment.
    """
    encode = kwargs.get("encode", True)
    option = kwargs.get("option", "name")
    url = base.rstrip("/")
    for index, segment in enumerate(segments):
        segment = str(segment)
        if index == 0:
            parts = [part for part in segment.strip("/").split("/") if part]
        else:
            parts = [segment]
        for part in parts:
            check_name(part, option)
            url += "/" + (quote(part, safe="") if encode else part)
    return url


# How CTERA XML starts: an optional declaration, then one of the elements the CTERA format is made of.
CTERA_XML_START = re.compile(r"(<\?xml[^>]*\?>\s*)?<(obj|val|list|db)[\s/>]")


def check_answer(response, expect, what, redactor=None, require_body=True):
    """Raise ``UnexpectedAnswer`` unless ``response`` (a 2xx answer) is what the API answers: ``expect`` is
    ``xml`` or ``json``. Redirects, HTML pages, the other format and (with ``require_body``) an empty body are
    errors naming the URL, the status, the content type and the first bytes (redacted)."""
    redact = redactor or Redactor()
    method = response.request.method if getattr(response, "request", None) is not None else None
    url = redact(response.url)
    status = response.status_code
    content_type = (getattr(response, "headers", None) or {}).get("Content-Type") or "no content type"
    body = getattr(response, "content", None)
    if body is None:
        body = (response.text or "").encode("utf-8")
    text = body.decode("utf-8", "replace")
    head = text.lstrip()[:SNIPPET_CHARS]
    lowered = head.lower()
    problem = None
    if 300 <= status < 400:
        problem = "redirected to %s" % (response.headers.get("Location") or "nowhere (no Location header)")
    elif not text.strip():
        if require_body:
            problem = "an empty body"
    elif "html" in content_type.lower() or lowered.startswith(("<!doctype html", "<html")):
        problem = "an HTML page"
    elif expect == "xml" and (not head.startswith("<") or "json" in content_type.lower()):
        problem = "not XML"
    elif expect == "xml" and not CTERA_XML_START.match(head):
        # Well-formed XML of someone else (a proxy's or load balancer's status page) decodes to nothing.
        problem = "XML that is not the API's (no obj, val, list or db element)"
    elif expect == "json":
        if head.startswith("<") or "xml" in content_type.lower():
            problem = "not JSON"
        else:
            try:
                jsonlib.loads(text)
            except ValueError:
                problem = "not JSON"
    if problem is None:
        return
    # The whole answer redacted, then cut: a cut before the redaction (even a generous one) can split a long secret
    # (a token echoed twice) and show its first part once the masks before it have shortened the text.
    shown = redact(text.lstrip())[:SNIPPET_CHARS]
    raise UnexpectedAnswer(redact("%s failed: the server answered %s, not the API's %s answer (HTTP %s, %s, "
                                  "%d bytes: %r)" % (what, problem, expect.upper(), status, content_type, len(body),
                                                     shown)),
                           method, url, status, None, shown)


def normalize_base_url(url):
    """``host`` -> ``https://host``; strips a trailing slash; keeps a path prefix."""
    url = (url or "").strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL: %r" % (url,))
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _verification_failed(exc):
    """Whether a TLS error is the server's certificate or name refused (else the session broke off)."""
    text = str(exc).lower()
    return "certificate" in text or "hostname" in text or "wrong version number" in text


class HttpClient:
    """A keep-alive HTTP client with safe retries. Not thread-safe; one per module run (or per action worker)."""

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=30, connect_timeout=10,
                 retries=3, backoff=0.5, backoff_max=8.0, redactor=None, headers=None, sleep=time.sleep,
                 max_response_bytes=MAX_RESPONSE_BYTES):
        if not HAS_REQUESTS:
            raise ImportError("the python 'requests' library is required")
        self.base_url = normalize_base_url(base_url)
        self.timeout = (float(connect_timeout), float(timeout))
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.backoff_max = float(backoff_max)
        self.max_response_bytes = int(max_response_bytes)
        self.redact = redactor or Redactor()
        self._sleep = sleep
        self.session = requests.Session()
        # Proxy settings from the environment are read once here, not on every request (trust_env would).
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # Passed on every request: a session-level value would lose to REQUESTS_CA_BUNDLE in the environment.
        self.verify = True
        if not validate_certs:
            self.verify = False
            try:
                from urllib3.exceptions import InsecureRequestWarning
                import warnings
                warnings.simplefilter("ignore", InsecureRequestWarning)
            except ImportError:  # pragma: no cover
                pass
        elif ca_path:
            self.verify = ca_path
        self.session.headers.update({"User-Agent": USER_AGENT})
        if headers:
            self.session.headers.update(headers)
        self.request_count = 0
        self.validate_certs = validate_certs
        self.ca_path = ca_path

    def clone(self):
        """Another keep-alive connection with the same settings, cookies and headers (for one more thread)."""
        twin = HttpClient.__new__(HttpClient)
        twin.__dict__.update(self.__dict__)
        twin.session = requests.Session()
        twin.session.trust_env = False
        twin.session.proxies.update(self.session.proxies)
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
        twin.session.mount("https://", adapter)
        twin.session.mount("http://", adapter)
        twin.session.headers.update(self.session.headers)
        twin.session.cookies.update(self.session.cookies)
        twin.request_count = 0
        return twin

    # -- helpers ----------------------------------------------------------------
    def url(self, path):
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def _delay(self, attempt, retry_after=None):
        if retry_after is not None:
            try:
                return min(float(retry_after), 60.0)
            except ValueError:
                pass
        return random.uniform(0, min(self.backoff_max, self.backoff * (2 ** attempt)))

    def close(self):
        self.session.close()

    # -- the one choke point ------------------------------------------------------
    def request(self, method, path, data=None, json=None, headers=None, params=None, idempotent=None,
                allow_redirects=False, timeout=None, stream=False):
        """Send one request; retry only when it is safe. Raises ``ApiError`` subclasses for transport failures.

        HTTP error statuses are *returned*, not raised: the protocol layers decide what a status means
        (``raise_for_status`` below turns one into the right exception). ``idempotent=True`` on a POST (a login)
        retries it like a GET. The answer's ``retries`` attribute says how often it was sent again. Unless
        ``stream``, at most ``max_response_bytes`` of the body are read (more raises ``UnexpectedAnswer``).
        """
        method = method.upper()
        url = self.url(path)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            try:
                self.request_count += 1
                response = self.session.request(method, url, data=data, json=json, headers=headers, params=params,
                                                allow_redirects=allow_redirects, timeout=timeout or self.timeout,
                                                stream=True, verify=self.verify)
                if not stream:
                    self._read_bounded(response)
            except requests.exceptions.SSLError as exc:
                if not _verification_failed(exc):
                    # A TLS session cut short (EOF, reset mid-record) is a lost connection, not a trust problem.
                    exc = requests.exceptions.ConnectionError(exc)
                    if idempotent and attempt < self.retries:
                        self._sleep(self._delay(attempt))
                        attempt += 1
                        continue
                    raise TransportError("Connection failure talking to %s%s: %s"
                                         % (self.base_url, self._retried(attempt), self._short(exc)),
                                         method, self.redact(url))
                raise TLSError(
                    "TLS verification failed for %s: %s. Set ca_path to the CA bundle that signed the server "
                    "certificate, or validate_certs=false for a lab system." % (self.base_url, self._short(exc)),
                    method, self.redact(url))
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                # A connect failure never reached the server, so even a POST may be sent again.
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    not timed_out and "Connection refused" in str(exc))
                if (idempotent or never_sent) and attempt < self.retries:
                    self._sleep(self._delay(attempt))
                    attempt += 1
                    continue
                cls = RequestTimeout if timed_out else TransportError
                raise cls("%s talking to %s%s: %s" % ("Timeout" if timed_out else "Connection failure", self.base_url,
                                                      self._retried(attempt), self._short(exc)),
                          method, self.redact(url))
            # 429 says the server did not take the request at all, so even a POST is sent again after Retry-After.
            if response.status_code in RETRY_STATUSES and (idempotent or response.status_code in NOT_PROCESSED_STATUSES) \
                    and attempt < self.retries:
                delay = self._delay(attempt, response.headers.get("Retry-After"))
                response.close()
                self._sleep(delay)
                attempt += 1
                continue
            response.retries = attempt
            return response

    @staticmethod
    def _retried(attempt):
        return retried_note(attempt)

    def _read_bounded(self, response):
        """Read the body into ``response`` (so ``.content``/``.text`` work), refusing more than the limit."""
        limit = self.max_response_bytes
        length = response.headers.get("Content-Length")
        chunks = []
        size = 0
        too_big = length is not None and length.isdigit() and int(length) > limit
        if not too_big:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > limit:
                    too_big = True
                    break
                chunks.append(chunk)
        if too_big:
            response.close()
            raise UnexpectedAnswer("the answer of %s is larger than %d bytes (%s); refusing to read it"
                                   % (self.redact(response.url), limit,
                                      "Content-Length %s" % length if length else "no Content-Length"),
                                   response.request.method, self.redact(response.url), response.status_code)
        response._content = b"".join(chunks)  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access
        response.close()

    def download(self, path, directory, what, chunk_size=64 * 1024, max_bytes=None, headers=None, expired=None):
        """Stream a GET into a new temporary file in ``directory`` (never whole in memory).

        Returns ``(temp_path, sha256_hex, size)``; the caller moves the file into place (atomically, with
        ``os.replace`` in the same directory) or deletes it. A failed or oversized transfer leaves no file behind.
        """
        response = self.request("GET", path, headers=headers, stream=True)
        if expired is not None and expired(response):
            response.close()
            raise SessionExpired("%s failed: the session expired" % what, "GET", self.redact(response.url),
                                 response.status_code)
        if response.status_code >= 400:
            read = next(response.iter_content(chunk_size=2 * MAX_MESSAGE_CHARS), b"")
            response.close()
            cls = error_class_for(response.status_code)
            raise cls(self.redact("%s failed" % what), "GET", self.redact(response.url), response.status_code,
                      self.redact.head(read.decode("utf-8", "replace"), MAX_MESSAGE_CHARS,
                                       whole=len(read) < 2 * MAX_MESSAGE_CHARS))
        digest = hashlib.sha256()
        size = 0
        handle, temp_path = tempfile.mkstemp(prefix=".filefleet-", suffix=".part", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in response.iter_content(chunk_size=chunk_size):
                    if not chunk:
                        continue
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ApiError("%s failed: more than %d bytes" % (what, max_bytes), "GET", self.redact(response.url))
                    digest.update(chunk)
                    out.write(chunk)
        except requests.exceptions.RequestException as exc:
            os.unlink(temp_path)
            raise TransportError("%s failed while receiving data: %s" % (what, self._short(exc)), "GET",
                                 self.redact(response.url))
        except BaseException:
            os.unlink(temp_path)
            raise
        finally:
            response.close()
        return temp_path, digest.hexdigest(), size

    def _short(self, exc):
        """The exception's text, redacted *before* it is cut (a cut could split a secret and leave part of it)."""
        text = self.redact(str(exc))
        return text if len(text) <= 300 else text[:300] + "..."

    def raise_for_status(self, response, what, server_message=None):
        """Raise the ``ApiError`` subclass for an error response; ``what`` names the operation."""
        status = response.status_code
        if status < 400:
            return
        cls = error_class_for(status)
        message = "%s failed%s" % (what, retried_note(response))
        raise cls(self.redact(message), response.request.method, self.redact(response.url), status,
                  clip(self.redact(server_message)), self.redact(response.text)[:MAX_MESSAGE_CHARS])
