"""Reading HubSpot: search pages keyed on hs_object_id, associations, owners, users.

The search API stops at 10,000 results per query. Rather than paging with `after` into that
wall, every page is a fresh search for `hs_object_id > last id seen`, sorted by hs_object_id,
so a query of any size walks through in pages of 200 and never revisits a record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
)

SEARCH_PAGE = 200
ASSOCIATION_BATCH = 1000
READ_BATCH = 100
CHILD_TO_PARENT_COMPANY = 14
PRIMARY_CONTACT_TO_COMPANY = 1
PRIMARY_DEAL_TO_COMPANY = 5
LEAD_TO_PRIMARY_CONTACT = 578
LEAD_TO_COMPANY = 610


@dataclass(frozen=True, slots=True)
class Found:
    id: str
    properties: Mapping[str, str | None]


class HubSpotReader:
    def __init__(self, objects: Any, associations: Any, owners: Any) -> None:
        self._objects = objects
        self._associations = associations
        self._owners = owners

    def search_pages(
        self, object_type: str, properties: Sequence[str], conditions: Sequence[Filter]
    ) -> Iterator[list[Found]]:
        after_id = "0"
        while True:
            page = self._search_after(object_type, properties, conditions, after_id)
            yield page
            if len(page) < SEARCH_PAGE:
                return
            after_id = page[-1].id

    def _search_after(
        self,
        object_type: str,
        properties: Sequence[str],
        conditions: Sequence[Filter],
        after_id: str,
    ) -> list[Found]:
        keyset = Filter(property_name="hs_object_id", operator="GT", value=after_id)
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[*conditions, keyset])],
            sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            properties=list(properties),
            limit=SEARCH_PAGE,
        )
        reply = self._objects.search_api.do_search(
            object_type=object_type, public_object_search_request=request
        )
        return [Found(str(r.id), r.properties or {}) for r in reply.results]

    def read_batch(
        self, object_type: str, ids: Sequence[str], properties: Sequence[str]
    ) -> list[Found]:
        found: list[Found] = []
        for start in range(0, len(ids), READ_BATCH):
            request = BatchReadInputSimplePublicObjectId(
                inputs=[SimplePublicObjectId(id=i) for i in ids[start : start + READ_BATCH]],
                properties=list(properties),
                properties_with_history=[],
            )
            reply = self._objects.batch_api.read(
                object_type=object_type, batch_read_input_simple_public_object_id=request
            )
            found += [Found(str(r.id), r.properties or {}) for r in reply.results]
        return found

    def associated(
        self, from_type: str, to_type: str, ids: Sequence[str], preferred_type: int | None
    ) -> dict[str, str]:
        """Per id, one associated record: of `preferred_type` if any, else the first."""
        linked: dict[str, str] = {}
        for start in range(0, len(ids), ASSOCIATION_BATCH):
            chunk = ids[start : start + ASSOCIATION_BATCH]
            request = BatchInputPublicFetchAssociationsBatchRequest(
                inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in chunk]
            )
            reply = self._associations.batch_api.get_page(
                from_object_type=from_type,
                to_object_type=to_type,
                batch_input_public_fetch_associations_batch_request=request,
            )
            for result in reply.results:
                target = _pick(result.to or [], preferred_type, require=from_type == to_type)
                if target is not None:
                    linked[str(result._from.id)] = target  # noqa: SLF001 — the API model's name for `from`
        return linked

    def owners(self) -> list[dict[str, Any]]:
        everyone: list[dict[str, Any]] = []
        for archived in (False, True):
            after: str | None = None
            while True:
                # lower-case on purpose: the SDK would send Python's "True"/"False"
                flag = "true" if archived else "false"
                reply = self._owners.owners_api.get_page(limit=500, after=after, archived=flag)
                everyone += [o.to_dict() | {"archived": archived} for o in reply.results]
                after = reply.paging.next.after if reply.paging and reply.paging.next else None
                if after is None:
                    break
        return everyone

    def user_properties(self, names: Sequence[str]) -> dict[int, dict[str, str | None]]:
        """`names` on HubSpot users, by the user id that owners carry as `userId`."""
        values: dict[int, dict[str, str | None]] = {}
        after: str | None = None
        while True:
            reply = self._objects.basic_api.get_page(
                object_type="users", limit=100, after=after,
                properties=["hs_internal_user_id", *names],
            )  # fmt: skip
            for user in reply.results:
                properties = user.properties or {}
                internal = properties.get("hs_internal_user_id")
                if internal and internal.isdigit():
                    values[int(internal)] = {name: properties.get(name) for name in names}
            after = reply.paging.next.after if reply.paging and reply.paging.next else None
            if after is None:
                return values


def _pick(targets: Sequence[Any], preferred_type: int | None, *, require: bool) -> str | None:
    for target in targets:
        if any(t.type_id == preferred_type for t in target.association_types or []):
            return str(target.to_object_id)
    if require or not targets:
        return None
    return str(targets[0].to_object_id)
