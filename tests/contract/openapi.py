"""The Exoscale operations this project uses, checked against the installed ``exoscale/openapi.json``.

The document is OpenAPI 3.0: its schema objects are a subset of JSON Schema draft 4 (plus keywords
such as ``readOnly`` and ``x-go-*`` that validation ignores), so they are validated with jsonschema's
Draft4Validator, their ``$ref``s resolved by a ``referencing`` registry holding the whole document.

Run ``python tests/contract/openapi.py`` to print the fingerprints to pin after an upgrade.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import exoscale
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(exoscale.__file__).parent / "openapi.json"
BASE = "urn:exoscale:openapi"

# operationId -> (method, path): every call core/exoscale/client.py makes
OPERATIONS = {
    "list-zones": ("GET", "/zone"),
    "list-models": ("GET", "/ai/model"),
    "create-model": ("POST", "/ai/model"),
    "get-model": ("GET", "/ai/model/{id}"),
    "delete-model": ("DELETE", "/ai/model/{id}"),
    "get-operation": ("GET", "/operation/{id}"),
}
# operationId -> (method, path): the deployment calls the sandbox serves (the official SDK's names)
DEPLOYMENT_OPERATIONS = {
    "create-deployment": ("POST", "/ai/deployment"),
    "list-deployments": ("GET", "/ai/deployment"),
    "get-deployment": ("GET", "/ai/deployment/{id}"),
    "update-deployment": ("PATCH", "/ai/deployment/{id}"),
    "delete-deployment": ("DELETE", "/ai/deployment/{id}"),
    "scale-deployment": ("POST", "/ai/deployment/{id}/scale"),
    "reveal-deployment-api-key": ("GET", "/ai/deployment/{id}/api-key"),
    "get-deployment-logs": ("GET", "/ai/deployment/{id}/logs"),
    "list-ai-instance-types": ("GET", "/ai/instance-type"),
    "get-inference-engine-help": ("GET", "/ai/help/inference-engine-parameters"),
}
ALL_OPERATIONS = {**OPERATIONS, **DEPLOYMENT_OPERATIONS}
JSON = "application/json"

FORMATS = FormatChecker(formats=())
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")  # RFC 3339


@FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value[:19])  # a real calendar date and time (ValueError otherwise)
    return True


@FORMATS.checks("int64")
def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("uri-reference", raises=ValueError)
def _is_uri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return True
    urlsplit(value)
    return value.isprintable() and " " not in value


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as the sandbox logged them (``sb.requests``)."""

    operation: str
    method: str
    path: str  # below the zone's /v2
    params: dict[str, str]
    body: bytes = field(repr=False)  # the create body holds the Hugging Face token
    content_type: str
    status: int
    answer: bytes = field(repr=False)
    answer_type: str
    query: dict[str, str] = field(default_factory=dict)


class Contract:
    """The installed OpenAPI document, seen through the operations of :data:`OPERATIONS`."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.document = json.loads(path.read_text())
        self.registry = Registry().with_resource(BASE, Resource(self.document, specification=DRAFT4))
        self.resolver = self.registry.resolver(base_uri=BASE)

    @property
    def version(self) -> str:
        return (
            f"exoscale {getattr(exoscale, '__version__', '?')} "
            f"(OpenAPI info.version {self.document['info']['version']})"
        )

    def operation(self, operation_id: str) -> dict[str, Any]:
        method, path = ALL_OPERATIONS[operation_id]
        found = self.document["paths"].get(path, {}).get(method.lower())
        if found is None or found.get("operationId") != operation_id:
            raise LookupError(
                f"{self.version} has no operation {operation_id} at {method} {path}: the API moved; "
                "re-check core/exoscale/client.py and the sandbox's routes (sandbox/exoscale.py)"
            )
        return found

    # -- validation ---------------------------------------------------------------------------
    def _validator(self, *pointer: str) -> Draft4Validator:
        fragment = "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)
        return Draft4Validator(
            {"$ref": f"{BASE}#/{fragment}"}, registry=self.registry, format_checker=FORMATS
        )

    def request_validator(self, operation_id: str) -> Draft4Validator | None:
        method, path = ALL_OPERATIONS[operation_id]
        body = self.operation(operation_id).get("requestBody")
        if body is None:
            return None
        return self._validator("paths", path, method.lower(), "requestBody", "content", JSON, "schema")

    def response_validator(self, operation_id: str, status: int) -> Draft4Validator | None:
        """The schema of that answer, or None when the operation documents it without content."""
        method, path = ALL_OPERATIONS[operation_id]
        response = self.operation(operation_id)["responses"].get(str(status))
        if response is None:
            raise LookupError(f"{operation_id} documents no {status} answer")
        if JSON not in response.get("content", {}):
            return None
        return self._validator(
            "paths", path, method.lower(), "responses", str(status), "content", JSON, "schema"
        )

    def documented_statuses(self, operation_id: str) -> set[int]:
        return {int(code) for code in self.operation(operation_id)["responses"]}

    def parameter_validators(self, operation_id: str, where: str = "path") -> dict[str, Draft4Validator]:
        method, path = ALL_OPERATIONS[operation_id]
        parameters = self.operation(operation_id).get("parameters", [])
        return {
            p["name"]: self._validator("paths", path, method.lower(), "parameters", str(i), "schema")
            for i, p in enumerate(parameters)
            if p["in"] == where
        }

    def problems(self, exchange: Exchange, *, secret_request: bool = True) -> list[str]:
        """Every way ``exchange`` departs from the document (empty when it follows it).

        Request bodies carry the Hugging Face token: their errors name the place and the rule broken,
        never the value (``secret_request``).
        """
        op, where = exchange.operation, f"{exchange.method} {exchange.path}"
        found: list[str] = []
        for name, validator in self.parameter_validators(op).items():
            found += [
                f"{where}: path parameter {name}: {e.message}"
                for e in validator.iter_errors(exchange.params.get(name))
            ]
        query = self.parameter_validators(op, "query")
        for name, value in exchange.query.items():
            if name not in query:
                found.append(f"{where}: undocumented query parameter {name}")
                continue
            found += [
                f"{where}: query parameter {name}: {e.message}"
                for e in query[name].iter_errors(_query_value(value, query[name].schema, self.resolver))
            ]
        request = self.request_validator(op)
        if request is None:
            if exchange.body:
                found.append(f"{where}: {op} takes no body, {len(exchange.body)} bytes were sent")
        elif not exchange.content_type.startswith(JSON):
            found.append(f"{where}: request Content-Type {exchange.content_type!r}, documented {JSON}")
        else:
            found += [
                f"{where}: request body: {_describe(e, secret_request)}"
                for e in request.iter_errors(_json(exchange.body))
            ]
        if exchange.status not in self.documented_statuses(op):
            found.append(
                f"{where}: answered {exchange.status}, {op} documents only "
                f"{sorted(self.documented_statuses(op))}"
            )
            return found
        response = self.response_validator(op, exchange.status)
        if response is not None:
            if not exchange.answer_type.startswith(JSON):
                found.append(
                    f"{where}: {exchange.status} answer Content-Type {exchange.answer_type!r}, "
                    f"documented {JSON}"
                )
            found += [
                f"{where}: {exchange.status} answer: {_describe(e, False)}"
                for e in response.iter_errors(_json(exchange.answer))
            ]
        return found

    # -- fingerprints -------------------------------------------------------------------------
    def resolved(self, node: Any, resolver: Any = None, seen: tuple[str, ...] = ()) -> Any:
        """``node`` with every ``$ref`` replaced by what it points to (siblings of a ``$ref`` kept)."""
        resolver = resolver or self.resolver
        if isinstance(node, list):
            return [self.resolved(item, resolver, seen) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: self.resolved(v, resolver, seen) for k, v in node.items() if k != "$ref"}
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"recursive schema through {ref}: fingerprint it by hand")
            target = resolver.lookup(ref)
            out["$ref"] = self.resolved(target.contents, target.resolver, (*seen, ref))
        return out

    @cached_property
    def fingerprints(self) -> dict[str, str]:
        """A hash per part the project relies on: each operation's parameters, request body and answers."""
        parts: dict[str, Any] = {}
        for op in ALL_OPERATIONS:
            operation = self.operation(op)
            parts[f"{op} parameters"] = operation.get("parameters") or None
            parts[f"{op} request"] = operation.get("requestBody")
            for status, response in operation["responses"].items():
                parts[f"{op} {status}"] = response.get("content", "no content")
        return {
            name: _digest(self.resolved(part)) for name, part in sorted(parts.items()) if part is not None
        }


def exchanges(requests: list[Any]) -> list[Exchange]:
    """The answered Exoscale requests of a sandbox log, each matched to its operation."""
    found = []
    for request in requests:
        if request.service != "exoscale" or request.status is None:
            continue
        path = re.sub(r"^/[a-z0-9-]+/v2", "", request.path)
        op, params = _match(request.method, path)
        query = {name: values[-1] for name, values in request.query.items()}
        found.append(
            Exchange(
                op,
                request.method,
                path,
                params,
                request.body,
                request.headers.get("content-type", ""),
                request.status,
                request.answer,
                request.answer_type,
                query,
            )
        )
    return found


def _match(method: str, path: str) -> tuple[str, dict[str, str]]:
    for op, (op_method, template) in ALL_OPERATIONS.items():
        pattern = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        if method == op_method and (m := re.match(pattern, path)):
            return op, m.groupdict()
    raise AssertionError(
        f"{method} {path} is none of the operations the contract covers: add it to OPERATIONS"
    )


def _query_value(value: str, schema: dict, resolver: Any) -> Any:
    """A query string's value as its schema's type reads it (``true``/``True``: requests sends Python's)."""
    kind = resolver.lookup(schema["$ref"]).contents.get("type") if "$ref" in schema else schema.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(value.lower(), value)
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return _NotJSON()


class _NotJSON:
    """Stands for a body that is not JSON: it matches no schema with a type."""

    def __repr__(self) -> str:
        return "<not JSON>"


def _describe(error: Any, secret: bool) -> str:
    place = "/".join(map(str, error.absolute_path)) or "(the whole body)"
    if secret:  # error.message quotes the offending value
        return f"at {place}: breaks {error.validator!r} {json.dumps(error.validator_value)[:200]}"
    return f"at {place}: {error.message}"


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


if __name__ == "__main__":
    for name, digest in Contract().fingerprints.items():
        print(f'    "{name}": "{digest}",')
