"""Settings of the event receiver (`leadrelay serve`), read from the environment / `.env`.

Kept apart from the worker's `Settings`: the web process needs the webhook secrets, the worker
does not, and the worker's CRM credentials have no business in the web process.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DAY_S = 24 * 3600


class EventSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # HUBSPOT_CLIENT_SECRET: the app's client secret; signs X-HubSpot-Signature-v3. Unset:
    # /hooks/hubspot answers 404 (not configured), so no unsigned request is ever accepted.
    hubspot_client_secret: SecretStr = Field(default=SecretStr(""), alias="HUBSPOT_CLIENT_SECRET")

    # SALESFORCE_ORG_ID: the org whose outbound messages are accepted (15 or 18 characters).
    # Unset: /hooks/salesforce answers 404.
    salesforce_org_id: str = Field(default="", alias="SALESFORCE_ORG_ID")

    # LEADRELAY_PUBLIC_BASE_URL: the scheme and host HubSpot calls, e.g. https://hooks.acme.com,
    # when a proxy or load balancer sits in front: the signature covers the URL as HubSpot
    # called it. Unset: the URL the request arrived at.
    public_base_url: str = Field(default="", alias="LEADRELAY_PUBLIC_BASE_URL")

    # LEADRELAY_EVENTS_MAX_BODY: bytes; a larger request is refused with 413 before it is read.
    max_body_bytes: int = Field(default=1_048_576, gt=0, alias="LEADRELAY_EVENTS_MAX_BODY")

    # LEADRELAY_EVENTS_RATE / LEADRELAY_EVENTS_BURST: requests per second each source (hubspot,
    # salesforce) may send to this process, and how many may come at once; past it, 429 (both
    # CRMs retry). Per process: with N server processes the total is N times this.
    rate_per_s: float = Field(default=50.0, gt=0, alias="LEADRELAY_EVENTS_RATE")
    burst: int = Field(default=100, gt=0, alias="LEADRELAY_EVENTS_BURST")

    # LEADRELAY_EVENTS_DEDUPE_HOURS: how long an event id is remembered. Salesforce redelivers
    # for up to 24 hours, so never less than that.
    dedupe_hours: float = Field(default=48.0, ge=24.0, alias="LEADRELAY_EVENTS_DEDUPE_HOURS")

    # LEADRELAY_EVENTS_MAX_SKEW_S: how old (or how far ahead) a HubSpot timestamp may be.
    max_skew_s: float = Field(default=300.0, gt=0, le=300.0, alias="LEADRELAY_EVENTS_MAX_SKEW_S")

    @property
    def dedupe_ttl_s(self) -> float:
        return self.dedupe_hours * 3600
