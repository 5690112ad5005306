"""HubSpot through hubspot-api-client: CRM objects v3, associations v4, owners."""

from connectors.hubspot.connector import HubSpotConnector, HubSpotSettings

__all__ = ["HubSpotConnector", "HubSpotSettings"]
