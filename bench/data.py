"""The bench catalog: the demo brands and category tree, and N deterministic demo products
loaded with bulk_create in batches (the generator in catalog.demo is seeded, so every run loads
the same catalog)."""

import json

from django.core.management import call_command
from django.db import connection
from tqdm import tqdm

from catalog import demo, services
from catalog.models import Brand, Category, Product, ProductVariant, options_key

BATCH = 2000
SEED = 42


def prepare_schema() -> str:
    """Migrate the bench database, create the brands, categories and a staff user; return its token."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    for name in demo.BRANDS:
        services.brand_create(name=name)
    for top, seconds in demo.CATEGORY_TREE:
        top_row = services.category_create(name=top)
        for second, leaves in seconds:
            second_row = services.category_create(name=second, parent=top_row)
            for leaf in leaves:
                services.category_create(name=leaf, parent=second_row)
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    return Token.objects.create(user=user).key


def load_products(total: int, *, variants: int = 1) -> int:
    """Grow the catalog to `total` products with `variants` each (bulk_create bypasses the outbox
    on purpose: the benchmarks index it with the rebuilds they measure)."""
    have = Product.objects.count()
    if have >= total:
        return have
    brands = {brand.name: brand for brand in Brand.objects.all()}
    categories = {category.name: category for category in Category.objects.all()}
    with tqdm(total=total - have, desc=f"load products to {total:,}", unit="row") as bar:
        for start in range(have, total, BATCH):
            count = min(BATCH, total - start)
            rows = [
                Product(**item.product_fields(brands=brands, categories=categories))
                # One seed per batch: deterministic, and any batch can be generated on its own.
                for item in demo.demo_products(count, seed=SEED + start, start=start)
            ]
            Product.objects.bulk_create(rows)
            bar.update(count)
    print(f"variants: {load_variants(variants):,} created", flush=True)
    return Product.objects.count()


SIZES = ("XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")


def load_variants(per_product: int) -> int:
    """Give every product without variants `per_product` of them: its default one, or one per
    size, each a euro dearer than the last and every third one sold out (so that price and stock
    filters have variants to tell apart); then sum their stock up on the product."""
    if per_product == 1:
        return services.default_variants_create()
    variants, products = ProductVariant._meta.db_table, Product._meta.db_table
    sizes = SIZES[:per_product]
    size_rows = " UNION ALL ".join(
        f"SELECT %s AS size, %s AS options, %s AS options_key, {step} AS step" for step in range(len(sizes))
    )
    params = [
        value for size in sizes for value in (size, json.dumps({"size": size}), options_key({"size": size}))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {variants} (product_id, sku, options, options_key, price, compare_at_price, "
            "stock, is_active) SELECT p.id, CONCAT(p.sku, '-', s.size), s.options, s.options_key, "
            f"p.price + s.step, NULL, IF(MOD(s.step, 3) = 2, 0, p.stock), TRUE FROM {products} p "
            f"CROSS JOIN ({size_rows}) s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {variants} v WHERE v.product_id = p.id)",
            params,
        )
        created = cursor.rowcount
        cursor.execute(
            f"UPDATE {products} p JOIN (SELECT product_id, SUM(stock) AS total FROM {variants} "
            f"GROUP BY product_id) v ON v.product_id = p.id SET p.stock = v.total"
        )
    return created
