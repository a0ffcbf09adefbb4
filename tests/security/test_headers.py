"""Security headers, CSP nonces on the map pages, cookies, CSRF on every form."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

from gisapp.security.headers import add_nonce
from tests.conftest import make_settings

TEMPLATES = Path(__file__).resolve().parents[2] / "gisapp" / "templates"


def _csp(resp: object) -> dict[str, str]:
    header = resp.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_every_response_carries_the_headers(client: FlaskClient) -> None:
    for url in ("/", "/api/v1/categories", "/login", "/nope", "/healthz"):
        resp = client.get(url)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "geolocation=(self)" in resp.headers["Permissions-Policy"]
        assert resp.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        csp = _csp(resp)
        assert csp["frame-ancestors"] == "'none'"
        assert csp["connect-src"] == "'self'"
        assert "'unsafe-eval'" not in resp.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]
        assert "Strict-Transport-Security" not in resp.headers  # plain HTTP


def test_map_page_inline_code_carries_this_responses_nonce(client: FlaskClient) -> None:
    first, second = client.get("/"), client.get("/")
    nonces = [re.search(r"'nonce-([^']+)'", _csp(r)["script-src"]) for r in (first, second)]
    assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
    html = first.get_data(as_text=True)
    inline = re.findall(r"<(script|style)\b([^>]*)>", html)
    assert inline, "the map page has Folium's inline blocks"
    for tag, attrs in inline:
        if "src=" in attrs:
            continue
        assert f'nonce="{nonces[0].group(1)}"' in attrs, (tag, attrs)


def test_img_src_allows_the_configured_basemap_only() -> None:
    from gisapp.security.headers import content_security_policy

    sub = content_security_policy(
        make_settings(basemap_url="https://{s}.tile.example.org/{z}/{x}/{y}.png"), "n"
    )
    assert "img-src 'self' data: blob: https://*.tile.example.org;" in sub

    csp = content_security_policy(
        make_settings(basemap_url="https://tiles.intranet.local/{z}/{x}/{y}.png"), "n"
    )
    assert "img-src 'self' data: blob: https://tiles.intranet.local;" in csp
    gaode = content_security_policy(make_settings(basemap="gaode"), "n")
    assert "img-src 'self' data: blob: https://*.is.autonavi.com;" in gaode
    none = content_security_policy(make_settings(basemap_url=""), "n")
    assert "img-src 'self' data: blob:;" in none


def test_add_nonce_leaves_stamped_tags_alone(app: object) -> None:
    with app.test_request_context():  # type: ignore[attr-defined]
        html = add_nonce('<script>a</script><style nonce="x">b</style><SCRIPT src="/s.js">')
    assert html.count("nonce=") == 3
    assert 'nonce="x"' in html


def test_session_cookie_is_httponly_lax_and_secure_when_configured(
    client: FlaskClient,
) -> None:
    resp = client.get("/login")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    from gisapp import create_app

    secure = create_app(make_settings(secure_cookies=True, proxy_count=1))
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    behind_proxy = secure.test_client().get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" in behind_proxy.headers


def test_templates_have_no_inline_handlers_and_nonce_every_inline_script() -> None:
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        for match in re.finditer(r"<(script|style)\b([^>]*)>", text):
            attrs = match.group(2)
            if "src=" in attrs or 'type="application/json"' in attrs or "nonce=" in attrs:
                continue
            problems.append(f"{name}: <{match.group(1)}> without nonce")
        if re.search(r"\son[a-z]+\s*=", text):
            problems.append(f"{name}: inline event handler (CSP blocks it)")
        if "javascript:" in text:
            problems.append(f"{name}: javascript: URL")
    assert problems == []


def test_every_post_form_carries_a_csrf_token() -> None:
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            opening = match.group(0)[: match.group(0).index(">") + 1]
            if 'method="post"' not in opening.lower():
                continue
            if "csrf_token" not in match.group(1):
                problems.append(f"{path.relative_to(TEMPLATES)}: {opening}")
    assert problems == []


def test_forged_cross_site_posts_are_refused(client: FlaskClient, auth: object) -> None:
    auth.login("demo-resident")  # type: ignore[attr-defined]
    # A page form without the token (what another site could make the browser send):
    assert client.post("/reports/1/follow", data={}).status_code == 400
    # The API with the session cookie but no X-CSRFToken header:
    resp = client.post("/api/v1/follows", json={"report_id": 1})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_request"


def test_bearer_token_calls_need_no_csrf(client: FlaskClient, auth: object) -> None:
    token = auth.token("demo-resident")  # type: ignore[attr-defined]
    fresh = client.application.test_client()
    resp = fresh.post(
        "/api/v1/me/notifications/read", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code < 400, resp.get_data(as_text=True)
