"""Projects' before/after photos: uploaded by planners and managers on the project page, shown
on the project page and on /outcomes.

Usage::

    photo = add_photo(session, project, "after", upload_bytes, settings, user_id=7, caption="")
    path = photo_file(settings.upload_dir, photo.filename)

Uploads go through the residents' photo checks (``reports.photos.clean_photo``): re-encoded
from pixels, so EXIF (GPS position, camera owner) and hidden payloads never reach the public.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from gisapp.errors import NotFound, ValidationFailed
from gisapp.outcomes.models import STAGES, ProjectPhoto
from gisapp.planning.models import Project
from gisapp.reports.photos import clean_photo
from gisapp.settings import Settings
from gisapp.validation import text_field

MAX_PER_STAGE = 6
FOLDER = "projects"


def photo_file(upload_dir: Path, filename: str) -> Path:
    return upload_dir / FOLDER / filename


def add_photo(
    session: Session,
    project: Project,
    stage: str | None,
    raw: bytes,
    settings: Settings,
    *,
    user_id: int | None,
    caption: str | None = None,
) -> ProjectPhoto:
    """Check, re-encode and store one photo; nothing is written when a check fails."""
    if stage not in STAGES:
        raise ValidationFailed("stage must be before or after", field="stage")
    note = text_field(caption, "caption", 200)
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(ProjectPhoto)
        .where(ProjectPhoto.project_id == project.id, ProjectPhoto.stage == stage)
    )
    if (count or 0) >= MAX_PER_STAGE:
        raise ValidationFailed(
            f"a project keeps at most {MAX_PER_STAGE} photos {stage} the works", field="photo"
        )
    clean = clean_photo(raw, settings, field="photo")
    folder = settings.upload_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}{'.png' if clean.content_type == 'image/png' else '.jpg'}"
    photo = ProjectPhoto(
        project_id=project.id,
        stage=stage,
        filename=filename,
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
        size_bytes=len(clean.data),
        caption=note or "",
        user_id=user_id,
    )
    session.add(photo)
    session.flush()
    # The file is written after the row is accepted; a failed commit leaves an orphan file at
    # worst, never a row without its file.
    (folder / filename).write_bytes(clean.data)
    return photo


def get_photo(session: Session, project_id: int, photo_id: int) -> ProjectPhoto:
    photo = session.get(ProjectPhoto, photo_id)
    if photo is None or photo.project_id != project_id:
        raise NotFound("no such photo", field="photo_id")
    return photo


def photos_of(session: Session, project_id: int) -> dict[str, list[ProjectPhoto]]:
    """The project's photos by stage, oldest first."""
    out: dict[str, list[ProjectPhoto]] = {stage: [] for stage in STAGES}
    for photo in session.scalars(
        sa.select(ProjectPhoto)
        .where(ProjectPhoto.project_id == project_id)
        .order_by(ProjectPhoto.id)
    ):
        out[photo.stage].append(photo)
    return out
