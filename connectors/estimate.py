"""What a read or a write will cost in API calls, from record counts and each CRM's page and
batch sizes, so a backfill or a sweep can say up front what it will spend.

The figures are the calls a clean run makes (retries and re-logins not counted); the tests pin
them against the calls the Salesforce fake org and the HubSpot stand-in see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from routing.model import LEAD, CrmSnapshot

SF_QUERY_PAGE = 2_000  # records per REST query page (Salesforce's default batch size)
SF_BULK_PAGE = 50_000  # rows per Bulk API 2.0 results page (BulkSettings.page_size)
SF_BULK_QUERY = 2  # a Bulk API 2.0 query: create the job, one status poll, then result pages
SF_BULK_WRITE = 7  # a Bulk API 2.0 owner-update job, whatever its size (benchmarks)
SF_COLLECTION = 200  # records per sObject Collections call
HS_SEARCH_PAGE = 200
HS_ASSOCIATIONS = 1_000
HS_OWNERS_PAGE = 500
HS_USERS_PAGE = 100
HS_BATCH = 100  # records per batch read or batch update


@dataclass(frozen=True, slots=True)
class Counts:
    users: int = 0
    queues: int = 0
    accounts: int = 0
    contacts: int = 0
    opportunities: int = 0
    leads: int = 0
    lead_objects: int = 0  # of `leads`, those of the object Lead (on HubSpot, its Leads object)

    @classmethod
    def of(cls, snapshot: CrmSnapshot) -> Counts:
        return cls(
            len(snapshot.users),
            len(snapshot.queues),
            len(snapshot.accounts),
            len(snapshot.contacts),
            len(snapshot.opportunities),
            len(snapshot.leads),
            sum(1 for lead in snapshot.leads if lead.object == LEAD),
        )

    def text(self) -> str:
        return (
            f"{self.leads:,} leads, {self.accounts:,} accounts, {self.contacts:,} contacts, "
            f"{self.opportunities:,} opportunities, {self.users:,} users"
        )


def snapshot_calls(connector: Any, counts: Counts) -> int:
    """Calls to read a whole snapshot of a CRM holding `counts` (0: not a metered CRM)."""
    name = str(getattr(connector, "name", ""))
    if name.startswith("salesforce"):
        bulk = bool(getattr(getattr(connector, "settings", None), "bulk_reads", False))
        objects = (counts.users, counts.queues, counts.accounts, counts.contacts)
        return sum(_sf_read(n, bulk) for n in (*objects, counts.opportunities, counts.leads))
    if name.startswith("hubspot"):
        owners = 2 + counts.users // HS_OWNERS_PAGE  # active and archived, 500 a page
        availability = 1 + counts.users // HS_USERS_PAGE
        people = counts.leads - counts.lead_objects  # every contact, with or without a company
        searched = (counts.accounts, people, counts.opportunities)
        return (
            owners
            + availability
            + sum(_hs_search(n) + _pages(n, HS_ASSOCIATIONS) for n in searched)
            + (_hs_lead_objects(counts.lead_objects) if _reads_lead_objects(connector) else 0)
        )
    return 0


def write_calls(connector: Any, moves: int, chunk: int) -> int:
    """Calls to write `moves` owners in chunks of `chunk` (one `write_owners` per chunk)."""
    name = str(getattr(connector, "name", ""))
    if moves <= 0 or not (name.startswith("salesforce") or name.startswith("hubspot")):
        return 0
    sizes = [chunk] * (moves // chunk) + ([moves % chunk] if moves % chunk else [])
    if name.startswith("hubspot"):
        return sum(_pages(size, HS_BATCH) for size in sizes)
    write = getattr(getattr(connector, "settings", None), "write", None)
    threshold = int(getattr(write, "bulk_threshold", 2_000))
    return sum(SF_BULK_WRITE if size > threshold else _pages(size, SF_COLLECTION) for size in sizes)


def write_method(connector: Any, chunk: int) -> str:
    name = str(getattr(connector, "name", ""))
    if name.startswith("hubspot"):
        return f"batch updates of {HS_BATCH}"
    if name.startswith("salesforce"):
        write = getattr(getattr(connector, "settings", None), "write", None)
        threshold = int(getattr(write, "bulk_threshold", 2_000))
        if chunk > threshold:
            return f"a Bulk API 2.0 job (~{SF_BULK_WRITE} calls) per {chunk:,}"
        return f"sObject Collections of {SF_COLLECTION}"
    return "no API calls"


def _reads_lead_objects(connector: Any) -> bool:
    """Whether a HubSpot read searches the Leads object too (it does, unless told the policy
    routes no Lead); an estimate for a portal not opened yet assumes it does."""
    return bool(getattr(connector, "reads_lead_objects", True))


def _sf_read(records: int, bulk: bool) -> int:
    if bulk:
        return SF_BULK_QUERY + max(1, _pages(records, SF_BULK_PAGE))
    return max(1, _pages(records, SF_QUERY_PAGE))


def _hs_search(records: int) -> int:
    """Pages of 200 until one comes back short: an exact multiple costs one empty page more."""
    return records // HS_SEARCH_PAGE + 1


def _hs_lead_objects(records: int) -> int:
    """The Leads object's search (one call on a portal without it), and for each page its
    contact and company associations and a batch read of its contacts."""
    full, rest = divmod(records, HS_SEARCH_PAGE)
    pages = [HS_SEARCH_PAGE] * full + ([rest] if rest else [])
    return _hs_search(records) + sum(2 + _pages(size, HS_BATCH) for size in pages)


def _pages(records: int, size: int) -> int:
    return -(-records // size)
