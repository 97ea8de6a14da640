"""The peers we are compared with: django-elasticsearch-dsl documents over catalog.Product, and the
plain DRF + ORM `icontains` search a team without a search service would write."""
