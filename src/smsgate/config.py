"""Settings: defaults < TOML config file < SMSGATE_* environment variables < command-line flags."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url

from smsgate.domain.limits import Limits


class SimulatorSettings(BaseModel):
    """The built-in simulator connector (the default channel of the embedded setup)."""

    submit_latency_ms: float = Field(default=5.0, ge=0)
    report_delay_ms: float = Field(default=300.0, ge=0)
    # Outcome mix; weights need not sum to one.
    delivered: float = Field(default=1.0, ge=0)
    undelivered: float = Field(default=0.0, ge=0)
    expired: float = Field(default=0.0, ge=0)
    rejected: float = Field(default=0.0, ge=0)
    seed: int | None = None
    throughput: float | None = Field(default=None, gt=0)  # messages per second; None = unlimited
    sender_throughput: float | None = Field(default=None, gt=0)  # per sender name, messages/s
    window: int = Field(default=100, ge=1)
    # Subscribers answering: the share of delivered messages that get a reply, what they say
    # (one of the texts, picked per message), and how long after the delivery report.
    reply_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    reply_texts: list[str] = ["OK", "Thanks!"]
    reply_delay_ms: float = Field(default=1000.0, ge=0)
    # The number replies are sent to when a message had no sender of its own.
    number: str = "+15550100000"


class ConnectorConfig(BaseModel):
    """One `[[connectors]]` entry: its name, kind and whether it runs; every other key is an
    option of the kind (connectors/registry.py checks them when the gateway starts)."""

    model_config = ConfigDict(extra="allow")

    name: str
    kind: str
    enabled: bool = True

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class InboundConfig(BaseModel):
    """Inbound messages and replies."""

    # A message from a subscriber answers the last message sent to them within this window.
    reply_window_s: int = Field(default=48 * 3600, ge=60)
    # Parts of a long message that wait longer than this for their siblings are stored as
    # they are.
    concat_timeout_s: int = Field(default=3600, ge=10)


class WebhookSettings(BaseModel):
    """Webhook delivery (docs/webhooks.md)."""

    concurrency: int = Field(default=8, ge=1, le=256)  # requests in flight per endpoint
    timeout_s: float = Field(default=10.0, gt=0)
    # Retries: exponential backoff with full jitter from retry_base_s up to retry_cap_s; a
    # delivery is dead once retry_for_s have passed since it was queued (at least 24 h).
    retry_base_s: float = Field(default=1.0, gt=0)
    retry_cap_s: float = Field(default=3600.0, gt=0)
    retry_for_s: float = Field(default=25 * 3600.0, gt=0)
    # Circuit breaker: opens after this many failures in a row, probes after a cooldown that
    # doubles up to the cap.
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=1.0, gt=0)
    breaker_cooldown_cap_s: float = Field(default=300.0, gt=0)
    queue_per_endpoint: int = Field(default=1000, ge=10)  # deliveries held in memory


class SmppServerSettings(BaseModel):
    """The SMPP server customers bind to (docs/smpp-server.md); its port is `smpp_port`."""

    enabled: bool = True
    host: str | None = None  # default: the HTTP host
    # A second listener speaking SMPP over TLS, when a port, certificate and key are given.
    tls_port: int | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    window: int = Field(default=10, ge=1, le=1000)  # our deliver_sm unanswered per bind
    response_timeout_s: float = Field(default=30.0, gt=0)
    enquire_link_s: float = Field(default=30.0, ge=0)
    inactivity_s: float = Field(default=0.0, ge=0)  # 0: enquire_link alone watches the link
    # Repeated bind failures from one address lock it out for a while.
    bind_failures: int = Field(default=5, ge=1)
    bind_failure_window_s: float = Field(default=60.0, gt=0)
    bind_lock_s: float = Field(default=300.0, ge=0)
    # Parts of a long message waiting longer than this for their siblings go out as they are.
    concat_timeout_s: float = Field(default=300.0, ge=1)
    # deliver_sm refused or unanswered: tried again after a backoff doubling up to the cap.
    retry_base_s: float = Field(default=5.0, gt=0)
    retry_cap_s: float = Field(default=600.0, gt=0)
    # deliver_sm nobody took for this long (no receiver bound all that time) are dropped.
    keep_deliveries_s: float = Field(default=7 * 24 * 3600.0, ge=60)


class LimitSettings(BaseModel):
    """Every account's limits, unless the account has its own (docs/limits.md); 0 is none."""

    rate_per_s: int = Field(default=0, ge=0)  # API requests a second
    concurrent: int = Field(default=0, ge=0)  # API requests in progress at once
    duplicate_window_s: int = Field(default=60, ge=0)  # an identical send refused this long
    subscriber_max: int = Field(default=50, ge=0)  # messages to one number ...
    subscriber_window_s: int = Field(default=60, ge=1)  # ... within this long
    # Addresses that fail to authenticate this often within the window are blocked a while.
    auth_failures: int = Field(default=10, ge=1)
    auth_window_s: float = Field(default=60.0, gt=0)
    auth_block_s: float = Field(default=300.0, ge=0)

    def as_limits(self) -> Limits:
        return Limits(
            rate_per_s=self.rate_per_s,
            concurrent=self.concurrent,
            duplicate_window_s=self.duplicate_window_s,
            subscriber_max=self.subscriber_max,
            subscriber_window_s=self.subscriber_window_s,
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SMSGATE_", env_nested_delimiter="__", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    smpp_port: int = 2775
    data_dir: Path = Path("smsgate-data")
    database_url: str | None = None  # default: SQLite file in data_dir
    node_id: int = Field(default=0, ge=0, le=63)
    log_level: str = "info"
    demo_account: bool = True
    # Flat aliases for the simulator knobs most often set from the environment.
    simulator_submit_latency_ms: float | None = None
    simulator_report_delay_ms: float | None = None
    simulator: SimulatorSettings = SimulatorSettings()
    # Connectors of the config file; without any, the one `simulator` of [simulator] runs.
    connectors: list[ConnectorConfig] = []
    # Where messages go until routing rules exist; else the first enabled connector.
    default_connector: str | None = None
    # Messages queued for a connector down this long move to another connector their routing
    # rule allows that is up (docs/routing.md); 0: they wait for it.
    failover_after_s: float = Field(default=30.0, ge=0)
    # Bearer token of the admin API (/v1/admin); without one that API answers 403.
    admin_token: SecretStr | None = None
    inbound: InboundConfig = InboundConfig()
    webhooks: WebhookSettings = WebhookSettings()
    smpp_server: SmppServerSettings = SmppServerSettings()
    limits: LimitSettings = LimitSettings()
    # Redis, for state every node must share (limit counters); without it, each node counts
    # on its own.
    redis_url: str | None = None
    # The start of every key: gateways sharing one Redis count apart under different ones.
    redis_prefix: str = Field(default="smsgate:", min_length=1)
    max_body_bytes: int = 16 * 1024 * 1024
    dispatch_batch: int = 500
    group_commit_max: int = 2000

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def model_post_init(self, __context: Any) -> None:
        if self.simulator_submit_latency_ms is not None:
            self.simulator.submit_latency_ms = self.simulator_submit_latency_ms
        if self.simulator_report_delay_ms is not None:
            self.simulator.report_delay_ms = self.simulator_report_delay_ms

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'smsgate.db').resolve()}"

    @property
    def database_url_shown(self) -> str:
        """The database URL without its password, for banners and logs."""
        return make_url(self.resolved_database_url).render_as_string(hide_password=True)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by SMSGATE_CONFIG (or ./smsgate.toml when it exists)."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        path = os.environ.get("SMSGATE_CONFIG") or "smsgate.toml"
        self._data: dict[str, Any] = {}
        if Path(path).is_file():
            self._data = tomllib.loads(Path(path).read_text())
        elif os.environ.get("SMSGATE_CONFIG"):
            raise FileNotFoundError(f"config file not found: {path}")

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)
