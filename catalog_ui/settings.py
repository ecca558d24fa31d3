"""Every setting of Catalog, read from the environment (and an optional `.env` file), typed and documented.

The README's configuration table lists the same names; `python -m catalog_ui settings` prints the values in force
with secrets masked.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Settings(BaseSettings):
    """Typed settings; each field's description is its one line of documentation."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Storage
    database_url: str | None = Field(
        None,
        description="PostgreSQL URL; a connection attempt gives up after 10 s unless it sets "
        "`?connect_timeout=`. Unset: an embedded PostgreSQL (pgserver) with data under DATA_DIR.",
    )
    data_dir: Path = Field(Path(".data"), description="Folder for the embedded database and local files.")
    demo_videos: int = Field(
        5000, ge=0, description="Videos in the demo catalog `make run` loads into an empty catalog; 0: none."
    )
    app_starts_worker: bool = Field(
        True,
        description="With REDIS_URL set, `run` also starts a worker (`python -m catalog_ui worker`) beside the "
        "app; false when workers run as their own containers or services. Without REDIS_URL the app process "
        "always runs the tasks itself.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL (redis://, rediss:// or unix://) for Dramatiq and shared counters. "
        "Unset: tasks run in-process.",
    )

    # First admin
    admin_email: str = Field(
        "admin@example.com", description="E-mail of the first admin created by `make run`."
    )
    admin_password: SecretStr | None = Field(
        None,
        description="Password of the first admin (at least 10 characters); unset: one is generated and "
        "printed once.",
    )

    # Reports in S3
    s3_bucket: str = Field("catalog-reports", description="Bucket that receives the CMS video reports.")
    s3_prefix: str = Field("reports/", description="Key prefix scanned for new reports.")
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint (MinIO or a test server); unset: AWS.")
    aws_region: str = Field("us-east-1", description="AWS region of the bucket.")
    report_scan_interval_s: int = Field(
        60, ge=5, description="Seconds between two scans of the bucket (at least 5)."
    )
    s3_timeout_s: float = Field(
        20.0,
        gt=0,
        description="Seconds an S3 call waits to connect, and then for each next piece of the answer; a call "
        "is tried 3 times in all before it fails.",
    )
    history_retention_days: int = Field(
        183,
        ge=0,
        description="History entries older than this many days move to the archive (every few hours); "
        "0: never.",
    )

    # YouTube APIs
    youtube_data_api_url: str = Field(
        "https://www.googleapis.com/youtube/v3", description="Base URL of the YouTube Data API v3."
    )
    youtube_content_id_url: str = Field(
        "https://youtubepartner.googleapis.com/youtube/partner/v1",
        description="Base URL of the YouTube Content ID API.",
    )
    youtube_api_key: SecretStr | None = Field(None, description="API key for the Data API (read-only calls).")
    youtube_access_token: SecretStr | None = Field(
        None,
        description="OAuth 2.0 bearer token for both APIs, used as is (it expires after about an hour); "
        "used only when no service account or refresh token is set.",
    )
    youtube_service_account_file: Path | None = Field(
        None,
        description="Service-account JSON key file; when set, tokens are obtained and refreshed with it "
        "(first choice of the three credential sources).",
    )
    youtube_delegated_user: str | None = Field(
        None, description="User the service account acts as (domain-wide delegation); needs the key file."
    )
    youtube_oauth_client_id: str | None = Field(
        None, description="OAuth client id for the refresh-token flow (with the secret and refresh token)."
    )
    youtube_oauth_client_secret: SecretStr | None = Field(
        None, description="OAuth client secret for the refresh-token flow."
    )
    youtube_oauth_refresh_token: SecretStr | None = Field(
        None,
        description="OAuth refresh token granted with the youtube.readonly and youtubepartner scopes; "
        "access tokens are obtained and refreshed with it.",
    )
    youtube_oauth_token_url: str = Field(
        "https://oauth2.googleapis.com/token", description="Token endpoint of the refresh-token flow."
    )
    youtube_content_owner_id: str = Field("", description="Content owner id sent as onBehalfOfContentOwner.")
    youtube_simulator: bool = Field(
        False,
        description="Local demo only (`make run` sets it): without YouTube credentials, serve the demo catalog "
        "from the YouTube API simulator in tests/. Never in production, where tasks then wait for credentials.",
    )
    youtube_timeout_s: float = Field(10.0, gt=0, description="Timeout of one YouTube API call, in seconds.")

    # Web app
    port: int = Field(3000, description="Port of the web app (pages, websocket and uploads share it).")
    trusted_proxy_hops: int = Field(
        0,
        ge=0,
        description="Reverse proxies in front of the app whose X-Forwarded-For is trusted for the client's "
        "address (sign-in throttling); 0: the connection's own address.",
    )
    max_upload_mb: int = Field(
        4096,
        ge=1,
        description="Largest report the Reports page accepts, in MB (larger ones go to the bucket).",
    )
    public_url: str | None = Field(
        None, description="URL of the app as browsers reach it; unset: http://localhost:PORT."
    )
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description='Origins allowed to call the backend, as a JSON list (`["https://a.example"]`); empty'
        ": PUBLIC_URL's origin only "
        "(unset PUBLIC_URL: http://localhost:PORT and http://127.0.0.1:PORT).",
    )
    log_level: str = Field(
        "INFO", description="Python log level of app and workers: DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )

    # Accounts and sessions
    session_idle_minutes: int = Field(
        480, ge=5, description="A session ends after this many idle minutes (at least 5)."
    )
    session_absolute_hours: int = Field(
        24 * 7, ge=1, description="A session ends this many hours after sign-in."
    )
    secure_cookies: bool | None = Field(
        None, description="Mark the session cookie Secure; unset: true when PUBLIC_URL is https://."
    )
    security_password_salt: SecretStr | None = Field(
        None,
        description="Flask-Security's SECURITY_PASSWORD_SALT when sharing users with a Flask-Security app: "
        "passwords are then HMAC-SHA512'd with it before argon2, as Flask-Security does.",
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins per account or address before a lock."
    )
    login_lock_minutes: int = Field(
        15, ge=1, description="How long a lock after too many failed sign-ins lasts."
    )
    firebase_project_id: str | None = Field(
        None, description="Firebase project id; set to offer Firebase sign-in."
    )
    firebase_api_key: str | None = Field(
        None, description="Firebase web API key (public, for the browser SDK)."
    )
    firebase_auth_domain: str | None = Field(
        None, description="Firebase auth domain (e.g. PROJECT.firebaseapp.com)."
    )
    firebase_auth_emulator_host: str | None = Field(
        None,
        description="host:port of the Firebase Auth emulator (tests and demos); unset: real Firebase, "
        "whose check for revoked tokens needs Google credentials (GOOGLE_APPLICATION_CREDENTIALS).",
    )
    firebase_signup_domains: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description='E-mail domains allowed to sign up through Firebase, as a JSON list (`["example.com"]`).',
    )

    # Queue and workers
    # Ten retries at the default backoff wait 1.2-2.4 h in all, so a YouTube outage of about an hour
    # fails no task, while a task that fails on its own still ends within hours.
    queue_max_retries: int = Field(
        10, ge=0, description="Retries of a task after transient API errors before it is marked failed."
    )
    queue_backoff_base_s: float = Field(
        10.0, gt=0, description="First retry delay in seconds; doubles with each retry (with jitter)."
    )
    queue_backoff_max_s: float = Field(3600.0, gt=0, description="Longest retry delay, in seconds.")
    queue_lease_s: int = Field(
        300, ge=1, description="Seconds a worker holds a claimed task before it counts as lost."
    )
    queue_batch_size: int = Field(
        50,
        ge=1,
        le=50,
        description="metadata_sync tasks claimed and sent in one videos.list call (1 to 50, the call's limit).",
    )
    queue_content_id_batch_size: int = Field(
        10,
        ge=1,
        description="ownership_update / asset_enrichment tasks claimed at once by one worker thread.",
    )
    queue_channel_refresh_s: int = Field(
        600, ge=0, description="metadata_sync fetches a channel at most once per so many seconds (0: always)."
    )
    queue_runner_budget_s: float = Field(
        20.0, gt=0, description="Seconds a worker thread keeps claiming batches of one type before yielding."
    )
    queue_scheduler_interval_s: float = Field(
        2.0, gt=0, description="Seconds between two scheduler rounds (lost leases, due retries)."
    )
    queue_namespace: str = Field(
        "catalog", description="Prefix of the Redis keys of Dramatiq queues, wake-ups and rate limits."
    )
    youtube_data_api_calls_per_s: float = Field(
        20.0, ge=0, description="Data API calls per second across all workers (0 = unlimited)."
    )
    youtube_content_id_calls_per_s: float = Field(
        20.0, ge=0, description="Content ID API calls per second across all workers (0 = unlimited)."
    )

    @field_validator("cors_allowed_origins", "firebase_signup_domains", mode="before")
    @classmethod
    def _json_list(cls, value: Any) -> Any:
        """Read a list setting from its JSON text (an empty value: no entries)."""
        if not isinstance(value, str):
            return value
        try:
            parsed = json.loads(value) if value.strip() else []
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            raise ValueError('must be a JSON list, e.g. ["https://a.example", "https://b.example"]')
        return parsed

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_log_level(cls, value: Any) -> Any:
        """One of Python's level names, in any case; `WARN` and `FATAL`, which `logging` also takes, are read
        as WARNING and CRITICAL."""
        name = value.strip().upper() if isinstance(value, str) else value
        name = LOG_LEVEL_ALIASES.get(name, name)
        if name in LOG_LEVELS:
            return name
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        """A URL the Redis client can open (it refuses a bare host:port)."""
        if value and not value.startswith(REDIS_SCHEMES):
            raise ValueError("must start with redis://, rediss:// or unix:// (e.g. redis://cache:6379/0)")
        return value

    @model_validator(mode="after")
    def _derive_web_security(self) -> Settings:
        """Fill CORS origins and the cookie's Secure flag from PUBLIC_URL when they are not set."""
        if not self.cors_allowed_origins:
            if self.public_url:
                parts = urlsplit(self.public_url)
                self.cors_allowed_origins = [f"{parts.scheme}://{parts.netloc}"]
            else:
                self.cors_allowed_origins = [f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"]
        if self.secure_cookies is None:
            self.secure_cookies = bool(self.public_url and self.public_url.startswith("https://"))
        return self

    @property
    def firebase_enabled(self) -> bool:
        """True when the Firebase settings the browser SDK needs are present."""
        return bool(self.firebase_project_id and self.firebase_api_key)

    def masked(self) -> dict[str, str]:
        """Every setting as text, with secrets and the passwords inside URLs replaced by ***."""
        shown: dict[str, str] = {}
        for name, value in self.model_dump().items():
            # URLs are not secrets (YOUTUBE_OAUTH_TOKEN_URL); a password inside one is masked below.
            secret_name = any(word in name for word in SECRET_WORDS) and not name.endswith("_url")
            if isinstance(value, SecretStr) or secret_name:
                shown[name] = "***" if value is not None else "None"
            elif isinstance(value, str) and "://" in value:
                shown[name] = _mask_url_password(value)
            else:
                shown[name] = str(value)
        return shown

    @property
    def embedded_database(self) -> bool:
        """True when no DATABASE_URL is set and the embedded PostgreSQL is used."""
        return not self.database_url


SECRET_WORDS = ("password", "secret", "token", "key", "salt")


def _mask_url_password(url: str) -> str:
    """The URL with its password masked, whether in `user:password@` or in a query parameter whose name
    says it is a secret (`?password=`, `?sslpassword=`, `?token=`)."""
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    if query:
        query = "&".join(
            f"{name}=***"
            if any(word in name.lower() for word in SECRET_WORDS)
            else f"{name}={value}"
            if sep
            else name
            for name, sep, value in (item.partition("=") for item in query.split("&"))
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


class InvalidSettings(ValueError):
    """Settings from the environment (or .env) that Catalog cannot use: `problems` has one line for each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# Pydantic's messages for the constraints our fields use, in an operator's words.
_MESSAGES = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
}


def settings_problems(exc: ValidationError | SettingsError) -> list[str]:
    """One line per bad setting: its variable, what it accepts and (unless secret) the value given."""
    if isinstance(exc, SettingsError):
        found = re.search(r'field "(\w+)"', str(exc))
        return [f"{found.group(1).upper() if found else 'a setting'} cannot be read: {exc}"]
    problems = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        template = _MESSAGES.get(error["type"])
        message = template.format(**error.get("ctx", {})) if template else error["msg"]
        message = message.removeprefix("Value error, ")
        given = error.get("input")
        secret = any(word in name for word in SECRET_WORDS) or name.endswith("_url")
        shown = f" (got {given!r})" if isinstance(given, str) and not secret else ""
        problems.append(f"{name.upper() or 'settings'} {message}{shown}")
    return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once; `InvalidSettings` names every bad one."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as exc:
        raise InvalidSettings(settings_problems(exc)) from None
