"""Every table, imported in one place so Alembic and the catalog see the whole schema."""

from gisapp.audit import AuditEntry
from gisapp.auth.models import ApiKey, ApiToken, User, UserArea
from gisapp.db import Base
from gisapp.geo.models import LEVELS, Area, AreaLinks
from gisapp.idempotency import IdempotencyKey
from gisapp.maintenance.models import (
    AreaMonth,
    Facility,
    FacilityFacts,
    FacilityMonth,
    FacilityPhoto,
    FacilitySteward,
    FacilityType,
    MaintenanceRecord,
)
from gisapp.notify.models import OutboxMessage
from gisapp.outcomes.models import OutcomeAreaMonth, ProjectPhoto
from gisapp.planning.models import (
    PHASES,
    Project,
    ProjectBudgetLine,
    ProjectMilestone,
    ProjectReport,
)
from gisapp.planning.network_models import Street, StreetVertex
from gisapp.planning.participation import (
    Ballot,
    Pledge,
    ProjectRating,
    VoteCandidate,
    VoteRound,
)
from gisapp.reports.models import (
    STATUSES,
    Category,
    Follow,
    Report,
    ReportContact,
    ReportEvent,
    ReportPhoto,
    ReportRating,
    ReportSupport,
)
from gisapp.standards.open311.models import Open311Request

__all__ = [
    "LEVELS",
    "PHASES",
    "STATUSES",
    "ApiKey",
    "ApiToken",
    "Area",
    "AreaLinks",
    "AreaMonth",
    "AuditEntry",
    "Ballot",
    "Base",
    "Category",
    "Facility",
    "FacilityFacts",
    "FacilityMonth",
    "FacilityPhoto",
    "FacilitySteward",
    "FacilityType",
    "Follow",
    "IdempotencyKey",
    "MaintenanceRecord",
    "Open311Request",
    "OutboxMessage",
    "OutcomeAreaMonth",
    "Pledge",
    "Project",
    "ProjectBudgetLine",
    "ProjectMilestone",
    "ProjectPhoto",
    "ProjectRating",
    "ProjectReport",
    "Report",
    "ReportContact",
    "ReportEvent",
    "ReportPhoto",
    "ReportRating",
    "ReportSupport",
    "Street",
    "StreetVertex",
    "User",
    "UserArea",
    "VoteCandidate",
    "VoteRound",
]
