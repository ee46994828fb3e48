"""Word lists for believable names (hand-written; no extra dependency needed)."""

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Elijah Sophia Lucas Mia Mateo Amelia Levi Harper Ezra Evelyn "
    "Kai Aria Leo Luna Hudson Chloe Nora Ivy Omar Priya Arjun Mei Hiro Yuki Sofia Diego Lena "
    "Jonas Aisha Tariq Zara Ines Marco Elena Kofi Amara Nia Sven Freya Ravi Ana Tomas Lila"
).split()
LAST_NAMES = (
    "Smith Johnson Garcia Brown Miller Davis Lopez Wilson Anderson Thomas Moore Martin Lee "
    "Clark Lewis Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris "
    "Nguyen Kim Patel Tanaka Rossi Muller Silva Haddad Okafor Larsen Novak"
).split()
CITIES = (
    ("Portland", "OR", "972"),
    ("Austin", "TX", "787"),
    ("Denver", "CO", "802"),
    ("Chicago", "IL", "606"),
    ("Boston", "MA", "021"),
    ("Seattle", "WA", "981"),
    ("Atlanta", "GA", "303"),
    ("Phoenix", "AZ", "850"),
    ("Madison", "WI", "537"),
    ("Raleigh", "NC", "276"),
    ("Columbus", "OH", "432"),
    ("Nashville", "TN", "372"),
)
STREETS = (
    "Oak St Maple Ave Pine Rd Cedar Ln Elm St Lake Dr Hill Rd Park Ave River Rd Main St "
    "Sunset Blvd Mill Rd Church St Spring St"
).split(" ")
STREETS = [" ".join(STREETS[i : i + 2]) for i in range(0, len(STREETS) - 1, 2)]
SHOP_WORDS = (
    "Harbor Maple Copper Summit Willow Atlas Cedar Nimbus Ember Meadow Orbit Pebble Lumen "
    "Juniper Granite Coral Beacon Aspen Tidal Fable Quill Saffron Birch Cobalt Velvet"
).split()
SHOP_KINDS = ("Goods", "Outfitters", "Supply", "Home", "Studio", "Works", "Market", "Co.")
ADJECTIVES = (
    "Classic Everyday Compact Premium Organic Recycled Lightweight Waterproof Vintage Modern "
    "Cozy Rugged Slim Deluxe Essential Handmade"
).split()
CATEGORY_TREE = {
    "Electronics": ("Headphones", "Chargers", "Smart Home", "Cameras"),
    "Home & Kitchen": ("Cookware", "Bedding", "Lighting", "Storage"),
    "Fashion": ("Jackets", "Shoes", "Bags", "Accessories"),
    "Sports & Outdoors": ("Camping", "Cycling", "Fitness", "Running"),
    "Beauty": ("Skincare", "Hair Care", "Fragrance"),
    "Toys & Games": ("Board Games", "Puzzles", "Building Sets"),
    "Books & Stationery": ("Notebooks", "Pens", "Planners"),
    "Pets": ("Dog Supplies", "Cat Supplies", "Aquarium"),
}
PRODUCT_NOUNS = {
    "Headphones": ("Wireless Earbuds", "Studio Headphones", "Sport Earphones"),
    "Chargers": ("USB-C Charger", "Power Bank", "Charging Dock"),
    "Smart Home": ("Smart Plug", "Motion Sensor", "Video Doorbell"),
    "Cameras": ("Action Camera", "Webcam", "Camera Strap"),
    "Cookware": ("Cast Iron Skillet", "Saucepan Set", "Dutch Oven"),
    "Bedding": ("Linen Duvet Cover", "Cotton Sheet Set", "Wool Blanket"),
    "Lighting": ("Desk Lamp", "String Lights", "Floor Lamp"),
    "Storage": ("Storage Bins", "Shoe Rack", "Pantry Jars"),
    "Jackets": ("Rain Jacket", "Down Parka", "Denim Jacket"),
    "Shoes": ("Trail Sneakers", "Leather Boots", "Canvas Shoes"),
    "Bags": ("Backpack", "Tote Bag", "Duffel Bag"),
    "Accessories": ("Wool Scarf", "Leather Belt", "Sunglasses"),
    "Camping": ("Two-Person Tent", "Sleeping Bag", "Camp Stove"),
    "Cycling": ("Bike Helmet", "Bike Light Set", "Cycling Gloves"),
    "Fitness": ("Yoga Mat", "Kettlebell", "Resistance Bands"),
    "Running": ("Running Vest", "Running Socks", "Hydration Belt"),
    "Skincare": ("Face Serum", "Moisturizer", "Sunscreen SPF 50"),
    "Hair Care": ("Argan Shampoo", "Hair Dryer", "Wide Tooth Comb"),
    "Fragrance": ("Eau de Parfum", "Scented Candle", "Body Mist"),
    "Board Games": ("Strategy Board Game", "Party Card Game", "Chess Set"),
    "Puzzles": ("1000-Piece Puzzle", "Puzzle Cube", "Wooden Puzzle"),
    "Building Sets": ("Brick Building Set", "Magnetic Tiles", "Robot Kit"),
    "Notebooks": ("Dotted Notebook", "Sketchbook", "Pocket Journal"),
    "Pens": ("Fountain Pen", "Gel Pen Set", "Brush Markers"),
    "Planners": ("Weekly Planner", "Desk Calendar", "Habit Tracker"),
    "Dog Supplies": ("Dog Leash", "Chew Toy", "Dog Bed"),
    "Cat Supplies": ("Cat Tree", "Scratching Post", "Cat Fountain"),
    "Aquarium": ("Aquarium Filter", "LED Tank Light", "Aquarium Heater"),
}
BRANDS = (
    "Northwind Acme Lumio Trailhead Kestrel Brightside Oakridge Polaris Verdant Halcyon "
    "Monarch Solstice Ironbark Bluefin Wildwood Zephyr Caliber Evergreen Nordhaven Starling"
).split()
COLORS = (
    ("black", "Black", "#111111"),
    ("white", "White", "#FFFFFF"),
    ("navy", "Navy", "#1F2A44"),
    ("red", "Red", "#C0392B"),
    ("green", "Olive", "#708238"),
    ("sand", "Sand", "#C2B280"),
)
SIZES = (("s", "S"), ("m", "M"), ("l", "L"), ("xl", "XL"))
# (code, name, tracking address, customer service phone: fictional 555 numbers)
CARRIERS = (
    ("ups", "UPS", "https://www.ups.com/track?tracknum={tracking_number}", "+1 800 555 0101"),
    (
        "fedex",
        "FedEx",
        "https://www.fedex.com/fedextrack/?trknbr={tracking_number}",
        "+1 800 555 0102",
    ),
    (
        "usps",
        "USPS",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking_number}",
        "+1 800 555 0103",
    ),
    ("dhl", "DHL", "https://www.dhl.com/track?tracking-id={tracking_number}", None),
)
# A carrier the mall stopped using: its older shipments keep it (code, name, template, days ago
# it was deactivated, why).
RETIRED_CARRIER = (
    "ontrac",
    "OnTrac",
    "https://www.ontrac.com/tracking/?number={tracking_number}",
    45,
    "Contract ended: new labels go to UPS and FedEx.",
)
REVIEW_LINES = {
    5: ("Exactly as described, love it.", "Great quality, would buy again.", "Five stars."),
    4: ("Very good, small quirks.", "Solid purchase for the price.", "Happy with it."),
    3: ("It's okay.", "Average quality, slow delivery.", "Does the job."),
    2: ("Not what I expected.", "Started to wear out quickly.", "Meh."),
    1: ("Broke after a week.", "Arrived damaged.", "Would not recommend."),
}
