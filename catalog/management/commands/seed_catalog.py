"""Seed the demo catalog through the write-side services (so it is projected like any change)."""

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from catalog import demo, services, validators
from catalog.models import AttributeDefinition, Brand, Category, Product


class Command(BaseCommand):
    help = "Create the demo brands, category tree and N products, unless products exist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=1200)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, products: int, seed: int, **options) -> None:
        if Product.objects.exists():
            self.stdout.write("The catalog already has products; nothing seeded.")
            return
        brands = {
            name: Brand.objects.filter(name=name).first() or services.brand_create(name=name)
            for name in demo.BRANDS
        }
        categories: dict[str, Category] = {}
        for top, seconds in demo.CATEGORY_TREE:
            categories[top] = self._category(top, None)
            for second, leaves in seconds:
                categories[second] = self._category(second, categories[top])
                for leaf in leaves:
                    categories[leaf] = self._category(leaf, categories[second])
        for definition in demo.ATTRIBUTES:
            if not AttributeDefinition.objects.filter(code=definition["code"]).exists():
                services.attribute_create(
                    **demo.attribute_fields(definition, languages=validators.translation_languages())
                )
        for item in tqdm(
            demo.demo_products(products, seed=seed), total=products, desc="products", unit="product"
        ):
            services.product_create(**item.product_fields(brands=brands, categories=categories))
        self.stdout.write(self.style.SUCCESS(f"Seeded {products} products."))

    @staticmethod
    def _category(name: str, parent: Category | None) -> Category:
        existing = Category.objects.filter(name=name, parent=parent).first()
        return existing or services.category_create(name=name, parent=parent)
