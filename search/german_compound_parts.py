"""The parts German product names are compounded of, for the German analysis's stock
`dictionary_decompounder` (search.languages): "Wanderschuhe" is indexed as itself and as
"wander" and "schuh", so "schuhe" and "wander schuhe" find it.

Where it comes from: written by hand for this catalog (no external dictionary or word list was
copied): the product types of a general store's departments (clothing, shoes, bags, home,
kitchen, electronics, sport, garden, tools, toys, care, pets), the materials, and the words
German product names put in front of them (Regen-, Winter-, Kinder-, Damen-, ...).

The filter looks for every entry inside every word of at least 5 letters, anywhere, so an entry
must not hide in common unrelated words. Left out on purpose, with the word they hide in:
tisch (praktisch, elektrisch), rock (trocken), messer (Durchmesser), spiel (Beispiel), leine
(kleine), ring (gering), wasser (wasserdicht), auto (automatisch), hand (handlich), schreib
(Beschreibung), arbeit (verarbeitet), buch (Buchse), tier (sortiert), erde (werden), roller
(Controller), angel (Mangel), wolle (Baumwolle), stoff (Kunststoff), zeug (Fahrzeug), teller
(Hersteller), decke (entdecken), leiter (Begleiter), sitz (besitzt), schloss (geschlossen),
rolle (Kontrolle), liege (liegen), eisen (Reisen); and every word of fewer than 4 letters (Eis
in Preis, Rad in Radio, Hut in Schutz), which the filter's min_subword_size refuses anyway.
A part found inside a longer part found is dropped (only_longest_match), so a longer entry
shadows a shorter one where it hides: "handschuh" keeps "schuh" out of "Handschuhe", "schalt"
keeps "schal" out of "Schalter", "tablett" keeps "tablet" out of "Tabletten", "ballon" keeps
"ball" out of "Luftballon", "transport" keeps "sport" out of "Transporttasche", "regenerier"
keeps "regen" out of "regenerierend"; and a compound of two listed parts ("zahnbürste") is left
out, as it would hide both. Some overlap stays: "reise" is in "Preise", "wand" in "Leinwand".

To extend it: add the word lowercase, umlauts and ß as written, in the form its singular and
plural share ("schuh" for Schuh and Schuhe; "jacke" for Jacke and Jacken; an umlaut plural as
a word of its own: "mäntel"); check that it does not occur inside everyday words (search a
German text for it); add a case to tests/search/test_languages.py; then bump
search.index.MAPPING_VERSION so `search_index create` rebuilds the index.
"""

GERMAN_COMPOUND_PARTS: tuple[str, ...] = (
    # clothing
    "jacke", "weste", "mantel", "mäntel", "parka", "blazer", "sakko", "anzug", "hose", "jeans", "shorts",
    "hemd", "bluse", "kleid", "kleidung", "pullover", "pulli", "shirt", "hoodie", "cardigan", "strickjacke",
    "krawatte", "gürtel", "schal", "mütze", "kappe", "socke", "strumpf", "wäsche", "unterwäsche", "bikini",
    "pyjama", "overall", "poncho", "tunika", "handschuh", "tuch", "tücher",
    # shoes
    "schuh", "stiefel", "sandale", "pantoffel", "sneaker", "slipper", "pumps", "ballerina", "clog", "sohle",
    "schnürsenkel", "absatz",
    # bags, jewellery
    "tasche", "rucksack", "koffer", "trolley", "beutel", "geldbörse", "börse", "portemonnaie", "etui",
    "mappe", "ranzen", "armband", "kette", "ohrring", "brille", "schirm",
    # home
    "lampe", "leuchte", "licht", "kerze", "duft", "spiegel", "teppich", "vorhang", "gardine", "kissen",
    "bezug", "laken", "bett", "sofa", "couch", "sessel", "stuhl", "stühle", "hocker", "bank", "regal",
    "schrank", "schränke", "kommode", "garderobe", "ständer", "bügel", "schreibtisch", "couchtisch",
    "nachttisch", "esstisch", "matratze", "vase", "rahmen", "wecker", "korb", "körbe", "kiste", "dose",
    "steckdose", "fenster", "haken", "schwamm",
    # kitchen
    "topf", "töpfe", "pfanne", "kanne", "tasse", "becher", "glas", "gläser", "schüssel", "schale",
    "besteck", "gabel", "löffel", "brett", "brot", "toaster", "kocher", "maschine", "kaffee", "flasche",
    "deckel", "ofen", "grill", "kühlschrank", "mixer", "waage", "küche", "tablett",
    # electronics, household appliances
    "kabel", "gerät", "ladegerät", "akku", "batterie", "stecker", "adapter", "netzteil", "hörer",
    "lautsprecher", "mikrofon", "kamera", "objektiv", "stativ", "tastatur", "maus", "monitor", "bildschirm",
    "drucker", "patrone", "speicher", "karte", "handy", "telefon", "tablet", "laptop", "notebook",
    "computer", "konsole", "controller", "hülle", "schutz", "station", "birne", "fernseher", "radio",
    "sauger", "staubsauger", "roboter", "föhn", "trockner", "rasierer", "bürste", "thermometer",
    "ventilator", "lüfter", "heizung", "router", "platte", "festplatte", "schalt", "schall",
    # sport, outdoor
    "ball", "ballon", "helm", "schläger", "netz", "zelt", "sack", "matte", "hantel", "trikot", "schlitten",
    "stock", "stöcke", "fahrrad", "skateboard",
    # tools, garden
    "werkzeug", "hammer", "zange", "säge", "schere", "feile", "nagel", "pinsel", "farbe", "kleber",
    "bohrer", "bohr", "schraub", "schrauber", "schlauch", "pflanze", "blume", "rasen", "mäher", "schaufel",
    "spaten", "eimer", "besen", "nadel",
    # toys, baby
    "spielzeug", "puppe", "teddy", "kuscheltier", "wagen", "schnuller", "windel", "rassel", "baustein",
    "stein",
    # pets
    "futter", "napf", "hunde", "katze", "vogel", "käfig", "kratzbaum", "baum", "haustier",
    # care, bathroom
    "creme", "seife", "shampoo", "parfum", "stift", "dusch", "wanne", "handtuch",
    # materials
    "leder", "holz", "metall", "stahl", "edelstahl", "baumwoll", "merino", "fleece", "daune", "filz",
    "kork", "bambus", "keramik", "porzellan", "kristall", "seide", "silber", "gold", "perle", "kunststoff",
    # first parts (Regenjacke, Kinderwagen)
    "regen", "winter", "sommer", "wander", "lauf", "sport", "kinder", "damen", "herren", "baby", "outdoor",
    "garten", "reise", "strand", "berg", "camping", "trekking", "fitness", "yoga", "haus", "schlaf", "bade",
    "nacht", "sonne", "wand", "boden", "kopf", "hals", "zahn", "haar",
    # longer entries that shadow a part hiding in them (see above)
    "transport", "regenerier",
)  # fmt: skip
