"""One error family for the whole app; views raise, handlers answer.

::

    GisAppError                      500  (never raised bare)
    ├── ConfigError                  startup: bad setting, invalid layer file
    ├── DataFileError                startup/CLI: a sample or import file is broken
    ├── DatabaseNotReady             503  database down, PostGIS missing, migrations behind
    └── ApiError                     4xx  answered as {"error": {"code", "message", "field"}}
        ├── BadRequest               400
        │   └── ValidationFailed     422  a field failed validation
        ├── Unauthorized             401
        ├── Forbidden                403
        ├── NotFound                 404
        └── Conflict                 409

API errors become JSON; on HTML pages the same errors render a friendly page. A database that
drops its connection mid-request becomes ``DatabaseNotReady`` (503 with ``Retry-After``), never
a stack trace.
"""

from __future__ import annotations

from typing import Any


class GisAppError(Exception):
    """Base of every error the app raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class ConfigError(GisAppError):
    """A setting or a layer file is invalid; the app must not start."""

    code = "config_error"


class DataFileError(GisAppError):
    """A data file (sample, import) has a broken feature; nothing was written."""

    code = "data_file_error"


class DatabaseNotReady(GisAppError):
    status = 503
    code = "database_unavailable"


class ApiError(GisAppError):
    status = 400
    code = "bad_request"


class BadRequest(ApiError):
    pass


class ValidationFailed(BadRequest):
    status = 422
    code = "validation_failed"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"
