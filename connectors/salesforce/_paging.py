"""SOQL results read page by page, checked against the shape Salesforce documents.

simple-salesforce's `query_all_iter` trusts every reply: `"records": null` is a TypeError,
`done: false` without `nextRecordsUrl` a KeyError, the same `nextRecordsUrl` twice a loop for
ever. Here each is a FatalError that says what was wrong with the reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from connectors.base import FatalError

# a page is at most 2,000 records; no real query reads this many pages
_MAX_PAGES = 1_000_000


class _Queries(Protocol):
    def query(self, query: str, include_deleted: bool = False, **kwargs: Any) -> Any: ...

    def query_more(
        self, next_records_identifier: str, identifier_is_url: bool = False, **kwargs: Any
    ) -> Any: ...


def query_records(client: _Queries, soql: str) -> Iterator[Mapping[str, Any]]:
    """Every record of the query, each with its Id; a reply off the documented shape stops
    the read with a FatalError (nothing half-read is returned as if it were all)."""
    reply, seen_urls = client.query(soql), set()
    for _ in range(_MAX_PAGES):
        yield from _records_of(reply)
        if _done(reply):
            return
        next_url = reply.get("nextRecordsUrl")
        if not isinstance(next_url, str) or not next_url:
            raise _bad_reply("says done: false but gives no nextRecordsUrl to read the rest from")
        if next_url in seen_urls:
            raise _bad_reply(f"sent the same nextRecordsUrl twice ({next_url}): a paging loop")
        seen_urls.add(next_url)
        reply = client.query_more(next_url, identifier_is_url=True)
    raise _bad_reply(f"kept sending pages past {_MAX_PAGES}")


def _records_of(reply: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(reply, Mapping):
        raise _bad_reply(f"is a {type(reply).__name__}, not a JSON object")
    records = reply.get("records")
    if not isinstance(records, list):
        raise _bad_reply(f'has "records": {_shown(records)}, not a list of records')
    for position, record in enumerate(records):
        if not isinstance(record, Mapping) or not record.get("Id"):
            raise _bad_reply(f"has a record without an Id (record {position + 1} of the page)")
        yield record


def _done(reply: Mapping[str, Any]) -> bool:
    done = reply.get("done")
    if not isinstance(done, bool):
        raise _bad_reply(f'has "done": {_shown(done)}, not true or false')
    return done


def _shown(value: Any) -> str:
    return "null" if value is None else repr(value)[:40]


def _bad_reply(what: str) -> FatalError:
    return FatalError(
        f"a Salesforce query reply {what}, so the read stopped and nothing was routed from it "
        "— try again; if it persists, a proxy between LeadRelay and Salesforce may be "
        "rewriting replies"
    )
