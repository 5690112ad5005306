"""Salesforce through simple-salesforce: REST, Bulk 2.0 and change queries."""

from connectors.salesforce.connector import SalesforceConnector, SalesforceSettings

__all__ = ["SalesforceConnector", "SalesforceSettings"]
