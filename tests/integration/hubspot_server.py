"""A local HubSpot: a real `http.server` on 127.0.0.1, on a free port, in a thread.

It serves the documented CRM v3/v4 reply shapes for what the connector uses: object search
(`total`, `results`, `paging.next.after`; 400 past the 10,000-result cap), batch read, batch
update (200, or 207 with `errors` naming `context.ids`; 400 VALIDATION_ERROR for an invalid
owner), owners (`archived`, `type` PERSON or QUEUE, `teams`), users, v4 association batch
reads, the properties of each object type (`GET /crm/v3/properties/{objectType}`: HubSpot's
default properties, every property a stored record has, and `custom_properties`, less
`hidden_properties` the token cannot read), and the rate-limit headers. Like HubSpot, search and
batch read return only the properties asked for, and asking for a property that does not exist
is no error. HubSpot's Leads object (`leads`) is served unless `leads_object` is off: then, like
any object type the portal lacks, every call on it is a 400 "Unable to infer object type from:
leads". Faults can be scripted: the next replies, a malformed body, a dropped connection.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "pat-eu1-00000000-SECRET-TOKEN-0000"
STAMP = "2026-10-20T11:00:00.000Z"
Reply = tuple[int, dict[str, str], bytes]
DROP = "drop-connection"
OBJECT_TYPES = frozenset({"contacts", "companies", "deals", "users", "leads"})
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "firstname", "lastname", "company", "website", "jobtitle", "phone",
                 "country", "state", "city", "industry", "numemployees", "annualrevenue",
                 "hs_analytics_source", "hs_lead_status", "hubspot_owner_id", "createdate",
                 "lastmodifieddate", "lifecyclestage", "hs_object_id",
                 "hs_sa_first_engagement_date"),
    "companies": ("name", "domain", "hubspot_owner_id", "type", "industry", "numberofemployees",
                  "annualrevenue", "country", "state", "city", "createdate",
                  "hs_lastmodifieddate", "hs_object_id"),
    "deals": ("dealname", "amount", "dealstage", "pipeline", "closedate", "createdate",
              "hubspot_owner_id", "hs_is_closed", "hs_is_closed_won", "hs_lastmodifieddate",
              "hs_object_id"),
    "users": ("hs_internal_user_id", "hs_availability_status", "hs_standard_time_zone",
              "hs_object_id"),
    "leads": ("hs_lead_name", "hubspot_owner_id", "hs_pipeline", "hs_pipeline_stage",
              "hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
}  # fmt: skip


# HubSpot's default enumeration properties and their options as a new portal has them; a
# portal's records hold only option values (HubSpot refuses others), so theirs are added.
DEFAULT_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts": {
        "hs_lead_status": ("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                           "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"),
        "lifecyclestage": ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                           "opportunity", "customer", "evangelist", "other"),
        "hs_analytics_source": ("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING",
                                "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS",
                                "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL"),
    },
    "companies": {"type": ("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")},
    "deals": {"dealstage": ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                            "decisionmakerboughtin", "contractsent", "closedwon", "closedlost")},
}  # fmt: skip


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


@dataclass
class HubSpotState:
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    associations: dict[tuple[str, str], dict[str, list[tuple[str, int]]]] = field(
        default_factory=dict
    )
    owners: list[dict[str, Any]] = field(default_factory=list)
    valid_owner_ids: set[str] = field(default_factory=set)
    leads_object: bool = True
    search_cap: int = 10_000
    custom_properties: dict[str, set[str]] = field(default_factory=dict)
    hidden_properties: dict[str, set[str]] = field(default_factory=dict)
    number_properties: set[str] = field(
        default_factory=lambda: {"numemployees", "numberofemployees", "annualrevenue", "amount"}
    )
    options: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # type → property
    daily_limit: int = 500_000
    daily_used: int = 1_000
    faults: list[Reply | str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, object_type: str, record_id: str, **properties: str | None) -> None:
        props = {
            "hs_object_id": record_id,
            "createdate": STAMP,
            "lastmodifieddate": STAMP,
            "hs_lastmodifieddate": STAMP,
            **properties,
        }
        self.objects.setdefault(object_type, {})[record_id] = props

    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int
    ) -> None:
        links = self.associations.setdefault((from_type, to_type), {})
        links.setdefault(from_id, []).append((to_id, type_id))

    def add_owner(
        self,
        owner_id: str,
        email: str,
        *,
        archived: bool = False,
        user_id: int = 0,
        kind: str = "PERSON",
        first_name: str | None = None,
        last_name: str | None = None,
        teams: tuple[str, ...] = (),
    ) -> None:
        self.owners.append(
            {
                "id": owner_id,
                "email": email,
                "type": kind,
                "firstName": email.split("@")[0].title() if first_name is None else first_name,
                "lastName": "Rep" if last_name is None else last_name,
                "userId": user_id or None,
                "userIdIncludingInactive": user_id or None,
                "archived": archived,
                "createdAt": STAMP,
                "updatedAt": STAMP,
                "teams": [
                    {"id": str(900 + i), "name": name, "primary": i == 0}
                    for i, name in enumerate(teams)
                ],
            }
        )
        self.valid_owner_ids.add(owner_id)

    def has_object(self, object_type: str) -> bool:
        return object_type in OBJECT_TYPES and (object_type != "leads" or self.leads_object)

    def properties_of(self, object_type: str) -> set[str]:
        names = set(DEFAULT_PROPERTIES.get(object_type, ())) | self.custom_properties.get(
            object_type, set()
        )
        for props in self.objects.get(object_type, {}).values():
            names.update(props)
        return names - self.hidden_properties.get(object_type, set())

    def options_of(self, object_type: str, name: str) -> list[str] | None:
        """An enumeration property's option values (the test's, else the default ones), with
        every value a stored record holds; None for a property that is no enumeration."""
        given = self.options.get(object_type, {}).get(name)
        values = list(
            given if given is not None else DEFAULT_OPTIONS.get(object_type, {}).get(name, ())
        )
        if given is None and name not in DEFAULT_OPTIONS.get(object_type, {}):
            return None
        for props in self.objects.get(object_type, {}).values():
            value = props.get(name)
            if isinstance(value, str) and value and value not in values:
                values.append(value)
        return values

    def fail_next(self, *faults: Reply | str) -> None:
        self.faults.extend(faults)

    def calls_to(self, fragment: str) -> list[Call]:
        return [c for c in self.calls if fragment in c.path]


class _Handler(BaseHTTPRequestHandler):
    state: HubSpotState

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:  # a single-record update: recorded, and served no route
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        state = self.state
        with state.lock:
            state.calls.append(Call(method, url.path, parse_qs(url.query), body))
            state.daily_used += 1
            fault = state.faults.pop(0) if state.faults else None
        if fault == DROP:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault is not None:
            assert not isinstance(fault, str)
            self._send(*fault)
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send_json(
                401,
                {
                    "status": "error",
                    "category": "INVALID_AUTHENTICATION",
                    "message": "Authentication credentials not found.",
                    "correlationId": "c0ffee",
                },
            )
            return
        status, payload = _route(state, method, url.path, parse_qs(url.query), body)
        self._send_json(status, payload)

    def _send_json(self, status: int, payload: Any) -> None:
        headers = {"Content-Type": "application/json;charset=utf-8", **_limit_headers(self.state)}
        self._send(status, headers, json.dumps(payload).encode())

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _limit_headers(state: HubSpotState) -> dict[str, str]:
    return {
        "X-HubSpot-RateLimit-Daily": str(state.daily_limit),
        "X-HubSpot-RateLimit-Daily-Remaining": str(max(state.daily_limit - state.daily_used, 0)),
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Max": "190",
        "X-HubSpot-RateLimit-Remaining": "189",
    }


def _route(
    state: HubSpotState, method: str, path: str, query: dict[str, list[str]], body: Any
) -> tuple[int, Any]:
    parts = path.strip("/").split("/")
    if parts[:3] == ["crm", "v3", "owners"]:
        return _owners(state, query)
    if parts[:3] == ["crm", "v3", "properties"] and len(parts) == 4 and method == "GET":
        return _properties(state, parts[3])
    if parts[:3] == ["crm", "v4", "associations"]:
        unknown = next((t for t in parts[3:5] if not state.has_object(t)), None)
        if unknown:
            return 400, _no_such_object_type(unknown)
        return _associations(state, parts[3], parts[4], body)
    if parts[:3] == ["crm", "v3", "objects"]:
        object_type, action = parts[3], "/".join(parts[4:])
        if not state.has_object(object_type):
            return 400, _no_such_object_type(object_type)
        if action == "search":
            return _search(state, object_type, body)
        if action == "batch/read":
            return _batch_read(state, object_type, body)
        if action == "batch/update":
            return _batch_update(state, object_type, body)
        if action == "" and method == "GET":
            return _list(state, object_type, query)
    return 404, _error("OBJECT_NOT_FOUND", f"no route {method} {path}")


def _properties(state: HubSpotState, object_type: str) -> tuple[int, Any]:
    if object_type not in DEFAULT_PROPERTIES and object_type not in state.objects:
        return 400, _error("VALIDATION_ERROR", f"Unable to infer object type from: {object_type}")
    results = [
        {"name": name, "label": name.replace("_", " ").title(),
         "type": "number" if name in state.number_properties else "string",
         "fieldType": "number" if name in state.number_properties else "text",
         "groupName": f"{object_type[:-1]}information", "description": "",
         "displayOrder": -1, "hidden": False, "formField": False, "calculated": False,
         "externalOptions": False, "hasUniqueValue": name == "hs_object_id",
         "hubspotDefined": name in DEFAULT_PROPERTIES.get(object_type, ()),
         "createdAt": STAMP, "updatedAt": STAMP, "archived": False,
         **_options(state, object_type, name),
         "modificationMetadata": {"archivable": True, "readOnlyDefinition": False,
                                  "readOnlyValue": False}}
        for name in sorted(state.properties_of(object_type))
    ]  # fmt: skip
    return 200, {"results": results}


def _options(state: HubSpotState, object_type: str, name: str) -> dict[str, Any]:
    """An enumeration property lists its options; others have none (`options: []`)."""
    values = state.options_of(object_type, name)
    if values is None:
        return {"options": []}
    options = [{"label": v.replace("_", " ").title(), "value": v, "displayOrder": i,
                "hidden": False, "description": ""}
               for i, v in enumerate(values)]  # fmt: skip
    return {"options": options, "type": "enumeration", "fieldType": "select"}


def _public(record_id: str, props: dict[str, Any], wanted: list[str] | None) -> dict[str, Any]:
    shown = {k: props.get(k) for k in wanted} if wanted else dict(props)
    shown.setdefault("hs_object_id", record_id)
    return {
        "id": record_id,
        "properties": shown,
        "createdAt": STAMP,
        "updatedAt": props.get("lastmodifieddate") or STAMP,
        "archived": False,
    }


def _comparable(value: Any) -> float | str:
    text = str(value)
    if text.isdigit():
        return float(text)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return text


def _matches(props: dict[str, Any], condition: dict[str, Any]) -> bool:
    value = props.get(condition["propertyName"])
    if value is None:
        return False
    left, right = _comparable(value), _comparable(condition.get("value"))
    if type(left) is not type(right):
        return False
    op = condition["operator"]
    return bool(
        {
            "EQ": left == right,
            "GT": left > right,
            "GTE": left >= right,  # type: ignore[operator]
            "LT": left < right,
        }[op]
    )  # type: ignore[operator]


def _search(state: HubSpotState, object_type: str, body: dict[str, Any]) -> tuple[int, Any]:
    limit, after = int(body.get("limit") or 10), int(body.get("after") or 0)
    if limit > 200:
        return 400, _error("VALIDATION_ERROR", "limit must be at most 200")
    if after + limit > state.search_cap:
        return 400, _error("VALIDATION_ERROR", "after + limit exceeds the 10,000-result cap")
    groups = body.get("filterGroups") or [{"filters": []}]
    records = [
        (rid, props)
        for rid, props in state.objects.get(object_type, {}).items()
        if any(all(_matches(props, f) for f in g["filters"]) for g in groups)
    ]
    for sort in reversed(body.get("sorts") or []):
        name = sort["propertyName"] if isinstance(sort, dict) else sort
        records.sort(key=lambda r: _comparable(r[1].get(name) or 0))
    page = records[after : after + limit]
    reply: dict[str, Any] = {
        "total": len(records),
        "results": [_public(rid, props, body.get("properties")) for rid, props in page],
    }
    if after + limit < len(records):
        reply["paging"] = {
            "next": {"after": str(after + limit), "link": "?after=" + str(after + limit)}
        }
    return 200, reply


def _batch_read(state: HubSpotState, object_type: str, body: dict[str, Any]) -> tuple[int, Any]:
    store = state.objects.get(object_type, {})
    ids = [i["id"] for i in body["inputs"]]
    found = [_public(i, store[i], body.get("properties")) for i in ids if i in store]
    missing = [i for i in ids if i not in store]
    reply = _batch(found)
    if not missing:
        return 200, reply
    return 207, reply | {"numErrors": 1, "errors": [_batch_error("OBJECT_NOT_FOUND", missing)]}


def _batch_update(state: HubSpotState, object_type: str, body: dict[str, Any]) -> tuple[int, Any]:
    inputs = body["inputs"]
    if len(inputs) > 100:
        return 400, _error("VALIDATION_ERROR", "at most 100 inputs per batch")
    store = state.objects.get(object_type, {})
    for item in inputs:
        owner = item["properties"].get("hubspot_owner_id")
        if owner not in state.valid_owner_ids:
            message = (
                'Property values were not valid: [{"isValid":false,"message":"'
                + str(owner)
                + ' is not a valid owner id","error":"INVALID_OWNER_ID","name":"hubspot_owner_id"}]'
            )
            return 400, _error("VALIDATION_ERROR", message)
    missing = [i["id"] for i in inputs if i["id"] not in store]
    done = []
    for item in inputs:
        if item["id"] in store:
            store[item["id"]].update(item["properties"])
            done.append(_public(item["id"], store[item["id"]], None))
    if not missing:
        return 200, _batch(done)
    return 207, _batch(done) | {
        "numErrors": 1,
        "errors": [_batch_error("OBJECT_NOT_FOUND", missing)],
    }


def _list(state: HubSpotState, object_type: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    wanted = ",".join(query.get("properties", [])).split(",")
    records = list(state.objects.get(object_type, {}).items())
    return 200, {"results": [_public(rid, props, wanted) for rid, props in records]}


def _owners(state: HubSpotState, query: dict[str, list[str]]) -> tuple[int, Any]:
    archived = query.get("archived", ["false"])[0].lower() == "true"
    limit, after = int(query.get("limit", ["100"])[0]), int(query.get("after", ["0"])[0])
    chosen = [o for o in state.owners if o["archived"] == archived]
    reply: dict[str, Any] = {"results": chosen[after : after + limit]}
    if after + limit < len(chosen):
        reply["paging"] = {"next": {"after": str(after + limit), "link": ""}}
    return 200, reply


def _associations(
    state: HubSpotState, from_type: str, to_type: str, body: dict[str, Any]
) -> tuple[int, Any]:
    links = state.associations.get((from_type, to_type), {})
    results = []
    for item in body["inputs"]:
        targets = links.get(item["id"], [])
        if targets:
            results.append(
                {
                    "from": {"id": item["id"]},
                    "to": [
                        {
                            "toObjectId": int(to_id),
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}
                            ],
                        }
                        for to_id, type_id in targets
                    ],
                }
            )
    return 200, _batch(results)


def _batch(results: list[Any]) -> dict[str, Any]:
    return {"status": "COMPLETE", "results": results, "startedAt": STAMP, "completedAt": STAMP}


def _batch_error(category: str, ids: list[str]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": category,
        "message": f"Could not find records {ids}",
        "context": {"ids": ids},
        "links": {},
        "errors": [],
    }


def _no_such_object_type(object_type: str) -> dict[str, Any]:
    return _error("VALIDATION_ERROR", f"Unable to infer object type from: {object_type}")


def _error(category: str, message: str) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
        "category": category,
    }


def rate_limited(policy: str, retry_after: str | None = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "c0ffee",
        "policyName": policy,
        "requestId": "r1",
    }
    return 429, headers, json.dumps(body).encode()


@contextmanager
def hubspot_server(state: HubSpotState | None = None) -> Iterator[tuple[str, HubSpotState]]:
    state = state or HubSpotState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


_ = UTC
