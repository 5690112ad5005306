"""CRM URLs to connectors."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from connectors.base import ConfigError
from connectors.csvcrm.connector import CsvCrm
from connectors.registry import open_connector


def test_csv_opens_an_absolute_folder(tmp_path: Path) -> None:
    connector = open_connector(f"csv:{tmp_path}")

    assert isinstance(connector, CsvCrm)
    assert connector.name == f"csv:{tmp_path}"
    assert connector.snapshot().leads == ()


def test_csv_opens_a_folder_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "Lead.csv").write_text("Id,OwnerId\n00Q1,0051\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    connector = open_connector("csv:crm")

    assert [lead.id for lead in connector.snapshot().leads] == ["00Q1"]


def test_csv_names_a_missing_folder_and_how_to_fix_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    with pytest.raises(ConfigError, match="nowhere") as raised:
        open_connector(f"csv:{missing}")

    assert "does not exist" in str(raised.value)
    assert "Lead.csv" in str(raised.value)


def test_csv_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "Lead.csv").write_text("Id\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="not a folder"):
        open_connector(f"csv:{tmp_path / 'Lead.csv'}")


@pytest.mark.parametrize("url", ["", "csv:", "mysql://crm", "/data/crm"])
def test_anything_else_is_refused_with_the_accepted_forms(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        open_connector(url)

    message = str(raised.value)
    assert "csv:" in message


def test_remote_crms_take_their_settings_from_the_environment_not_the_url() -> None:
    with pytest.raises(ConfigError, match="environment"):
        open_connector("salesforce:prod")


def test_an_unknown_url_lists_every_accepted_form() -> None:
    with pytest.raises(ConfigError) as raised:
        open_connector("pipedrive:")

    assert all(form in str(raised.value) for form in ("csv:PATH", "salesforce:", "hubspot:"))


@pytest.mark.parametrize(
    ("url", "module_name", "class_name"),
    [
        ("salesforce:", "connectors.salesforce.connector", "SalesforceConnector"),
        ("hubspot:", "connectors.hubspot.connector", "HubSpotConnector"),
    ],
)
def test_remote_crms_are_built_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, url: str, module_name: str, class_name: str
) -> None:
    built = object()
    module = types.ModuleType(module_name)
    setattr(module, class_name, type(class_name, (), {"from_env": staticmethod(lambda: built)}))
    monkeypatch.setitem(sys.modules, module_name, module)

    assert open_connector(url) is built


@pytest.mark.parametrize(
    ("url", "module_name", "label"),
    [
        ("salesforce:", "connectors.salesforce.connector", "Salesforce"),
        ("hubspot:", "connectors.hubspot.connector", "HubSpot"),
    ],
)
def test_a_remote_connector_that_cannot_be_imported_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, url: str, module_name: str, label: str
) -> None:
    monkeypatch.setitem(sys.modules, module_name, None)

    with pytest.raises(ConfigError, match=f"{label} connector is not installed"):
        open_connector(url)
