"""Typed settings, read from the environment once, in ``create_app``.

Usage::

    settings = Settings()                      # GISAPP_* variables, DATABASE_URL, SECRET_KEY, .env
    settings = Settings(database_url="postgresql://u:p@host/db", testing=True)

Every variable takes the ``GISAPP_`` prefix except the two conventional ones, ``DATABASE_URL``
and ``SECRET_KEY``. A bad value stops start-up with the variable's name in the message
(see :func:`load_settings`).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gisapp.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_BASEMAP = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


def sqlalchemy_url(url: str) -> str:
    """Accept libpq-style URLs and point SQLAlchemy at psycopg 3.

    >>> sqlalchemy_url("postgresql://u:p@h:5432/db")
    'postgresql+psycopg://u:p@h:5432/db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """All configuration of one app instance."""

    model_config = SettingsConfigDict(
        env_prefix="GISAPP_",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str = Field(
        default="postgresql://gisapp:gisapp@127.0.0.1:5432/gisapp",
        validation_alias=AliasChoices("DATABASE_URL", "GISAPP_DATABASE_URL", "database_url"),
    )
    secret_key: str = Field(
        default="",
        validation_alias=AliasChoices("SECRET_KEY", "GISAPP_SECRET_KEY", "secret_key"),
    )
    testing: bool = False
    layers_dir: Path = PROJECT_ROOT / "layers"
    sample_dir: Path = PROJECT_ROOT / "sample_geodata"
    upload_dir: Path = PROJECT_ROOT / "instance" / "uploads"
    basemap_url: str = DEFAULT_BASEMAP
    basemap_attribution: str = DEFAULT_ATTRIBUTION
    # osm: the tiles of basemap_url (above); gaode: Amap's GCJ-02 tiles, overlays shifted to
    # match (gisapp/maps/basemaps.py); tianditu: needs tianditu_key; none: no tiles at all.
    basemap: Literal["osm", "gaode", "tianditu", "none"] = "osm"
    tianditu_key: str = Field(default="", validate_default=True)
    # Centre and zoom used when the catalog has no data yet (Wuhan, Wuchang district).
    map_center_lon: float = 114.316
    map_center_lat: float = 30.554
    map_zoom: int = Field(default=15, ge=1, le=20)
    default_locale: str = "zh_Hans"
    # Times are stored in UTC and shown in the programme's local time.
    timezone: str = "Asia/Shanghai"
    token_ttl_hours: int = Field(default=24 * 30, ge=1)
    db_pool_size: int = Field(default=5, ge=1)
    # Streaming replicas for reads that may lag (public maps, tiles, OGC API, dashboards):
    # comma-separated URLs; empty means every read goes to DATABASE_URL (see gisapp/db.py).
    read_database_urls: str = ""
    # A client that has just written reads from the primary for this long (read your writes).
    read_your_writes_seconds: int = Field(default=15, ge=0, le=3600)
    # A replica that refused a connection is skipped for this long before it is tried again.
    replica_retry_seconds: int = Field(default=30, ge=1, le=3600)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)
    retry_after_seconds: int = Field(default=5, ge=1)
    # Residents' reports
    twin_radius_m: float = Field(default=100, gt=0, le=1000)
    reopen_days: int = Field(default=14, ge=1)
    # Spam signal "burst": this many reports from one person or browser within the window
    # put the next ones in the review queue (gisapp.reports.moderation).
    spam_burst: int = Field(default=5, ge=1)
    spam_window_minutes: int = Field(default=10, ge=1)
    sensitive_rounding_m: float = Field(default=100, ge=10, le=5000)
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    photo_max_pixels: int = Field(default=40_000_000, ge=10_000)
    photos_per_report: int = Field(default=3, ge=0, le=10)
    # E-mail: notifications always go to the outbox table; they are mailed only when set.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "noreply@co-creation.invalid"
    # Features the map draws per layer request; beyond it the API pages (issue 7 brings tiles).
    map_feature_limit: int = Field(default=5_000, ge=1, le=10_000)
    # Vector tiles (/tiles/{layer}/{z}/{x}/{y}.pbf, gisapp/standards/tiles): a tile that would
    # hold more features than this carries clusters instead (and says so), never a cut list;
    # browsers reuse a tile for max-age seconds, then revalidate it with its ETag; the server
    # keeps rendered tiles in Redis (GISAPP_REDIS_URL) or else in an in-process LRU this large.
    tile_max_features: int = Field(default=5_000, ge=1, le=50_000)
    tile_max_age_seconds: int = Field(default=10, ge=0, le=86_400)
    tile_cache_mb: int = Field(default=64, ge=0, le=4_096)
    # A tile's data version is read again after this long (per process); a client that asks to
    # revalidate, or has just written, always gets the latest. 0: read it for every tile.
    tile_version_seconds: float = Field(default=1, ge=0, le=60)
    # Summary triggers append deltas that the app folds into the summaries at most this often,
    # after a write (gisapp/summaries.py); 0 leaves folding to `gisapp summaries fold`.
    summary_fold_seconds: float = Field(default=5, ge=0, le=3_600)
    # Participation: one hour of residents' labour (投工投劳) is valued at this many yuan in
    # budget lines and in 以奖代补 rewards; reports within this radius of a finished project are
    # compared 6 months before and after its completion (效果共评).
    labour_hour_value_yuan: float = Field(default=30, gt=0, le=10_000)
    related_radius_m: float = Field(default=300, gt=0, le=5_000)
    # Web hardening (gisapp/security): behind HTTPS, cookies are sent over HTTPS only; behind
    # N reverse proxies, X-Forwarded-For/-Proto from the N nearest are trusted (ProxyFix).
    secure_cookies: bool = False
    proxy_count: int = Field(default=0, ge=0, le=5)
    # Rate limits (Flask-Limiter, "N/second|minute|hour|day", ";" between several): shared by
    # every worker through Redis when GISAPP_REDIS_URL is set, else kept per process in memory.
    redis_url: str = ""
    rate_limits_enabled: bool = True
    limit_login: str = "10/minute;50/hour"
    limit_report: str = "10/minute;60/hour"
    limit_support: str = "30/minute;300/hour"
    limit_vote: str = "20/minute;100/hour"
    limit_pledge: str = "20/minute;100/hour"
    limit_upload: str = "20/minute;120/hour"
    limit_open311: str = "30/minute;300/hour"

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str) -> str:
        if not value.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must be a PostgreSQL URL like postgresql://user:pass@host:5432/db")
        return value

    @field_validator("read_database_urls")
    @classmethod
    def _postgres_replicas(cls, value: str) -> str:
        for url in (u.strip() for u in value.split(",") if u.strip()):
            if not url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
                raise ValueError(
                    "must be comma-separated PostgreSQL URLs like postgresql://u:p@replica:5432/db"
                )
        return value

    @field_validator(
        "limit_login",
        "limit_report",
        "limit_support",
        "limit_vote",
        "limit_pledge",
        "limit_upload",
        "limit_open311",
    )
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError("must be rate limits like 10/minute;50/hour") from exc
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a Redis URL like redis://127.0.0.1:6379/0, or empty")
        return value

    @field_validator("tianditu_key")
    @classmethod
    def _tianditu_needs_key(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("basemap") == "tianditu" and not value.strip():
            raise ValueError(
                "is required when GISAPP_BASEMAP=tianditu (a key from tianditu.gov.cn)"
            )
        return value.strip()

    @field_validator("basemap_url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        if value and not all(part in value for part in ("{z}", "{x}", "{y}")):
            raise ValueError("must be a tile URL template with {z}, {x} and {y}, or empty")
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh_Hans", "en"):
            raise ValueError("must be zh_Hans or en")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from exc
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return sqlalchemy_url(self.database_url)

    @property
    def read_sqlalchemy_urls(self) -> list[str]:
        """The replicas' URLs (GISAPP_READ_DATABASE_URLS), in the order given."""
        return [sqlalchemy_url(u.strip()) for u in self.read_database_urls.split(",") if u.strip()]

    def effective_secret_key(self) -> str:
        """The configured key, or a random one for a process that will not persist sessions."""
        return self.secret_key or secrets.token_hex(32)


_ENV_NAMES = {
    "database_url": "DATABASE_URL",
    "secret_key": "SECRET_KEY",
}


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation failure into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        env = _ENV_NAMES.get(field, "GISAPP_" + field.upper())
        raise ConfigError(f"setting {env} is invalid: {first['msg']}") from exc
