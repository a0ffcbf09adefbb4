"""Admin pages: accounts, roles, grid workers' areas, categories and facility types. Every change
lands in the audit log; bad input changes nothing; nobody but admins gets in."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gisapp.models import Area, AuditEntry, Category, FacilityType, User, UserArea
from tests.conftest import AuthActions, post_form


def _audit(db_session: Session, action: str) -> list[AuditEntry]:
    return list(db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def _user(db_session: Session, username: str) -> User | None:
    db_session.expire_all()
    return db_session.scalars(sa.select(User).where(User.username == username)).first()


def test_only_admins_get_in(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get("/admin/").status_code == 302  # anonymous: sign in first
    auth.login("demo-manager")
    for url in ("/admin/", "/admin/users", "/admin/categories", "/admin/facility-types"):
        assert client.get(url).status_code == 403, url


def test_create_a_grid_worker_and_assign_areas(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    resp = post_form(
        client,
        "/admin/users",
        "/admin/users",
        username="li-grid",
        password="a-good-long-password",
        role="grid_worker",
        display_name="李网格员",
    )
    assert resp.status_code == 303
    user = _user(db_session, "li-grid")
    assert user is not None and user.role == "grid_worker"
    assert _audit(db_session, "user.create")[-1].target_id == str(user.id)

    codes = list(
        db_session.scalars(
            sa.select(Area.code).where(Area.level == "community").order_by(Area.id).limit(2)
        )
    )
    page = f"/admin/users/{user.id}"
    post_form(client, f"/admin/users/{user.id}/areas", page, areas=f"{codes[0]}，{codes[1]}")
    db_session.expire_all()
    assigned = set(
        db_session.scalars(
            sa.select(Area.code)
            .join(UserArea, UserArea.area_id == Area.id)
            .where(UserArea.user_id == user.id)
        )
    )
    assert assigned == set(codes)
    assert _audit(db_session, "user.set_areas")[-1].detail["after"] == sorted(codes)

    # An unknown code or a building changes nothing.
    building = db_session.scalars(sa.select(Area.code).where(Area.level == "building")).first()
    for bad in ("NO-SUCH-AREA", str(building)):
        resp = post_form(client, f"/admin/users/{user.id}/areas", page, areas=f"{codes[0]}, {bad}")
        assert resp.status_code == 303
        page_text = client.get(page).get_data(as_text=True)
        assert bad in page_text  # the flashed error names it
        db_session.expire_all()
        assert db_session.scalar(sa.select(sa.func.count()).where(UserArea.user_id == user.id)) == 2


def test_bad_accounts_are_refused(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    before = db_session.scalar(sa.select(sa.func.count()).select_from(User))
    for data in (
        {"username": "demo-resident", "password": "a-good-long-password", "role": "resident"},
        {"username": "x", "password": "a-good-long-password", "role": "resident"},
        {"username": "<script>", "password": "a-good-long-password", "role": "resident"},
        {"username": "shorty", "password": "short", "role": "resident"},
        {"username": "rooty", "password": "a-good-long-password", "role": "root"},
    ):
        post_form(client, "/admin/users", "/admin/users", **data)
    db_session.expire_all()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_role_change_and_no_self_lockout(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    resident = _user(db_session, "demo-resident")
    admin = _user(db_session, "demo-admin")
    assert resident is not None and admin is not None
    post_form(
        client,
        f"/admin/users/{resident.id}",
        f"/admin/users/{resident.id}",
        role="planner",
        active="y",
    )
    assert _user(db_session, "demo-resident").role == "planner"  # type: ignore[union-attr]
    entry = _audit(db_session, "user.update")[-1]
    assert entry.detail["before"]["role"] == "resident"
    assert entry.actor_id == admin.id

    post_form(client, f"/admin/users/{admin.id}", f"/admin/users/{admin.id}", role="resident")
    again = _user(db_session, "demo-admin")
    assert again is not None and again.role == "admin" and again.active


def test_categories_and_facility_types_are_edited_and_audited(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    category = db_session.scalars(sa.select(Category).order_by(Category.code)).first()
    assert category is not None
    code = category.code
    post_form(
        client,
        f"/admin/categories/{code}",
        "/admin/categories",
        name_zh="新名称",
        name_en="New name",
        color="#123456",
        time_limit_days="3",
        sensitive="y",
        active="y",
    )
    db_session.expire_all()
    edited = db_session.get(Category, code)
    assert edited is not None
    assert (edited.name_zh, edited.time_limit_days, edited.sensitive) == ("新名称", 3, True)
    assert _audit(db_session, "category.update")[-1].detail["before"]["time_limit_days"] != 3

    # Bad values change nothing and say which field.
    for bad in ({"time_limit_days": "abc"}, {"time_limit_days": "0"}, {"color": "red"}):
        fields = {"name_zh": "甲", "name_en": "A", "color": "#123456", "time_limit_days": "3"}
        fields.update(bad)
        post_form(client, f"/admin/categories/{code}", "/admin/categories", **fields)
        text = client.get("/admin/categories").get_data(as_text=True)
        assert next(iter(bad)) in text
    db_session.expire_all()
    assert db_session.get(Category, code).name_zh == "新名称"  # type: ignore[union-attr]

    post_form(
        client,
        "/admin/facility-types",
        "/admin/facility-types",
        code="drinking_fountain",
        name_zh="直饮水机",
        name_en="Drinking fountain",
        color="#0077cc",
        interval_days="14",
    )
    db_session.expire_all()
    created = db_session.get(FacilityType, "drinking_fountain")
    assert created is not None and created.interval_days == 14
    assert _audit(db_session, "facility_type.create")

    # Hostile names are stored as text and escaped on the page.
    post_form(
        client,
        f"/admin/facility-types/{created.code}",
        "/admin/facility-types",
        name_zh="<img src=x onerror=alert(1)>",
        name_en="Fountain",
        color="#0077cc",
        interval_days="14",
    )
    text = client.get("/admin/facility-types").get_data(as_text=True)
    assert "<img src=x" not in text and "&lt;img src=x" in text


def test_open311_keys_are_audited(
    client: FlaskClient, auth: AuthActions, db_session: Session
) -> None:
    auth.login("demo-admin")
    post_form(client, "/admin/open311-keys", "/admin/open311-keys", name="12345 hotline bridge")
    entry = _audit(db_session, "open311_key.create")[-1]
    assert entry.detail["name"] == "12345 hotline bridge"
    assert entry.actor_role == "admin"
