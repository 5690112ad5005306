"""Did-you-mean for a field the CRM lacks, and the HubSpot property a policy field is read as."""

from __future__ import annotations

from connectors.hubspot._records import CONTACT_ALIASES, needed_aliases, property_of
from connectors.schema import close_names


def test_a_name_in_another_case_comes_first_then_look_alikes() -> None:
    known = {"tech_stack__c", "TechStack__c", "Industry", "Tech_Stack2__c"}
    assert close_names("Tech_Stack__c", known)[0] == "tech_stack__c"
    assert "Tech_Stack2__c" in close_names("Tech_Stack__c", known)
    assert close_names("Zzz", known) == ()


def test_a_policy_field_is_read_as_its_alias_else_its_name_lowercased() -> None:
    assert property_of("Title", CONTACT_ALIASES) == "jobtitle"
    assert property_of("Tech_Stack__c", CONTACT_ALIASES) == "tech_stack__c"
    needs = {"Lead": frozenset({"Tech_Stack__c", "Id"}), "Account": frozenset({"Tier__c"})}
    contacts = needed_aliases(needs, "contacts", CONTACT_ALIASES)
    assert contacts["Tech_Stack__c"] == "tech_stack__c" and "Id" not in contacts
    assert "Tier__c" not in contacts  # an Account field is a company property
    assert needed_aliases(needs, "companies", {})["Tier__c"] == "tier__c"
