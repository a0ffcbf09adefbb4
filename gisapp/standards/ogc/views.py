"""The OGC API - Features endpoints; JSON built around PostgreSQL's text, HTML from templates.

The items response is the hot path (a map client pages through it): PostgreSQL returns the
features as one JSON array (``gisapp.geo.features.feature_page``) and the envelope
(``numberMatched``, ``links`` …) is written around that text, never parsed back into Python.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, jsonify, render_template, request, url_for

from gisapp.db import read_session
from gisapp.errors import NotFound
from gisapp.geo.features import feature_page
from gisapp.i18n import current_locale
from gisapp.standards.ogc import bp
from gisapp.standards.ogc.collections import Collection
from gisapp.standards.ogc.conformance import CONFORMANCE
from gisapp.standards.ogc.extents import CRS84, extent
from gisapp.standards.ogc.http import (
    GEOJSON,
    HTML,
    JSON,
    OPENAPI,
    SCHEMA,
    link,
    output_format,
    self_links,
    vary,
)
from gisapp.standards.ogc.openapi import openapi_document
from gisapp.standards.ogc.page_cache import cached_page
from gisapp.standards.ogc.params import COMMON, check_params, items_query

QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
# numberMatched is exact when present; past this many matches it is left out rather than
# counting a province's million reports on every page.
COUNT_CAP = 100_000


def _collections() -> dict[str, Collection]:
    found: dict[str, Collection] = current_app.extensions["gisapp.ogc"]
    return found


def _collection(cid: str) -> Collection:
    c = _collections().get(cid)
    if c is None:
        raise NotFound(f"no collection {cid[:64]!r}", field="collectionId")
    return c


def _json(doc: dict[str, Any], media: str = JSON) -> Response:
    resp = jsonify(doc)
    resp.mimetype = media
    return vary(resp)


def _html(template: str, **context: Any) -> Response:
    settings = current_app.extensions["gisapp.settings"]
    page = render_template(
        template,
        basemap=settings.basemap_url,
        attribution=settings.basemap_attribution,
        **context,
    )
    return vary(current_app.make_response(page))


def _describe(c: Collection) -> dict[str, Any]:
    locale = current_locale()
    cid = {"cid": c.id}
    doc: dict[str, Any] = {
        "id": c.id,
        "title": c.title.get(locale),
        "description": c.description.get(locale) if c.description else None,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": extent(read_session(), c),
        "links": [
            *self_links("ogc.collection", cid),
            link("ogc.items", "items", GEOJSON, {**cid, "f": "json"}),
            link("ogc.items", "items", HTML, {**cid, "f": "html"}),
            link("ogc.queryables", QUERYABLES_REL, SCHEMA, {**cid, "f": "json"}),
        ],
    }
    if doc["description"] is None:
        del doc["description"]
    return doc


@bp.get("/")
@bp.get("")
def landing() -> Response:
    check_params(request.args, COMMON)
    doc = {
        "title": "Co-creation map · OGC API - Features",
        "description": "Public open data of the co-creation map (共同缔造): areas, residents' "
        "reports, improvement projects and public facilities.",
        "links": [
            *self_links("ogc.landing"),
            link("ogc.api", "service-desc", OPENAPI, {"f": "json"}, "the API definition"),
            link("ogc.api", "service-doc", HTML, {"f": "html"}, "the API documentation"),
            link("ogc.conformance", "conformance", JSON, {"f": "json"}, "conformance classes"),
            link("ogc.collections", "data", JSON, {"f": "json"}, "collections"),
        ],
    }
    if output_format() == "html":
        return _html("ogc/landing.html", doc=doc, collections=_collections())
    return _json(doc)


@bp.get("/conformance")
def conformance() -> Response:
    check_params(request.args, COMMON)
    doc = {"conformsTo": list(CONFORMANCE), "links": self_links("ogc.conformance")}
    if output_format() == "html":
        return _html("ogc/conformance.html", doc=doc)
    return _json(doc)


@bp.get("/api")
def api() -> Response:
    check_params(request.args, COMMON)
    doc = openapi_document(_collections())
    if output_format() == "html":
        return _html("ogc/api.html", doc=doc)
    return _json(doc, OPENAPI)


@bp.get("/collections")
def collections() -> Response:
    check_params(request.args, COMMON)
    doc = {
        "links": self_links("ogc.collections"),
        "crs": [CRS84],
        "collections": [_describe(c) for c in _collections().values()],
    }
    if output_format() == "html":
        return _html("ogc/collections.html", doc=doc)
    return _json(doc)


@bp.get("/collections/<cid>")
def collection(cid: str) -> Response:
    check_params(request.args, COMMON)
    doc = _describe(_collection(cid))
    if output_format() == "html":
        return _html("ogc/collection.html", doc=doc)
    return _json(doc)


@bp.get("/collections/<cid>/queryables")
def queryables(cid: str) -> Response:
    check_params(request.args, COMMON)
    c = _collection(cid)
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url_for("ogc.queryables", cid=c.id, _external=True),
        "type": "object",
        "title": c.title.get(current_locale()),
        "properties": {name: q.schema for name, q in c.queryables.items()},
        "additionalProperties": False,
    }
    if output_format() == "html":
        return _html("ogc/queryables.html", doc=doc, cid=c.id)
    return _json(doc, SCHEMA)


def _html_nav(c: Collection, limit: int, offset: int, more: bool) -> dict[str, str | None]:
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("f", "offset")}
    args["cid"] = c.id
    return {
        "next": url_for("ogc.items", **args, offset=offset + limit, f="html") if more else None,
        "prev": url_for("ogc.items", **args, offset=max(0, offset - limit), f="html")
        if offset
        else None,
        "json": url_for("ogc.items", **args, offset=offset, f="json"),
    }


def _page_links(c: Collection, limit: int, offset: int, more: bool) -> list[dict[str, str]]:
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("f", "offset")}
    args["cid"] = c.id
    links = self_links("ogc.items", {**args, "offset": offset}, GEOJSON)
    if more:
        after = {**args, "offset": offset + limit, "f": "json"}
        links.append(link("ogc.items", "next", GEOJSON, after))
    if offset > 0:
        before = {**args, "offset": max(0, offset - limit), "f": "json"}
        links.append(link("ogc.items", "prev", GEOJSON, before))
    links.append(link("ogc.collection", "collection", JSON, {"cid": c.id, "f": "json"}))
    return links


@bp.get("/collections/<cid>/items")
def items(cid: str) -> Response:
    c = _collection(cid)
    fmt = output_format()
    query = items_query(c, request.args)
    session = read_session()
    page = cached_page(
        session,
        c,
        query,
        request.args,
        lambda: feature_page(
            session,
            c.table,
            (),
            query.where,
            limit=query.limit,
            offset=query.offset,
            count_cap=COUNT_CAP,
            feature=c.feature,
        ),
    )
    if fmt == "html":
        return _html(
            "ogc/items.html",
            c=c,
            page=page,
            features=json.loads(page.features),
            nav=_html_nav(c, query.limit, query.offset, page.more),
            query=query,
        )
    links = _page_links(c, query.limit, query.offset, page.more)
    matched = "" if page.matched is None else f'"numberMatched":{page.matched},'
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    body = (
        f'{{"type":"FeatureCollection",{matched}"numberReturned":{page.returned},'
        f'"timeStamp":"{stamp}","links":{json.dumps(links)},"features":{page.features}}}'
    )
    resp = Response(body, mimetype=GEOJSON)
    resp.headers["Content-Crs"] = f"<{CRS84}>"
    return vary(resp)


@bp.get("/collections/<cid>/items/<fid>")
def item(cid: str, fid: str) -> Response:
    check_params(request.args, COMMON)
    c = _collection(cid)
    fmt = output_format()
    if not fid.isdecimal() or len(fid) > 18:
        raise NotFound(f"no feature {fid[:32]!r} in {c.id}", field="featureId")
    text = (
        read_session()
        .execute(sa.select(sa.cast(c.feature, sa.Text)).where(c.table.c.id == int(fid), *c.where))
        .scalar()
    )
    if text is None:
        raise NotFound(f"no feature {fid} in {c.id}", field="featureId")
    links = [
        *self_links("ogc.item", {"cid": c.id, "fid": fid}, GEOJSON),
        link("ogc.collection", "collection", JSON, {"cid": c.id, "f": "json"}),
    ]
    if fmt == "html":
        page_link = c.link.replace("{id}", fid) if c.link else None
        return _html(
            "ogc/item.html",
            c=c,
            feature=json.loads(text),
            links=links,
            page_link=page_link,
        )
    # The object PostgreSQL built ends with "}": the links go in just before it.
    body = f'{text[:-1]},"links":{json.dumps(links)}}}'
    resp = Response(body, mimetype=GEOJSON)
    resp.headers["Content-Crs"] = f"<{CRS84}>"
    return vary(resp)
