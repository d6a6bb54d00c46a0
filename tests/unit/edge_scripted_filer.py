# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An EdgeSession whose requests answer from a script, logging every request as it would go on the wire.

The session's own ``path`` and ``wait_task`` run unchanged (they are part of what the tests check); ``get``, ``put``
and ``execute`` answer from ``tree`` (relative path -> value, or ``Answers`` for successive reads) and
``methods`` (method name -> value, ``Answers``, or a function of the parameter). A GET of a path the tree does not
hold is the filer's 404: ``None`` with ``missing_ok``, else an ``ApiError`` naming what was read, like the real
session. Paths in ``failing`` answer HTTP 500, so an error message shows which operation it names."""

from ansible_collections.filefleet.office.plugins.module_utils._edge import API_ROOT, EdgeSession
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, Redactor


class Answers:
    """Successive answers of one path or method; the last one repeats."""

    def __init__(self, *values):
        self.values = list(values)

    def next(self):
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


class _Http:
    def __init__(self, base_url):
        self.base_url = base_url
        self.redact = Redactor([])


class ScriptedFiler(EdgeSession):
    def __init__(self, tree=None, methods=None, firmware="7.13.1000", base_url="https://filer.test"):  # pylint: disable=super-init-not-called
        self.http = _Http(base_url)
        self.api_root = API_ROOT
        self.firmware = firmware
        self.cache = {}
        self.tree = dict(tree or {})
        self.methods = dict(methods or {})
        self.failing = set()
        self.requests = []  # (method, relative path, method name or body)

    def _relative(self, path):
        prefix = API_ROOT + "/"
        assert path.startswith(prefix), path
        return path[len(prefix):]

    def _fail_if_asked(self, path, what):
        if path in self.failing:
            raise ApiError("%s failed: HTTP 500" % what, "GET", path, 500)

    def get(self, path, what=None, missing_ok=False):
        path = self._relative(path)
        self.requests.append(("GET", path, None))
        self._fail_if_asked(path, what)
        if path not in self.tree:
            if missing_ok:
                return None
            raise ApiError("%s failed: HTTP 404" % what, "GET", path, 404)
        value = self.tree[path]
        return value.next() if isinstance(value, Answers) else value

    def put(self, path, value, what=None):
        path = self._relative(path)
        self.requests.append(("PUT", path, value))
        self._fail_if_asked(path, what)
        self.tree[path] = value

    def execute(self, path, name, param=None, what=None):
        path = self._relative(path)
        self.requests.append(("POST", path, (name, param)))
        self._fail_if_asked(path, what)
        answer = self.methods[name]
        if isinstance(answer, Answers):
            return answer.next()
        return answer(param) if callable(answer) else answer

    def sent(self, method=None):
        return [r for r in self.requests if method is None or r[0] == method]
