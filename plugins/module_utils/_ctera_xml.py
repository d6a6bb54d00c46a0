# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CTERA XML object format (docs/protocol-ctera.md#xml-object-format).

Python side: an object is a ``dict`` whose keys are its attributes; the special keys ``_classname`` and
``_uuid`` become the ``class`` and ``uuid`` XML attributes, any other key starting with ``_`` is not sent.
Scalars are ``<val>`` (bools as ``true``/``false``), lists ``<list>`` (``None`` items dropped), ``None`` as an
attribute value is an empty ``<att/>``, ``None`` at top level is no body at all.

Decoding types ``<val>`` text like the SDK (``cterasdk/convert/deserializers.py`` ``ParseValue``) only where that
loses nothing: exactly ``true``/``false`` is a bool, a dotted number a float and an integer literal an int, but only
when encoding that number gives the same text back (``7``, ``-3``, ``1.5``); anything else stays the text as sent,
unstripped (``007``, ``1.10``, ``+1``, `` 7``). So ``to_xml(from_xml(x))`` sends back exactly what was read, and
``as_text()`` of any decoded scalar is the text on the wire. (The SDK makes ``007`` the int 7 and strips blanks, so
a GET -> PUT round trip through it rewrites such values.) ``<val/>`` is ``""``.
Parsing uses defusedxml: no DTDs, no entity expansion, no external entities.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import traceback
from xml.sax.saxutils import escape, quoteattr

try:
    from defusedxml import ElementTree as SafeET
    HAS_DEFUSEDXML = True
    DEFUSEDXML_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported through missing_required_lib by the caller
    SafeET = None
    HAS_DEFUSEDXML = False
    DEFUSEDXML_IMPORT_ERROR = traceback.format_exc()


class XMLDecodeError(ValueError):
    pass


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def to_xml(value):
    """Encode a Python value as CTERA XML text (``None`` -> ``""``, meaning no body)."""
    if value is None:
        return ""
    return _encode(value)


def _encode(value):
    if isinstance(value, dict):
        attrs = ""
        if value.get("_classname") is not None:
            attrs += " class=%s" % quoteattr(str(value["_classname"]))
        if value.get("_uuid") is not None:
            attrs += " uuid=%s" % quoteattr(str(value["_uuid"]))
        parts = []
        for key, item in value.items():
            if key.startswith("_"):
                continue
            if item is None or isinstance(item, tuple):
                parts.append('<att id=%s />' % quoteattr(key))
            else:
                parts.append('<att id=%s>%s</att>' % (quoteattr(key), _encode(item)))
        if not parts:
            return "<obj%s />" % attrs
        return "<obj%s>%s</obj>" % (attrs, "".join(parts))
    if isinstance(value, list):
        items = [_encode(item) for item in value if item is not None]
        if not items:
            return "<list />"
        return "<list>%s</list>" % "".join(items)
    text = _scalar(value)
    if text == "":
        return "<val />"
    return "<val>%s</val>" % text


def sniff(text):
    """Type a ``<val>`` text like the CTERA SDK, but only where the typed value encodes back to the same text."""
    if text is None:
        return ""
    if text in ("true", "false"):
        return text == "true"
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        return text
    return number if _scalar(number) == text else text


def from_xml(text):
    """Decode CTERA XML; ``None`` for an empty or non-XML body (as the SDK does)."""
    if not HAS_DEFUSEDXML:
        raise ImportError("the python 'defusedxml' library is required")
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text.strip():
        return None
    try:
        root = SafeET.fromstring(text)
    except SafeET.ParseError:
        return None
    except Exception as exc:  # defusedxml raises DTDForbidden/EntitiesForbidden: refuse loudly
        raise XMLDecodeError("refused unsafe XML from the server: %s" % type(exc).__name__)
    return _decode(root)


def _decode(element):
    tag = element.tag
    if tag == "val":
        return sniff(element.text) if element.text is not None else ""
    if tag == "list":
        items = []
        for child in element:
            if child.tag in ("val", "obj"):
                items.append(_decode(child))
        return items
    if tag in ("obj", "db"):
        result = {}
        if element.get("class") is not None:
            result["_classname"] = element.get("class")
        if element.get("uuid") is not None:
            result["_uuid"] = element.get("uuid")
        for child in element:
            if child.tag == "att":
                inner = [c for c in child if c.tag in ("val", "obj", "list")]
                result[child.get("id")] = _decode(inner[0]) if inner else None
            elif child.tag == "obj" and tag == "db":
                result.update(_decode(child))
        return result
    return None


def envelope(kind, name, param):
    """The extended-method envelope ``{type, name, param}`` (docs/protocol-ctera.md#method-envelopes)."""
    return {"type": kind, "name": name, "param": param}
