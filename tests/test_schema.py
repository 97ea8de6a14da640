"""The OpenAPI schema documents the command headers and statuses and the query parameters."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_documents_headers_statuses_and_parameters(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    item = schema["paths"]["/api/products/{product_id}/"]
    patch_parameters = {parameter["name"] for parameter in item["patch"]["parameters"]}
    assert "If-Match" in patch_parameters
    assert {"200", "400", "401", "403", "404", "412"} <= set(item["patch"]["responses"])
    assert "ETag" in item["patch"]["responses"]["200"]["headers"]
    create = schema["paths"]["/api/products/"]["post"]
    assert "Idempotency-Key" in {parameter["name"] for parameter in create["parameters"]}
    assert {"201", "400", "415", "422", "429"} <= set(create["responses"])
    assert {"Location", "ETag"} <= set(create["responses"]["201"]["headers"])
    search = schema["paths"]["/api/products/search/"]["get"]
    assert {
        "q",
        "page",
        "page_size",
        "cursor",
        "ordering",
        "brand",
        "category",
        "min_price",
        "max_price",
    } <= {parameter["name"] for parameter in search["parameters"]}
    assert {"brand", "category", "price", "in_stock"} <= set(
        schema["components"]["schemas"]["Facets"]["properties"]
    )


def test_schema_documents_translations_and_the_language_of_reads(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    translations = components["Product"]["properties"]["translations"]
    assert translations["additionalProperties"] == {"$ref": "#/components/schemas/Translation"}
    assert set(components["Translation"]["properties"]) == {"name", "description"}
    for path in (
        "/api/products/",
        "/api/products/search/",
        "/api/products/suggest/",
        "/api/products/{product_id}/",
    ):
        operation = schema["paths"][path]["get"]
        assert {"lang", "Accept-Language"} <= {parameter["name"] for parameter in operation["parameters"]}
        assert "Content-Language" in operation["responses"]["200"]["headers"]


def test_schema_documents_the_labels_of_attribute_definitions(api):
    schemas = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"][
        "schemas"
    ]
    definition = schemas["AttributeDefinition"]["properties"]
    assert definition["choice_labels"]["additionalProperties"]["type"] == "string"
    assert definition["translations"]["additionalProperties"] == {
        "$ref": "#/components/schemas/AttributeTranslation"
    }
    translation = schemas["AttributeTranslation"]["properties"]
    assert set(translation) == {"name", "choice_labels"}
    assert translation["choice_labels"]["additionalProperties"]["maxLength"] == 100


def test_schema_documents_the_option_and_attribute_facets(api):
    components = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]
    schemas = components["schemas"]
    facets = schemas["Facets"]["properties"]
    assert facets["options"]["additionalProperties"]["items"] == {"$ref": "#/components/schemas/FacetValue"}
    assert facets["attributes"]["additionalProperties"] == {"$ref": "#/components/schemas/AttributeFacet"}
    assert "disjunctive" in facets["attributes"]["description"]
    assert facets["option_names"]["additionalProperties"] == {"type": "string"}
    assert set(schemas["AttributeFacet"]["properties"]) == {"name", "unit", "values", "min", "max", "ranges"}
    ranges = schemas["AttributeFacet"]["properties"]["ranges"]
    assert ranges["items"] == {"$ref": "#/components/schemas/NumberRange"}
    assert set(schemas["NumberRange"]["properties"]) == {"from", "to", "count"}
    assert set(schemas["NumberRange"]["required"]) == {"from", "to", "count"}


def test_interactive_docs_are_served(api):
    assert api.get("/api/docs/").status_code == 200


def test_schema_states_the_limits_the_commands_enforce_and_who_may_call(api):
    """What schemathesis's positive data is drawn from: values that fit the schema are values
    the service accepts (tests/api/test_schemathesis.py sends them)."""
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    headers = {
        parameter["name"]: parameter["schema"]
        for parameter in paths["/api/products/{product_id}/"]["patch"]["parameters"]
        + paths["/api/products/"]["post"]["parameters"]
        if parameter["in"] == "header"
    }
    assert headers["If-Match"]["pattern"] == r'^(\*|(W/)?"?[0-9]{1,18}"?)$'
    assert (headers["Idempotency-Key"]["minLength"], headers["Idempotency-Key"]["maxLength"]) == (1, 255)
    product = components["ProductRequest"]["properties"]
    assert product["price"]["pattern"] == r"^\d{1,10}(?:\.\d{1,2})?$"  # no sign, no bare "." or ""
    assert {"USD", "EUR", "JPY"} <= set(components["CurrencyEnum"]["enum"])
    assert "XXY" not in components["CurrencyEnum"]["enum"]
    assert {"200", "400", "429"} <= set(paths["/api/auth/token/"]["post"]["responses"])

    def anonymous(path: str, method: str) -> bool:
        return {} in paths[path][method]["security"]

    assert anonymous("/api/auth/token/", "post")
    for path in ("/api/products/", "/api/products/{product_id}/", "/api/brands/", "/api/categories/"):
        assert anonymous(path, "get"), path
    signed_in_only = [
        ("/api/products/", "post"),
        ("/api/products/{product_id}/", "patch"),
        ("/api/synonyms/", "get"),
        ("/api/products/{product_id}/history/", "get"),
    ]
    for path, method in signed_in_only:
        assert not anonymous(path, method), (path, method)


def test_schema_says_highlights_are_text_to_escape_not_html(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    highlight = schema["components"]["schemas"]["Highlight"]["properties"]
    for text in ("name", "description"):
        assert "not HTML" in highlight[text]["description"]
        assert "Escape the text" in highlight[text]["description"]
