"""Before/after photos of a project: planners and managers add them on the project page; the
public sees them, re-encoded without location or camera data; bad uploads change nothing."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from gisapp.outcomes.models import ProjectPhoto
from tests.conftest import AuthActions, csrf_from
from tests.outcomes.conftest import PERIOD, Place
from tests.reports.conftest import jpeg_with_gps


def _upload(
    client: FlaskClient, project_id: int, data: bytes, stage: str = "after", caption: str = ""
):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/projects/{project_id}").get_data(as_text=True))
    return client.post(
        f"/projects/{project_id}/photos",
        data={
            "csrf_token": token,
            "stage": stage,
            "caption": caption,
            "photo": (io.BytesIO(data), "site.jpg"),
        },
        content_type="multipart/form-data",
    )


def _count(db_session: Session, project_id: int) -> int:
    return int(
        db_session.scalar(sa.select(sa.func.count()).where(ProjectPhoto.project_id == project_id))
        or 0
    )


def test_planner_adds_before_and_after_photos_shown_everywhere(
    client: FlaskClient, auth: AuthActions, db_session: Session, place: Place
) -> None:
    pid = place.p1.id
    auth.login("demo-planner")
    html = client.get(f"/projects/{pid}?lang=en").get_data(as_text=True)
    assert 'id="photo-form"' in html
    resp = _upload(client, pid, jpeg_with_gps(), "before", "<b>old</b> corner")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/projects/{pid}#photos")
    assert _upload(client, pid, jpeg_with_gps(), "after").status_code == 303
    photos = list(db_session.scalars(sa.select(ProjectPhoto).where(ProjectPhoto.project_id == pid)))
    assert sorted(p.stage for p in photos) == ["after", "before"]
    client.post("/logout", data={"csrf_token": csrf_from(html)})

    # The public: the project page and /outcomes show them; the file has no EXIF left.
    anon = client.application.test_client()
    page = anon.get(f"/projects/{pid}?lang=en").get_data(as_text=True)
    assert "Before the works" in page and 'id="photo-form"' not in page
    assert "&lt;b&gt;old&lt;/b&gt; corner" in page and "<b>old</b>" not in page
    before = next(p for p in photos if p.stage == "before")
    img = anon.get(f"/projects/{pid}/photos/{before.id}")
    assert img.status_code == 200 and img.mimetype == "image/jpeg"
    body = img.get_data()
    img.close()  # send_file streams from an open file
    with Image.open(io.BytesIO(body)) as opened:
        assert not opened.getexif()
    outcomes = anon.get(
        f"/outcomes?area={place.street.code}&to={PERIOD['to']}&months={PERIOD['months']}"
    ).get_data(as_text=True)
    assert f"/projects/{pid}/photos/{before.id}" in outcomes
    data = anon.get(f"/api/v1/outcomes?area={place.street.code}&to=2026-03&months=3").get_json()
    assert data["projects"][0]["photos"]["before"] == [f"/projects/{pid}/photos/{before.id}"]
    # The uploader is never named.
    assert "demo-planner" not in outcomes and "demo-planner" not in page


def test_manager_removes_a_photo(
    client: FlaskClient, auth: AuthActions, db_session: Session, place: Place
) -> None:
    pid = place.p1.id
    auth.login("demo-manager")
    assert _upload(client, pid, jpeg_with_gps()).status_code == 303
    photo = db_session.scalars(sa.select(ProjectPhoto).where(ProjectPhoto.project_id == pid)).one()
    token = csrf_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    resp = client.post(f"/projects/{pid}/photos/{photo.id}/delete", data={"csrf_token": token})
    assert resp.status_code == 303
    assert _count(db_session, pid) == 0
    assert client.get(f"/projects/{pid}/photos/{photo.id}").status_code == 404


def test_bad_uploads_change_nothing(
    client: FlaskClient, auth: AuthActions, db_session: Session, place: Place
) -> None:
    pid = place.p1.id
    auth.login("demo-planner")
    for data, stage in ((b"not an image", "after"), (jpeg_with_gps(), "during"), (b"", "after")):
        resp = _upload(client, pid, data, stage)
        assert resp.status_code == 303
        html = client.get(f"/projects/{pid}?lang=en").get_data(as_text=True)
        assert "flash-error" in html
        # The page's own words (the form posts without ?lang, so Chinese), not the check's.
        messages = re.findall(r"flash-error[^>]*>([^<]*)<", html)
        assert messages and all("选择" in m or "Choose" in m for m in messages), messages
    too_long = _upload(client, pid, jpeg_with_gps(), "after", "x" * 201)
    assert too_long.status_code == 303
    assert _count(db_session, pid) == 0
    for _ in range(6):
        _upload(client, pid, jpeg_with_gps(), "before")
    _upload(client, pid, jpeg_with_gps(), "before")  # the seventh is refused
    assert _count(db_session, pid) == 6


def test_residents_and_visitors_may_not_upload(
    client: FlaskClient, auth: AuthActions, db_session: Session, place: Place
) -> None:
    pid = place.p1.id
    anonymous = client.post(f"/projects/{pid}/photos", data={})
    assert anonymous.status_code in (302, 400, 401, 403)
    auth.login("demo-resident")
    html = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert 'id="photo-form"' not in html
    assert _upload(client, pid, jpeg_with_gps()).status_code == 403
    assert _count(db_session, pid) == 0
    assert client.get(f"/projects/{pid}/photos/999999").status_code == 404
    assert client.get("/projects/999999/photos/1").status_code == 404
