"""One serializer, two formats: GeoReport v2 JSON and its XML twin.

The JSON is the spec's mapping of the XML: a list of objects becomes repeated child elements,
named by ``ITEM_TAGS`` (``service_requests`` → ``request``, ``attributes`` → ``attribute``...).
XML is built with ElementTree, which escapes text, so hostile descriptions stay text.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from flask import Response

FORMATS = ("json", "xml")
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
MIMETYPES = {"json": "application/json", "xml": "text/xml"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """``data`` (a list or an object) under a ``root`` element, UTF-8 with a declaration."""
    element = ET.Element(root)
    _fill(element, data)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return body


def respond(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    """Answer ``data`` as ``fmt``; ``root`` is the XML root (JSON has none)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, data)
    # The spec asks for the charset on both: text/xml and application/json; charset=utf-8.
    return Response(body, status=status, content_type=f"{MIMETYPES[fmt]}; charset=utf-8")
