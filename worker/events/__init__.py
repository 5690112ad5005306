"""Receive CRM change events (HubSpot webhooks, Salesforce outbound messages) and enqueue the
records they name for the worker. `create_app` takes its ports; `wiring.build_app` wires the
production ones."""

from __future__ import annotations

from worker.events.app import Enqueue, create_app
from worker.events.config import EventSettings
from worker.events.dedupe import Dedupe, RedisDedupe

__all__ = ["Dedupe", "Enqueue", "EventSettings", "RedisDedupe", "create_app"]
