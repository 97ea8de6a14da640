"""The API's entry point, `/api/`: a link to every resource, so a person in a browser (or a
client) can start here and follow links instead of reading the URL map."""

from rest_framework.routers import APIRootView


class ApiRootView(APIRootView):
    """The product catalog API. Queries read Elasticsearch; commands write MySQL and reach the
    queries within seconds. The schema and the interactive docs describe every endpoint."""

    # Resource name -> URL name (config.urls); each is answered as an absolute URL.
    api_root_dict = {
        "products": "product-collection",
        "search": "product-search",
        "suggest": "product-suggest",
        "brands": "brand-collection",
        "categories": "category-collection",
        "attributes": "attribute-collection",
        "synonyms": "synonym-collection",
        "merchandising": "merchandising-collection",
        "auth_token": "api-token",
        "schema": "api-schema",
        "docs": "api-docs",
    }

    def get_view_name(self) -> str:
        return "Product catalog API"
