"""The bench catalog: the demo brands and category tree, and N deterministic demo products
loaded with bulk_create in batches (the generator in catalog.demo is seeded, so every run loads
the same catalog)."""

from django.core.management import call_command
from tqdm import tqdm

from catalog import demo, services
from catalog.models import Brand, Category, Product

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


def load_products(total: int) -> int:
    """Grow the catalog to `total` products (bulk_create bypasses the outbox on purpose: the
    benchmarks index it with the rebuilds they measure)."""
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
    print(f"default variants: {services.default_variants_create():,} created")
    return Product.objects.count()
