"""django-elasticsearch-dsl's idiomatic set-up for the same product documents.

The local Elasticsearch (integ-test-zip) lacks analysis-common, so the peer uses the built-in
`standard` analyzer for text; the fields are the same as ours."""

from django.conf import settings
from django_elasticsearch_dsl import Document, fields
from django_elasticsearch_dsl.fields import DEDField
from django_elasticsearch_dsl.registries import registry
from elasticsearch.dsl import Flattened

from catalog.models import Product


class FlattenedField(DEDField, Flattened):
    pass


@registry.register_document
class ProductDocument(Document):
    brand = fields.ObjectField(properties={"slug": fields.KeywordField(), "name": fields.TextField()})
    category = fields.ObjectField(
        properties={
            "slug": fields.KeywordField(),
            "name": fields.TextField(),
            "path": fields.TextField(),
            "path_slugs": fields.KeywordField(),
        }
    )
    sku = fields.KeywordField()
    price = fields.KeywordField(index=False)
    price_cents = fields.LongField()
    in_stock = fields.BooleanField()
    tags = fields.KeywordField(multi=True)
    attributes = FlattenedField()

    class Index:
        name = settings.BENCH_PEER_INDEX
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    class Django:
        model = Product
        fields = [
            "name",
            "description",
            "currency",
            "stock",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("brand", "category__parent__parent")

    def prepare_brand(self, product):
        return {"slug": product.brand.slug, "name": product.brand.name} if product.brand else None

    def prepare_category(self, product):
        chain, node = [], product.category
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        return {
            "slug": product.category.slug,
            "name": product.category.name,
            "path": [node.name for node in chain],
            "path_slugs": [node.slug for node in chain],
        }

    def prepare_price(self, product):
        return f"{product.price:.2f}"

    def prepare_price_cents(self, product):
        return int(product.price * 100)

    def prepare_in_stock(self, product):
        return product.stock > 0

    def prepare_tags(self, product):
        return list(product.tags)

    def prepare_attributes(self, product):
        return dict(product.attributes)
