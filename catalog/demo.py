"""A deterministic, realistic demo catalog: brands, a category tree and products with
descriptions of realistic length. Used by `seed_catalog`, the benchmarks and the tests."""

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BRANDS = [
    "Acme",
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Audio",
    "Wayne Outdoor",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Oceanic",
    "Monarch",
    "Pied Piper",
    "Nakatomi",
    "Zorg",
    "Blue Sun",
    "Kepler",
    "Lumen",
    "Nordlys",
    "Café Crème",
    "Élan Sport",
    "Brünner",
    "Søndergaard",
    "Halcyon",
]

# (top level, [(second level, [third level, ...]), ...])
CATEGORY_TREE = [
    (
        "Electronics",
        [
            ("Computers", ["Laptops", "Desktops", "Monitors", "Keyboards", "Mice"]),
            ("Audio", ["Headphones", "Speakers", "Microphones"]),
            ("Phones", ["Smartphones", "Phone Cases", "Chargers"]),
        ],
    ),
    (
        "Home & Kitchen",
        [
            ("Kitchen", ["Coffee Makers", "Cookware", "Knives", "Blenders"]),
            ("Furniture", ["Chairs", "Desks", "Shelves"]),
        ],
    ),
    (
        "Sports & Outdoors",
        [
            ("Running", ["Running Shoes", "Running Jackets"]),
            ("Camping", ["Tents", "Sleeping Bags", "Backpacks"]),
            ("Cycling", ["Bikes", "Helmets"]),
        ],
    ),
]

NOUNS = {
    "Laptops": ["Laptop", "Notebook", "Ultrabook"],
    "Desktops": ["Desktop PC", "Mini PC", "Workstation"],
    "Monitors": ["Monitor", "Display"],
    "Keyboards": ["Mechanical Keyboard", "Wireless Keyboard", "Ergonomic Keyboard"],
    "Mice": ["Wireless Mouse", "Gaming Mouse", "Trackball"],
    "Headphones": ["Headphones", "Earbuds", "Noise Cancelling Headphones"],
    "Speakers": ["Bluetooth Speaker", "Bookshelf Speaker", "Soundbar"],
    "Microphones": ["USB Microphone", "Condenser Microphone"],
    "Smartphones": ["Smartphone", "Phone"],
    "Phone Cases": ["Phone Case", "Rugged Case", "Wallet Case"],
    "Chargers": ["USB-C Charger", "Wireless Charger", "Power Bank"],
    "Coffee Makers": ["Espresso Machine", "Drip Coffee Maker", "French Press"],
    "Cookware": ["Frying Pan", "Dutch Oven", "Saucepan"],
    "Knives": ["Chef Knife", "Paring Knife", "Knife Set"],
    "Blenders": ["Blender", "Smoothie Blender"],
    "Chairs": ["Office Chair", "Dining Chair", "Stool"],
    "Desks": ["Standing Desk", "Writing Desk"],
    "Shelves": ["Bookshelf", "Wall Shelf"],
    "Running Shoes": ["Running Shoe", "Trail Running Shoe", "Racing Flat"],
    "Running Jackets": ["Running Jacket", "Wind Jacket"],
    "Tents": ["Tent", "Backpacking Tent", "Family Tent"],
    "Sleeping Bags": ["Sleeping Bag", "Down Sleeping Bag"],
    "Backpacks": ["Backpack", "Daypack", "Hiking Backpack"],
    "Bikes": ["Road Bike", "Mountain Bike", "Gravel Bike"],
    "Helmets": ["Bike Helmet", "MIPS Helmet"],
}
ADJECTIVES = [
    "Pro",
    "Ultra",
    "Compact",
    "Classic",
    "Lite",
    "Max",
    "Air",
    "Elite",
    "Sport",
    "Studio",
    "Travel",
    "Deluxe",
    "Essential",
    "Premium",
    "Quiet",
    "Rugged",
    "Slim",
    "Smart",
]
COLORS = ["black", "white", "silver", "red", "blue", "green", "grey", "navy", "orange"]
MATERIALS = ["aluminium", "steel", "bamboo", "recycled plastic", "leather", "nylon", "oak", "carbon"]
SENTENCES = [
    "Built from {material} for everyday use, it is made to last.",
    "The {color} finish looks at home in any room or office.",
    "Designed with feedback from thousands of customers, the {name} balances comfort and performance.",
    "It ships with a two-year warranty and free returns within thirty days.",
    "Weighing just {weight} grams, it is easy to carry wherever you go.",
    "A favourite of reviewers, it is quieter and more efficient than the previous model.",
    "Setup takes minutes, and the included guide walks you through every step.",
    "Cleaning is simple: wipe with a damp cloth and let it dry.",
    "Compatible with the rest of the {brand} range, so accessories carry over.",
    "Every unit is tested before it leaves the factory.",
]


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    description: str
    brand: str | None
    category: str
    price: Decimal
    stock: int
    tags: list[str]
    attributes: dict[str, str]
    is_active: bool

    def product_fields(self, *, brands: dict[str, Any], categories: dict[str, Any]) -> dict[str, Any]:
        """The fields of a product, with brand and category names resolved to rows."""
        return {
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "brand": brands[self.brand] if self.brand else None,
            "category": categories[self.category],
            "price": self.price,
            "stock": self.stock,
            "tags": self.tags,
            "attributes": self.attributes,
            "is_active": self.is_active,
        }


def leaf_categories() -> list[str]:
    return [leaf for _, seconds in CATEGORY_TREE for _, leaves in seconds for leaf in leaves]


def demo_products(count: int, *, seed: int = 42, start: int = 0) -> Iterator[DemoProduct]:
    rng = random.Random(seed)
    leaves = leaf_categories()
    for number in range(start, start + count):
        category = leaves[number % len(leaves)]
        brand = rng.choice(BRANDS)
        noun = rng.choice(NOUNS[category])
        model = f"{rng.choice('ABCDEFGHJKLMNPRSTX')}{rng.randint(1, 99)}"
        name = f"{brand} {rng.choice(ADJECTIVES)} {noun} {model}"
        color = rng.choice(COLORS)
        fill = {
            "material": rng.choice(MATERIALS),
            "color": color,
            "name": name,
            "weight": rng.randint(80, 4000),
            "brand": brand,
        }
        description = " ".join(
            sentence.format(**fill) for sentence in rng.sample(SENTENCES, k=rng.randint(3, 6))
        )
        yield DemoProduct(
            sku=f"{_ascii(brand)[:3].upper()}-{number:07d}",
            name=name,
            description=description,
            brand=None if number % 50 == 49 else brand,
            category=category,
            price=Decimal(rng.randint(199, 249_999)) / 100,
            stock=0 if rng.random() < 0.15 else rng.randint(1, 500),
            tags=sorted({color, noun.split()[-1].lower(), rng.choice(["new", "sale", "bestseller", "eco"])}),
            attributes={"color": color, "material": fill["material"]},
            is_active=rng.random() > 0.03,
        )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
