"""Categories and facility types edited by admins: bilingual names, time limits and intervals,
sensitivity, colours. The same rules as ``gisapp/config/*.yaml`` (``reference.CategoryEntry``,
``reference.FacilityTypeEntry``) check every edit; each change is audited with its before.

The configuration files seed new codes on ``gisapp db upgrade``; once a code exists, the
admins' edits win (the upgrade no longer overwrites them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gisapp.audit import record
from gisapp.errors import Conflict, NotFound, ValidationFailed
from gisapp.maintenance.models import FacilityType
from gisapp.reference import CategoryEntry, FacilityTypeEntry
from gisapp.reports.models import Category

KINDS: dict[
    str, tuple[type[Category] | type[FacilityType], type[CategoryEntry] | type[FacilityTypeEntry]]
] = {
    "category": (Category, CategoryEntry),
    "facility_type": (FacilityType, FacilityTypeEntry),
}
FLAGS = {"category": ("sensitive", "active"), "facility_type": ()}


def _checked(kind: str, form: Mapping[str, Any]) -> dict[str, Any]:
    _model, entry = KINDS[kind]
    # Unticked checkboxes are absent from a form: a flag is true only when it is sent.
    flags = {flag: form.get(flag) in ("y", "on", "1", "true", True) for flag in FLAGS[kind]}
    fields = {name: form.get(name) for name in entry.model_fields if name not in flags}
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    try:
        values = entry.model_validate(
            fields | {k: v for k, v in flags.items() if k in entry.model_fields}
        ).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ValidationFailed(f"{field}: {err['msg']}", field=field) from None
    return values | flags


def update(session: Session, actor_id: int, kind: str, code: str, form: Mapping[str, Any]) -> None:
    model, _entry = KINDS[kind]
    row = session.get(model, code)
    if row is None:
        raise NotFound(_("There is no %(kind)s %(code)s.", kind=kind, code=code[:40]))
    values = _checked(kind, {**form, "code": code})
    values.pop("code")
    before = {k: getattr(row, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return
    for k, v in changed.items():
        setattr(row, k, v)
    record(
        session,
        f"{kind}.update",
        kind,
        code,
        actor_id=actor_id,
        before={k: before[k] for k in changed},
        after=changed,
    )


def create(session: Session, actor_id: int, kind: str, form: Mapping[str, Any]) -> None:
    model, _entry = KINDS[kind]
    values = _checked(kind, form)
    if session.get(model, values["code"]) is not None:
        raise Conflict(_("The code %(code)s is taken.", code=values["code"]), field="code")
    session.add(model(**values, sort_order=1000))
    session.flush()
    record(session, f"{kind}.create", kind, values["code"], actor_id=actor_id, after=values)
