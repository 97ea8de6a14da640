"""The storefront: the shopper's pages at `/` (search) and `/products/<id>/`, served as templates
and static files; the browser fills them from the public query API under `/api/`, so this app
reads nothing itself, neither MySQL nor Elasticsearch."""
