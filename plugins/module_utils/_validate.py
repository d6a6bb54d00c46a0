# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks every filefleet.office module shares, run by ``FilefleetModule`` before any request.

* Strict types (``strict_type_errors``), on the parameters as they came, before ansible-core converts them: ansible
  turns ``name: [a, b]`` into the text ``"['a', 'b']"``, ``timeout: true`` into 1 and ``name: yes`` into
  ``"True"``. Here a list or a dict given for a single value, a boolean given for a number or a text, and a
  fractional number given for a text are errors naming the option. Text that no API can carry (control characters
  other than tab and line breaks, which XML 1.0 forbids; lone surrogates, which are not Unicode) and text longer
  than ``MAX_TEXT`` characters are errors too.
* Numbers: finite, within the bounds of the option (``check_bounds``): ``nan``, ``inf`` and ``1e300`` never reach
  a server or a clock.
* Base URLs (``check_base_url``): ``https://`` (or a bare host name, which means https); plain ``http://`` only
  with ``allow_insecure_http: true``, since the password would travel in clear text.
* Names (``check_names``): no leading or trailing whitespace. The services trim or keep it inconsistently, so
  ``" bob "`` would be a second user on one and the same user on another; it is refused instead of trimmed.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import math
from urllib.parse import urlsplit

MAX_TEXT = 4096
URL_OPTIONS = ("portal_url", "edge_url", "cloutility_url")
# Bounds of options that several modules share; a module adds its own (``FilefleetModule(bounds=...)``).
COMMON_BOUNDS = {
    "timeout": (1, 3600, "seconds"),
    "wait_timeout": (0, 86400, "seconds"),
}
_TYPE_WORDS = {"str": "a text", "path": "a file path (text)", "int": "a whole number", "float": "a number",
               "bool": "true or false", "list": "a list", "dict": "a dictionary"}


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a dictionary"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    if isinstance(value, float):
        return "a fractional number"
    if isinstance(value, int):
        return "a whole number"
    return "a %s" % type(value).__name__


def _shown(value, secret):
    if secret:
        return ""
    try:
        text = repr(value)
    except ValueError:  # a whole number of more than 4300 digits has no repr
        return " (a number too long to show)"
    return " (%s)" % (text if len(text) <= 80 else text[:77] + "...")


def text_problem(value):
    """Why ``value`` (a str) cannot be sent as text, or None."""
    if len(value) > MAX_TEXT:
        return "is %d characters long; at most %d are allowed" % (len(value), MAX_TEXT)
    for char in value:
        code = ord(char)
        if (code < 32 and char not in "\t\r\n") or code == 127:
            return "holds the control character %r; only printable text, tabs and line breaks are allowed" % char
        if 0xD800 <= code <= 0xDFFF:
            return "holds a lone surrogate (%r), which is not valid Unicode text" % char
    return None


def _scalar_error(option, kind, value, secret):
    """The error for one value of type ``kind`` (str, path, int, float, bool), or None."""
    if value is None:
        return None
    if isinstance(value, (dict, list, tuple, set)):
        return "%s must be %s, got %s%s; give a single value" % (
            option, _TYPE_WORDS[kind], _kind(value), _shown(value, secret))
    if kind in ("str", "path"):
        if isinstance(value, bool) or isinstance(value, float):
            return "%s must be %s, got %s%s; quote it to give it as text" % (
                option, _TYPE_WORDS[kind], _kind(value), _shown(value, secret))
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return "%s %s" % (option, problem)
        return None
    if kind in ("int", "float"):
        if isinstance(value, bool):
            return "%s must be %s, got a boolean%s" % (option, _TYPE_WORDS[kind], _shown(value, secret))
        number = value
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                return None  # ansible-core's own check names the option and the type
        if kind == "float" and isinstance(number, int):
            try:
                float(number)
            except OverflowError:
                return "%s is too large a number%s" % (option, _shown(value, secret))
        if isinstance(number, float) and not math.isfinite(number):
            return "%s must be a finite number, got %s" % (option, _shown(value, secret).strip(" ()") or "nan or inf")
    return None


def strict_type_errors(spec, params, prefix="", texts=()):
    """Errors of the parameters ``params`` as given (before conversion) against the argument spec ``spec``.
    ``texts``: options that must be given as text even though a number would convert (a mode such as ``0644``)."""
    errors = []
    if not isinstance(params, dict):
        return errors
    for option in texts:
        value = params.get(option)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            errors.append("%s must be given as quoted text, got the number %r (YAML reads an unquoted 0644 as the "
                          "number 420); write it in quotes, for example '0644'" % (prefix + option, value))
    for option, definition in spec.items():
        names = [option] + list(definition.get("aliases") or [])
        given = [params[name] for name in names if name in params]
        if not given:
            continue
        value = given[0]
        label = prefix + option
        kind = definition.get("type", "str")
        secret = bool(definition.get("no_log"))
        if kind in ("str", "path", "int", "float", "bool"):
            error = _scalar_error(label, kind, value, secret)
            if error:
                errors.append(error)
        elif kind == "list" and isinstance(value, list):
            elements = definition.get("elements")
            for position, item in enumerate(value):
                item_label = "%s[%d]" % (label, position)
                if elements in ("str", "path", "int", "float", "bool"):
                    error = _scalar_error(item_label, elements, item, secret)
                    if error:
                        errors.append(error)
                elif elements == "dict" and definition.get("options"):
                    if not isinstance(item, dict):
                        errors.append("%s must be a dictionary, got %s%s" % (item_label, _kind(item), _shown(item, secret)))
                    else:
                        errors.extend(strict_type_errors(definition["options"], item, item_label + "."))
        elif kind == "list" and (isinstance(value, (dict, bool, int, float)) or definition.get("elements") == "dict"):
            # value is not a list here: lists are handled above
            errors.append("%s must be a list, got %s%s" % (label, _kind(value), _shown(value, secret)))
        elif kind == "dict" and not isinstance(value, dict):
            errors.append("%s must be a dictionary, got %s%s" % (label, _kind(value), _shown(value, secret)))
        elif kind == "dict" and definition.get("options") and isinstance(value, dict):
            errors.extend(strict_type_errors(definition["options"], value, label + "."))
    return errors


def secret_values(spec, params):
    """Every text given for a ``no_log`` option in ``params`` (as given, suboptions included), to be masked in the
    output of a failure that comes before ansible-core has collected them."""
    found = set()

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                collect(item)
        elif value is not None and not isinstance(value, bool) and str(value) != "":
            found.add(str(value))

    if not isinstance(params, dict):
        return found
    for option, definition in spec.items():
        value = params.get(option)
        if value is None:
            continue
        if definition.get("no_log"):
            collect(value)
        elif definition.get("options"):
            for entry in value if isinstance(value, list) else [value]:
                found.update(secret_values(definition["options"], entry))
    return found


def check_bounds(option, value, low, high, unit=""):
    """ValueError naming ``option`` unless ``value`` is a finite number within ``[low, high]``."""
    if value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("%s must be a finite number, got %r" % (option, value))
    if not low <= value <= high:
        raise ValueError("%s must be between %s and %s%s, got %s" % (
            option, _number(low), _number(high), " " + unit if unit else "", _number(value)))


def number_text(value):
    """A number as a message shows it; a huge whole number as its order of magnitude (never converted to a float
    or to all its digits, which may not be possible)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int) and abs(value) >= 10 ** 15:
        return "%sabout 10^%d" % ("-" if value < 0 else "", int(math.log10(abs(value))))  # math.log10 takes any int
    return str(value)


_number = number_text


def check_base_url(option, value, allow_insecure_http):
    """ValueError naming ``option`` unless ``value`` is an https URL (or a bare host name), or an http URL with
    ``allow_insecure_http``."""
    if value is None:
        return
    text = value.strip()
    if text != value or not text or any(char.isspace() for char in text):
        raise ValueError("%s=%r must be a URL such as https://host.example.com, without spaces" % (option, value))
    parts = urlsplit(text if "://" in text else "https://" + text)
    try:
        parts.port  # pylint: disable=pointless-statement  # raises on a port that is not a number 0-65535
    except ValueError:
        raise ValueError("%s=%r has a port that is not a number from 1 to 65535" % (option, value))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("%s=%r is not an https URL; give https://host (or a bare host name, which means https)"
                         % (option, value))
    if parts.username is not None or parts.password is not None:
        raise ValueError("%s must not hold credentials (user:password@); give them in the username and password "
                         "options" % option)
    if parts.query or parts.fragment:
        raise ValueError("%s=%r must not hold a query (?) or a fragment (#)" % (option, value))
    if parts.scheme.lower() == "http" and not allow_insecure_http:
        raise ValueError("%s=%r is plain http: the password would travel in clear text. Use https://, or set "
                         "allow_insecure_http: true if you accept that (a lab system only)" % (option, value))


def check_names(option, value):
    """ValueError naming ``option`` when a name (or a list of names) is only whitespace, has leading or trailing
    whitespace, or is ``.`` or ``..`` (which would address another object in a URL path)."""
    for position, name in enumerate(value if isinstance(value, list) else [value]):
        if not isinstance(name, str):
            continue
        where = option if not isinstance(value, list) else "%s[%d]" % (option, position)
        if name and not name.strip():
            raise ValueError("%s must not be empty (it is only whitespace)" % where)
        if name != name.strip():
            raise ValueError("%s=%r has leading or trailing whitespace; names are not trimmed, give the name "
                             "without it" % (where, name))
        if name in (".", ".."):
            raise ValueError("%s=%r is not allowed: '.' and '..' would address another object (the URL path would "
                             "change), not one named %r" % (where, name, name))


def _values_at(params, path):
    """``(label, value)`` of the option ``path`` (``users.name``: the option ``name`` of each entry of ``users``)."""
    head, _dot, rest = path.partition(".")
    value = params.get(head) if isinstance(params, dict) else None
    if value is None:
        return []
    if not rest:
        return [(head, value)]
    found = []
    for position, entry in enumerate(value if isinstance(value, list) else [value]):
        for label, inner in _values_at(entry, rest):
            found.append(("%s[%d].%s" % (head, position, label), inner))
    return found


MAX_ID = 2147483647  # ids of the Cloutility API are 32-bit integers (a .NET int)
MAX_STORAGE_GB = 10 ** 9  # an exabyte: more than any consumption unit's limit, less than absurd (1e300)


def check_reference(option, value):
    """ValueError naming ``option`` unless ``value`` (a ``raw`` option) is an id (a whole number from 1, or its
    digits as text) or a name (non-empty text)."""
    if value is None:
        return
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("%s must be an id or a name, got an empty text" % option)
        problem = text_problem(value)
        if problem:
            raise ValueError("%s %s" % (option, problem))
        if text.isdigit() and not 1 <= int(text) <= MAX_ID:
            raise ValueError("%s: an id must be between 1 and %d, got %s" % (option, MAX_ID, text))
        return
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_ID:
            raise ValueError("%s: an id must be between 1 and %d, got %s" % (option, MAX_ID, _number(value)))
        return
    raise ValueError("%s must be an id (a whole number) or a name (text), got %s%s" % (
        option, _kind(value), _shown(value, False)))


def check_params(params, bounds=None, names=(), references=()):
    """The checks of validated parameters: base URLs, bounds (``COMMON_BOUNDS`` and ``bounds``: option path ->
    ``(low, high, unit)``), names without surrounding whitespace (``names``: option paths) and references to
    other objects by id or name (``references``: option paths of ``raw`` options; ``option[]``: every element of a
    list option).
    Raises ValueError."""
    allow_http = bool(params.get("allow_insecure_http"))
    for option in URL_OPTIONS:
        if option in params:
            check_base_url(option, params[option], allow_http)
    every = dict(COMMON_BOUNDS)
    every.update(bounds or {})
    for path, (low, high, unit) in sorted(every.items()):
        for label, value in _values_at(params, path):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                check_bounds(label, value, low, high, unit)
    for path in references:
        each = path.endswith("[]")
        for label, value in _values_at(params, path[:-2] if each else path):
            if each and isinstance(value, list):
                for position, item in enumerate(value):
                    check_reference("%s[%d]" % (label, position), item)
            else:
                check_reference(label, value)
    for path in names:
        for label, value in _values_at(params, path):
            check_names(label, value)
