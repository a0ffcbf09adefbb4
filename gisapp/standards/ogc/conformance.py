"""Conformance classes declared at ``/ogc/conformance`` (OGC 17-069r4, version 1.0)."""

from __future__ import annotations

_BASE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"

CONFORMANCE = tuple(_BASE + name for name in ("core", "oas30", "geojson", "html"))
