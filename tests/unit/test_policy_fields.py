"""What a policy reads, per object, and where: config/fields.py on acme.yaml and on a policy
that uses every kind of field reference."""

from __future__ import annotations

from typing import Any

from config.fields import policy_fields
from config.policy import read_policy_file
from config.schema import PolicyFile
from tests.conftest import ACME_POLICY

EVERY_KIND: dict[str, Any] = {
    "name": "every kind of reference",
    "objects": ["Lead", "Contact"],
    "routable": {
        "owners": [{"queue": "Inbound"}],
        "when": {"fact": "lead.Routable__c", "equals": True},
    },
    "open_lead": {"not": {"fact": "lead.Status", "starts_with": "Closed"}},
    "availability": {"away_fields": ["On_Leave__c"]},
    "fallback": {"user": "ann@x.example"},
    "customer_when": {"fact": "account.Customer_Since__c", "is_set": True},
    "matching": {"tie_breakers": ["country", "recent_activity", "oldest"]},
    "scoring": {
        "signals": [
            {"name": "size", "field": "Employees__c", "from": ["account", "lead"],
             "bands": [{"min": 1, "points": 5}]},
            {"name": "seniority", "field": "seniority", "from": ["title"],
             "values": [{"in": ["vp"], "points": 5}]},
        ],
        "tiers": [{"name": "A", "min": 0}],
    },
    "pools": [
        {"name": "reps", "method": "best_fit", "members": ["ann@x.example"],
         "best_fit": {"segments": ["Account.BillingCountry", "Opportunity.Product__c"]},
         "overflow": {"by": "parent.Segment__c", "map": {"x": {"user": "ann@x.example"}}}},
    ],
    "rules": [
        {"name": "vip", "when": {"any": [{"fact": "customer.Tier__c", "equals": "gold"},
                                         {"fact": "title_seniority", "equals": "vp"}]},
         "assign": {"cases": [{"when": {"fact": "lead.Region__c", "equals": "EU"},
                               "assign": {"user": "ann@x.example"}}]}},
        {"name": "rest", "assign": {"pool": "reps"}},
    ],
    "sla": {"first_touch": {"status_leaves": ["New"], "fields": ["First_Call__c"]},
            "targets": [{"name": "all", "minutes": 5}]},
    "hold": {"rules": [{"name": "enrich", "fields": ["Clearbit_Id__c"], "timeout_minutes": 5,
                        "objects": ["Lead"], "when": {"fact": "lead.Enrich__c", "equals": True}}]},
    "notifications": {"preference_field": "Notify_Via__c",
                      "templates": {"subject": "$name at $company", "text": "$email",
                                    "digest_subject": "$count", "digest_line": "$reason"}},
}  # fmt: skip


def test_acme_reads_its_tech_stack_and_what_it_scores_and_routes_on() -> None:
    fields = policy_fields(read_policy_file(ACME_POLICY))
    assert fields.needs == {
        "Lead": frozenset({"IsConverted", "Status", "NumberOfEmployees", "AnnualRevenue",
                           "Industry", "Tech_Stack__c", "LeadSource", "OwnerId"}),
        "Account": frozenset({"Type", "NumberOfEmployees", "AnnualRevenue", "Industry"}),
        "User": frozenset({"Out_Of_Office__c"}),
    }  # fmt: skip
    assert fields.where("Lead", "Tech_Stack__c") == ["scoring.signals[3].field"]
    assert fields.where("Lead", "Status") == [
        "routable.when.all[1].not.fact",
        "open_lead.all[1].not.fact",
        "sla.first_touch.status_leaves",
    ]


def test_every_kind_of_reference_is_found_on_the_object_it_reads() -> None:
    fields = policy_fields(PolicyFile.model_validate(EVERY_KIND))
    routed = {"Routable__c", "Status", "Employees__c", "Title", "Country", "Product__c",
              "Region__c", "First_Call__c", "FirstName", "LastName", "Email",
              "OwnerId"}  # fmt: skip
    assert fields.needs == {
        "Lead": frozenset(routed | {"Clearbit_Id__c", "Enrich__c", "Company"}),
        "Contact": frozenset(routed),
        "Account": frozenset({"Customer_Since__c", "LastActivityDate", "CreatedDate",
                              "Employees__c", "BillingCountry", "Segment__c", "Tier__c"}),
        "Opportunity": frozenset({"Product__c"}),
        "User": frozenset({"On_Leave__c", "Notify_Via__c"}),
    }  # fmt: skip


def test_each_use_says_where_in_the_policy_it_is() -> None:
    fields = policy_fields(PolicyFile.model_validate(EVERY_KIND))
    assert fields.where("Account", "Segment__c") == ["pools[0].overflow.by"]
    assert fields.where("Account", "Tier__c") == ["rules[0].when.any[0].fact"]
    assert fields.where("Lead", "Region__c") == ["rules[0].assign.cases[0].when.fact"]
    assert fields.where("Lead", "Title") == ["rules[0].when.any[1].fact", "scoring.signals[1].from"]
    assert fields.where("Opportunity", "Product__c") == ["pools[0].best_fit.segments[1]"]
    assert fields.where("Lead", "Country") == ["pools[0].best_fit.segments[0]"]
    assert fields.where("Account", "LastActivityDate") == ["matching.tie_breakers[1]"]
    assert fields.where("Lead", "Clearbit_Id__c") == ["hold.rules[0].fields[0]"]
    assert fields.where("Contact", "Clearbit_Id__c") == []  # the hold is for leads only
    assert fields.where("User", "Notify_Via__c") == ["notifications.preference_field"]
    assert fields.where("Lead", "Company") == ["notifications.templates.subject"]


def test_a_policy_without_notifications_reads_no_template_fields() -> None:
    spec = {k: v for k, v in EVERY_KIND.items() if k != "notifications"}
    needs = policy_fields(PolicyFile.model_validate(spec)).needs
    assert "Company" not in needs["Lead"] and "User" in needs
    assert needs["User"] == frozenset({"On_Leave__c"})
