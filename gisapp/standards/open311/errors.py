"""GeoReport v2 errors: a list of ``{code, description}`` with the HTTP status.

The specification answers 404 for an unknown resource (service_code, request, token), 403 for a
missing or invalid ``api_key`` and 400 for everything else; the body code may be more specific
than the HTTP status. The app's own errors (``ValidationFailed`` from the report intake, ...)
are translated here so one blueprint speaks one format.
"""

from __future__ import annotations

from gisapp.errors import ApiError, GisAppError


class Open311Error(ApiError):
    """An error answered in the GeoReport v2 format (``status`` is the HTTP status)."""

    def __init__(self, status: int, description: str, *, field: str | None = None) -> None:
        super().__init__(description, field=field)
        self.status = status
        self.code = str(status)


def spec_status(exc: GisAppError) -> int:
    """The HTTP status GeoReport v2 uses for one of the app's errors."""
    if exc.status in (403, 404, 503):
        return exc.status
    if exc.status == 401:
        return 403
    # 409 and 422 (a field failed validation) are all "400 for anything else" in the spec.
    return 400 if 400 <= exc.status < 500 else 500


def error_list(exc: GisAppError) -> list[dict[str, object]]:
    """The body: one ``{code, description}``, the field named when there is one."""
    status = spec_status(exc)
    description = exc.message
    if exc.field and exc.field not in description:
        description = f"{exc.field}: {description}"
    return [{"code": status, "description": description}]
