# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server side of the CTERA XML object format (ctera-protocol.md section 1.3), shared by the Portal and Edge
simulators. Written apart from the collection's client codec on purpose: a simulator must not share code with
the client it checks.

Objects are dicts; the ``class`` and ``uuid`` XML attributes live under the keys the caller names (``class_key``,
``uuid_key``), any other key starting with that prefix is not sent. Scalars stay text on the way in (the server
converts the few numeric and boolean fields it needs, so a user called "007" stays "007"); ``None`` is an empty
``<att/>`` inside an object and no body at all at top level.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeET


class XMLError(ValueError):
    """A request body that is not well-formed CTERA XML (answered with HTTP 400 by the simulators)."""


def parse(body, class_key="_classname", uuid_key="_uuid"):
    """Decode a request body; an empty body is ``None``."""
    if not body or not body.strip():
        return None
    try:
        root = SafeET.fromstring(body)
    except Exception as exc:  # defusedxml raises ParseError or its own DTDForbidden/EntitiesForbidden...
        raise XMLError("malformed XML: %s" % exc) from exc
    return _decode(root, class_key, uuid_key)


def _decode(element, class_key, uuid_key):
    if element.tag == "val":
        return element.text or ""
    if element.tag == "list":
        return [_decode(child, class_key, uuid_key) for child in element if child.tag in ("val", "obj", "list")]
    if element.tag == "obj":
        obj = {}
        if element.get("class") is not None:
            obj[class_key] = element.get("class")
        if element.get("uuid") is not None:
            obj[uuid_key] = element.get("uuid")
        for att in element:
            if att.tag != "att" or att.get("id") is None:
                continue
            children = [child for child in att if child.tag in ("val", "obj", "list")]
            obj[att.get("id")] = _decode(children[0], class_key, uuid_key) if children else None
        return obj
    raise XMLError("unexpected element <%s>" % element.tag)


def build(value, class_key="_classname", uuid_key="_uuid"):
    """Encode a value as CTERA XML (no declaration, no whitespace); ``None`` is an empty body."""
    if value is None:
        return ""
    return _encode(value, class_key, uuid_key, class_key[0])


def _encode(value, class_key, uuid_key, private):
    if isinstance(value, bool):
        return "<val>%s</val>" % ("true" if value else "false")
    if isinstance(value, (int, float)):
        return "<val>%s</val>" % value
    if isinstance(value, str):
        return "<val>%s</val>" % escape(value) if value else "<val />"
    if isinstance(value, (list, tuple)):
        inner = "".join(_encode(item, class_key, uuid_key, private) for item in value if item is not None)
        return "<list>%s</list>" % inner if inner else "<list />"
    if isinstance(value, dict):
        head = "<obj"
        if value.get(class_key):
            head += " class=%s" % quoteattr(value[class_key])
        if value.get(uuid_key):
            head += " uuid=%s" % quoteattr(value[uuid_key])
        atts = []
        for key, item in value.items():
            if key.startswith(private):
                continue
            if item is None:
                atts.append("<att id=%s />" % quoteattr(key))
            else:
                atts.append("<att id=%s>%s</att>" % (quoteattr(key), _encode(item, class_key, uuid_key, private)))
        return head + (">%s</obj>" % "".join(atts) if atts else " />")
    raise TypeError("cannot encode %r" % (value,))
