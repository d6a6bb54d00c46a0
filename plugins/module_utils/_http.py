# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP transport of the collection, on ``requests``.

One keep-alive ``requests.Session`` per client, connect/read timeouts, ``validate_certs``/``ca_path``,
retries with exponential backoff and full jitter for idempotent requests only (transport errors, 429 with
``Retry-After``, 502/503/504), an exception hierarchy that carries method, URL, status and the server's
message, and redaction of every registered secret from anything that leaves this module.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import os
import random
import tempfile
import time
import traceback

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

try:
    from urllib.parse import urlsplit, urlunsplit, quote
except ImportError:  # pragma: no cover
    from urlparse import urlsplit, urlunsplit  # type: ignore
    from urllib import quote  # type: ignore

REDACTED = "********"
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
RETRY_STATUSES = frozenset((429, 502, 503, 504))
USER_AGENT = "filefleet.office/0.1 (Ansible collection)"


class ApiError(Exception):
    """Any failure talking to an API. ``str()`` is safe to show: secrets are redacted."""

    def __init__(self, message, method=None, url=None, status=None, server_message=None, body=None):
        super(ApiError, self).__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.server_message = server_message
        self.body = body

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


class Redactor:
    """Replaces every registered secret (and its URL-encoded form) with ``********``."""

    def __init__(self, secrets=()):
        self._secrets = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        if secret is None:
            return
        secret = str(secret)
        if len(secret) < 3:  # too short to redact without mangling unrelated text
            return
        self._secrets.add(secret)
        self._secrets.add(quote(secret, safe=""))
        self._secrets.add(quote(secret, safe="").replace("%20", "+"))

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
        return value


def join_url(base, *segments, **kwargs):
    """Join path segments onto ``base``, percent-encoding each segment (names may hold spaces, & or #)."""
    encode = kwargs.get("encode", True)
    url = base.rstrip("/")
    for segment in segments:
        segment = str(segment)
        if encode:
            segment = "/".join(quote(part, safe="") for part in segment.strip("/").split("/"))
        else:
            segment = segment.strip("/")
        if segment:
            url += "/" + segment
    return url


def normalize_base_url(url):
    """``host`` -> ``https://host``; strips a trailing slash; keeps a path prefix."""
    url = (url or "").strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL: %r" % (url,))
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class HttpClient:
    """A keep-alive HTTP client with safe retries. Not thread-safe; one per module run (or per action worker)."""

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=30, connect_timeout=10,
                 retries=3, backoff=0.5, backoff_max=8.0, redactor=None, headers=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise ImportError("the python 'requests' library is required")
        self.base_url = normalize_base_url(base_url)
        self.timeout = (float(connect_timeout), float(timeout))
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.backoff_max = float(backoff_max)
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
        (``raise_for_status`` below turns one into the right exception).
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
                                                stream=stream, verify=self.verify)
            except requests.exceptions.SSLError as exc:
                raise TLSError(
                    "TLS verification failed for %s: %s. Set ca_path to the CA bundle that signed the server "
                    "certificate, or validate_certs=false for a lab system." % (self.base_url, self._short(exc)),
                    method, self.redact(url))
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                timed_out = isinstance(exc, requests.exceptions.Timeout)
                # A connect failure never reached the server, so even a POST may be sent again.
                never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or (
                    not timed_out and "Connection refused" in str(exc))
                if (idempotent or never_sent) and attempt < self.retries:
                    self._sleep(self._delay(attempt))
                    attempt += 1
                    continue
                cls = RequestTimeout if timed_out else TransportError
                raise cls("%s talking to %s: %s" % ("Timeout" if timed_out else "Connection failure", self.base_url,
                                                    self.redact(self._short(exc))), method, self.redact(url))
            if response.status_code in RETRY_STATUSES and idempotent and attempt < self.retries:
                delay = self._delay(attempt, response.headers.get("Retry-After"))
                response.close()
                self._sleep(delay)
                attempt += 1
                continue
            return response

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
            body = response.text[:500]
            response.close()
            cls = error_class_for(response.status_code)
            raise cls(self.redact("%s failed" % what), "GET", self.redact(response.url), response.status_code,
                      self.redact(body))
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
            raise TransportError("%s failed while receiving data: %s" % (what, self.redact(self._short(exc))), "GET",
                                 self.redact(response.url))
        except BaseException:
            os.unlink(temp_path)
            raise
        finally:
            response.close()
        return temp_path, digest.hexdigest(), size

    @staticmethod
    def _short(exc):
        text = str(exc)
        return text if len(text) < 300 else text[:300] + "..."

    def raise_for_status(self, response, what, server_message=None):
        """Raise the ``ApiError`` subclass for an error response; ``what`` names the operation."""
        status = response.status_code
        if status < 400:
            return
        cls = error_class_for(status)
        message = "%s failed" % (what,)
        raise cls(self.redact(message), response.request.method, self.redact(response.url), status,
                  self.redact(server_message), self.redact(response.text[:2000]))
