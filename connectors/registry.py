"""Which connector a CRM URL names.

The Salesforce and HubSpot connectors are imported only when asked for, so that a CSV-only
install needs neither client library, and nothing connects at import time.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from connectors.base import ConfigError, Connector, FieldNeeds, FieldReader
from connectors.csvcrm.connector import CsvCrm

__all__ = ["ACCEPTED_FORMS", "open_connector"]

ACCEPTED_FORMS = "csv:PATH (a folder of CSV exports), salesforce: or hubspot:"

_REMOTE_CONNECTORS = {
    "salesforce": ("Salesforce", "connectors.salesforce.connector", "SalesforceConnector"),
    "hubspot": ("HubSpot", "connectors.hubspot.connector", "HubSpotConnector"),
}


def open_connector(url: str, needs: FieldNeeds | None = None) -> Connector:
    """`needs`: the fields a policy reads (config.fields), fetched in every read."""
    connector = _open(url)
    if needs and isinstance(connector, FieldReader):
        connector.need_fields(needs)
    return connector


def _open(url: str) -> Connector:
    scheme, separator, rest = url.strip().partition(":")
    scheme = scheme.lower()
    if not separator or (scheme != "csv" and scheme not in _REMOTE_CONNECTORS):
        raise ConfigError(f"unknown CRM URL {url!r}; use one of {ACCEPTED_FORMS}")
    if scheme == "csv":
        return _open_csv(rest)
    if rest.strip():
        raise ConfigError(
            f"{scheme}: takes nothing after the colon (got {url!r}); its credentials come from "
            "the environment, see .env.example"
        )
    return _open_remote(scheme)


def _open_csv(location: str) -> CsvCrm:
    if not location.strip():
        raise ConfigError("csv: needs a folder, e.g. csv:./crm or csv:/data/acme")
    folder = Path(location.strip()).expanduser()
    if not folder.exists():
        raise ConfigError(
            f"the CSV CRM folder {folder} (resolved to {folder.absolute()}) does not exist; "
            "create it, or point csv: at the folder that holds Lead.csv, Account.csv, …"
        )
    if not folder.is_dir():
        raise ConfigError(
            f"{folder} is a file, not a folder; csv: takes the folder that holds Lead.csv, "
            "Account.csv, …"
        )
    return CsvCrm(folder)


def _open_remote(scheme: str) -> Connector:
    label, module_name, class_name = _REMOTE_CONNECTORS[scheme]
    try:
        module = importlib.import_module(module_name)
        connector_class = getattr(module, class_name)
    except (ImportError, AttributeError) as error:
        raise ConfigError(
            f"the {label} connector is not installed ({error}); install LeadRelay with its "
            f"{label} dependencies, or use csv:PATH"
        ) from error
    connector: Connector = connector_class.from_env()
    return connector
