"""A deterministic, realistic demo catalog: brands, a category tree and products with
descriptions of realistic length. Used by `seed_catalog`, the benchmarks and the tests."""

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import validators

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
# The nouns in German and French: demo products are translated into the languages of
# CATALOG_LANGUAGES among these (names only; descriptions read as the English ones).
NOUN_TRANSLATIONS = {
    "Backpack": {"de": "Rucksack", "fr": "Sac à dos"},
    "Backpacking Tent": {"de": "Trekkingzelt", "fr": "Tente de trekking"},
    "Bike Helmet": {"de": "Fahrradhelm", "fr": "Casque de vélo"},
    "Blender": {"de": "Standmixer", "fr": "Blender"},
    "Bluetooth Speaker": {"de": "Bluetooth-Lautsprecher", "fr": "Enceinte Bluetooth"},
    "Bookshelf": {"de": "Bücherregal", "fr": "Bibliothèque"},
    "Bookshelf Speaker": {"de": "Regallautsprecher", "fr": "Enceinte d'étagère"},
    "Chef Knife": {"de": "Kochmesser", "fr": "Couteau de chef"},
    "Condenser Microphone": {"de": "Kondensatormikrofon", "fr": "Microphone à condensateur"},
    "Daypack": {"de": "Tagesrucksack", "fr": "Sac de journée"},
    "Desktop PC": {"de": "Desktop-PC", "fr": "PC de bureau"},
    "Dining Chair": {"de": "Esszimmerstuhl", "fr": "Chaise de salle à manger"},
    "Display": {"de": "Bildschirm", "fr": "Écran"},
    "Down Sleeping Bag": {"de": "Daunenschlafsack", "fr": "Sac de couchage en duvet"},
    "Drip Coffee Maker": {"de": "Filterkaffeemaschine", "fr": "Cafetière filtre"},
    "Dutch Oven": {"de": "Schmortopf", "fr": "Cocotte"},
    "Earbuds": {"de": "In-Ear-Kopfhörer", "fr": "Écouteurs intra-auriculaires"},
    "Ergonomic Keyboard": {"de": "Ergonomische Tastatur", "fr": "Clavier ergonomique"},
    "Espresso Machine": {"de": "Espressomaschine", "fr": "Machine à expresso"},
    "Family Tent": {"de": "Familienzelt", "fr": "Tente familiale"},
    "French Press": {"de": "Kaffeebereiter", "fr": "Cafetière à piston"},
    "Frying Pan": {"de": "Bratpfanne", "fr": "Poêle"},
    "Gaming Mouse": {"de": "Gaming-Maus", "fr": "Souris gaming"},
    "Gravel Bike": {"de": "Gravelbike", "fr": "Vélo gravel"},
    "Headphones": {"de": "Kopfhörer", "fr": "Casque audio"},
    "Hiking Backpack": {"de": "Wanderrucksack", "fr": "Sac à dos de randonnée"},
    "Knife Set": {"de": "Messerset", "fr": "Set de couteaux"},
    "Laptop": {"de": "Laptop", "fr": "Ordinateur portable"},
    "MIPS Helmet": {"de": "MIPS-Helm", "fr": "Casque MIPS"},
    "Mechanical Keyboard": {"de": "Mechanische Tastatur", "fr": "Clavier mécanique"},
    "Mini PC": {"de": "Mini-PC", "fr": "Mini PC"},
    "Monitor": {"de": "Monitor", "fr": "Moniteur"},
    "Mountain Bike": {"de": "Mountainbike", "fr": "VTT"},
    "Noise Cancelling Headphones": {
        "de": "Kopfhörer mit Geräuschunterdrückung",
        "fr": "Casque à réduction de bruit",
    },
    "Notebook": {"de": "Notebook", "fr": "Ordinateur portable"},
    "Office Chair": {"de": "Bürostuhl", "fr": "Chaise de bureau"},
    "Paring Knife": {"de": "Schälmesser", "fr": "Couteau d'office"},
    "Phone": {"de": "Telefon", "fr": "Téléphone"},
    "Phone Case": {"de": "Handyhülle", "fr": "Coque de téléphone"},
    "Power Bank": {"de": "Powerbank", "fr": "Batterie externe"},
    "Racing Flat": {"de": "Wettkampfschuh", "fr": "Chaussure de compétition"},
    "Road Bike": {"de": "Rennrad", "fr": "Vélo de route"},
    "Rugged Case": {"de": "Outdoor-Hülle", "fr": "Coque renforcée"},
    "Running Jacket": {"de": "Laufjacke", "fr": "Veste de running"},
    "Running Shoe": {"de": "Laufschuh", "fr": "Chaussure de running"},
    "Saucepan": {"de": "Kochtopf", "fr": "Casserole"},
    "Sleeping Bag": {"de": "Schlafsack", "fr": "Sac de couchage"},
    "Smartphone": {"de": "Smartphone", "fr": "Smartphone"},
    "Smoothie Blender": {"de": "Smoothie-Mixer", "fr": "Blender à smoothies"},
    "Soundbar": {"de": "Soundbar", "fr": "Barre de son"},
    "Standing Desk": {"de": "Stehschreibtisch", "fr": "Bureau assis-debout"},
    "Stool": {"de": "Hocker", "fr": "Tabouret"},
    "Tent": {"de": "Zelt", "fr": "Tente"},
    "Trackball": {"de": "Trackball", "fr": "Trackball"},
    "Trail Running Shoe": {"de": "Traillaufschuh", "fr": "Chaussure de trail"},
    "USB Microphone": {"de": "USB-Mikrofon", "fr": "Microphone USB"},
    "USB-C Charger": {"de": "USB-C-Ladegerät", "fr": "Chargeur USB-C"},
    "Ultrabook": {"de": "Ultrabook", "fr": "Ultrabook"},
    "Wall Shelf": {"de": "Wandregal", "fr": "Étagère murale"},
    "Wallet Case": {"de": "Klapphülle", "fr": "Étui portefeuille"},
    "Wind Jacket": {"de": "Windjacke", "fr": "Coupe-vent"},
    "Wireless Charger": {"de": "Kabelloses Ladegerät", "fr": "Chargeur sans fil"},
    "Wireless Keyboard": {"de": "Kabellose Tastatur", "fr": "Clavier sans fil"},
    "Wireless Mouse": {"de": "Kabellose Maus", "fr": "Souris sans fil"},
    "Workstation": {"de": "Workstation", "fr": "Station de travail"},
    "Writing Desk": {"de": "Schreibtisch", "fr": "Bureau"},
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

# The demo products' attributes, defined as enums, with their names and labels in the demo's
# languages: the facets of `make run` show them as staff of a shop in three languages would.
ATTRIBUTES = [
    {
        "code": "color",
        "name": "Colour",
        "choices": COLORS,
        "labels": {
            "en": ["Black", "White", "Silver", "Red", "Blue", "Green", "Grey", "Navy", "Orange"],
            "de": ["Schwarz", "Weiß", "Silber", "Rot", "Blau", "Grün", "Grau", "Marineblau", "Orange"],
            "fr": ["Noir", "Blanc", "Argent", "Rouge", "Bleu", "Vert", "Gris", "Bleu marine", "Orange"],
        },
        "names": {"de": "Farbe", "fr": "Couleur"},
    },
    {
        "code": "material",
        "name": "Material",
        "choices": MATERIALS,
        "labels": {
            "en": ["Aluminium", "Steel", "Bamboo", "Recycled plastic", "Leather", "Nylon", "Oak", "Carbon"],
            "de": [
                "Aluminium",
                "Stahl",
                "Bambus",
                "Recyclingkunststoff",
                "Leder",
                "Nylon",
                "Eiche",
                "Carbon",
            ],
            "fr": ["Aluminium", "Acier", "Bambou", "Plastique recyclé", "Cuir", "Nylon", "Chêne", "Carbone"],
        },
        "names": {"de": "Material", "fr": "Matière"},
    },
]


def attribute_fields(definition: dict[str, Any], *, languages: list[str]) -> dict[str, Any]:
    """The `attribute_create` arguments of one of ATTRIBUTES, translated into `languages` (those
    of the demo's three the catalog translates into)."""
    labels = {
        language: dict(zip(definition["choices"], texts, strict=True))
        for language, texts in definition["labels"].items()
    }
    return {
        "code": definition["code"],
        "name": definition["name"],
        "type": "enum",
        "choices": definition["choices"],
        "choice_labels": labels["en"],
        "translations": {
            language: {"name": definition["names"][language], "choice_labels": labels[language]}
            for language in languages
            if language in definition["names"]
        },
    }


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
    # Names in the other languages of NOUN_TRANSLATIONS.
    translations: dict[str, dict[str, str]]

    def product_fields(self, *, brands: dict[str, Any], categories: dict[str, Any]) -> dict[str, Any]:
        """The fields of a product, with brand and category names resolved to rows, translated
        into the catalog's languages (CATALOG_LANGUAGES) that the demo has names in."""
        return {
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "translations": {
                language: texts
                for language, texts in self.translations.items()
                if language in validators.translation_languages()
            },
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
        adjective = rng.choice(ADJECTIVES)
        name = f"{brand} {adjective} {noun} {model}"
        color = rng.choice(COLORS)
        fill: dict[str, Any] = {
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
            translations={
                language: {"name": f"{brand} {adjective} {translated} {model}"}
                for language, translated in NOUN_TRANSLATIONS[noun].items()
            },
        )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
