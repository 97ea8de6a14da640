"""The OpenAPI schema of the query endpoints documents every parameter they accept and every
field of what they really answer (checked against live answers, so the two cannot drift), and
the brand and category URLs document both their query and their command."""

from typing import Any

import pytest

from search.api.params import (
    DetailParamsSerializer,
    ListParamsSerializer,
    SearchParamsSerializer,
    SuggestParamsSerializer,
)
from tests.search.test_queries_api import EVERYTHING, LIST, SEARCH, SUGGEST
from tests.search.test_taxonomy_api import BRANDS, CATEGORIES

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

JSON_TYPES = {str: {"string"}, bool: {"boolean"}, int: {"integer", "number"}, float: {"number"}}


@pytest.fixture
def schema(api) -> dict[str, Any]:
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _operation(schema: dict[str, Any], path: str) -> dict[str, Any]:
    return schema["paths"][path]["get"]


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its $ref followed (also inside the allOf/oneOf of a nullable ref)."""
    for combinator in ("allOf", "oneOf"):
        if combinator in node:
            inner = next(part for part in node[combinator] if "$ref" in part or "type" in part)
            node = {**inner, "nullable": node.get("nullable", False) or inner.get("nullable", False)}
    if "$ref" in node:
        resolved = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        node = {**resolved, "nullable": node.get("nullable", False) or resolved.get("nullable", False)}
    return node


def _mismatches(value: Any, node: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    """Where a live answer and its documented schema disagree: undocumented fields, documented
    required fields missing, and values of another type."""
    choices = node.get("oneOf", [])
    if choices and all("type" in choice and choice["type"] != "object" for choice in choices):
        # a union of plain types (e.g. an attribute's text, number or yes/no): one must fit
        documented = {choice["type"] for choice in choices}
        return (
            []
            if JSON_TYPES[type(value)] & documented
            else [f"{path}: {type(value).__name__} not in {documented}"]
        )
    node = _resolve(node, schema)
    if value is None:
        return [] if node.get("nullable") else [f"{path}: null but not nullable"]
    if isinstance(value, dict):
        if "properties" not in node:
            if "additionalProperties" not in node:
                return [f"{path}: an object the schema does not describe"]
            return [
                problem
                for key, item in value.items()
                for problem in _mismatches(item, node["additionalProperties"], schema, f"{path}.{key}")
            ]
        problems = [f"{path}.{key}: not documented" for key in value if key not in node["properties"]]
        problems += [
            f"{path}.{key}: documented as required, not sent"
            for key in node.get("required", ())
            if key not in value
        ]
        for key, item in value.items():
            if key in node["properties"]:
                problems += _mismatches(item, node["properties"][key], schema, f"{path}.{key}")
        return problems
    if isinstance(value, list):
        if node.get("type") != "array":
            return [f"{path}: a list documented as {node.get('type')}"]
        return [
            problem for item in value for problem in _mismatches(item, node["items"], schema, f"{path}[]")
        ]
    if node.get("type") not in JSON_TYPES[type(value)]:
        return [f"{path}: {type(value).__name__} documented as {node.get('type')}"]
    return []


def _response_schema(schema: dict[str, Any], path: str) -> dict[str, Any]:
    return _operation(schema, path)["responses"]["200"]["content"]["application/json"]["schema"]


def test_every_field_of_every_answer_is_documented(shop, api, schema):
    detail = f"{LIST}{{product_id}}/"
    answers = [
        (LIST, api.get(LIST).json()),
        (LIST, api.get(LIST, {"page_size": 2}).json()),
        (SEARCH, api.get(SEARCH, {**EVERYTHING, "page_size": 2}).json()),
        (SEARCH, api.get(SEARCH, {"q": "tactile keyboard"}).json()),
        (SUGGEST, api.get(SUGGEST, {"q": "acme"}).json()),
        (detail, api.get(f"{LIST}{shop['run'].pk}/").json()),  # no brand
        (detail, api.get(f"{LIST}{shop['mechanical'].pk}/").json()),
        (BRANDS, api.get(BRANDS).json()),
        (CATEGORIES, api.get(CATEGORIES).json()),  # three levels deep
    ]
    for path, answer in answers:
        assert _mismatches(answer, _response_schema(schema, path), schema, path) == []


@pytest.mark.parametrize(
    ("path", "serializer", "extra"),
    [
        (LIST, ListParamsSerializer, {"attr.<name>", "option.<name>"}),
        (SEARCH, SearchParamsSerializer, {"attr.<name>", "option.<name>"}),
        (SUGGEST, SuggestParamsSerializer, set()),
        (f"{LIST}{{product_id}}/", DetailParamsSerializer, {"product_id"}),
    ],
)
def test_every_query_parameter_is_documented_with_a_description(schema, path, serializer, extra):
    parameters = {
        parameter["name"]: parameter
        for parameter in _operation(schema, path)["parameters"]
        if parameter["in"] in ("query", "path")
    }

    assert set(parameters) == set(serializer().fields) | extra
    undescribed = [name for name, parameter in parameters.items() if not parameter.get("description")]
    assert undescribed in ([], ["product_id"])


def test_statuses_and_headers_of_the_query_endpoints_are_documented(schema):
    for path in (LIST, SEARCH, SUGGEST, f"{LIST}{{product_id}}/"):
        responses = _operation(schema, path)["responses"]
        assert {"200", "400", "429", "503"} <= set(responses), path
        assert "Cache-Control" in responses["200"]["headers"], path
        assert "Retry-After" in responses["429"]["headers"], path
        assert "Retry-After" in responses["503"]["headers"], path
    assert "403" in _operation(schema, LIST)["responses"]
    assert "403" in _operation(schema, SEARCH)["responses"]
    detail = _operation(schema, f"{LIST}{{product_id}}/")["responses"]
    assert "404" in detail
    assert "ETag" in detail["200"]["headers"]


@pytest.mark.parametrize("path", [BRANDS, CATEGORIES])
def test_the_brand_and_category_urls_document_their_query_and_their_command(schema, path):
    operations = schema["paths"][path]

    assert set(operations) == {"get", "post"}
    query = operations["get"]
    assert query["description"]
    assert {"200", "429", "503"} <= set(query["responses"])
    assert "Cache-Control" in query["responses"]["200"]["headers"]
    assert "Retry-After" in query["responses"]["503"]["headers"]
    assert [
        parameter["name"] for parameter in query.get("parameters", []) if parameter["in"] == "query"
    ] == []
    assert "201" in operations["post"]["responses"]
