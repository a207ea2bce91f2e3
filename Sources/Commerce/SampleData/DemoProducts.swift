/// The catalogue of the demo store: a small outdoor shop that sells coffee for the trail,
/// camp kitchen gear and field notebooks. Prices are in cents of a two-decimal currency.
let demoProducts: [ProductInput] = [
    // Coffee
    ProductInput(
        title: "Ridgeline Morning Roast, 340 g",
        description: "A medium roast from Huila, Colombia, with notes of milk chocolate, red apple and cane sugar. Roasted on Mondays and shipped within the week. Whole bean.",
        price: 1650, sku: "COF-RDG-340", stock: 84
    ),
    ProductInput(
        title: "Basecamp Dark Roast, 340 g",
        description: "A heavy-bodied blend of Brazilian and Sumatran coffees for strong camp coffee. Tastes of cocoa, molasses and cedar, and stands up to milk. Whole bean.",
        price: 1550, sku: "COF-BSC-340", stock: 120
    ),
    ProductInput(
        title: "Alpine Decaf, 340 g",
        description: "Water-processed decaf from the Sidama region of Ethiopia. Bright, with bergamot and honey, so an evening cup by the fire still tastes like coffee. Whole bean.",
        price: 1750, sku: "COF-ALP-340", stock: 36
    ),
    ProductInput(
        title: "Summit Espresso Blend, 1 kg",
        description: "Our espresso blend in a bag that lasts a month of mornings: caramel sweetness, low acidity and a thick crema. Best rested ten days after the roast date.",
        price: 3900, compareAtPrice: 4400, sku: "COF-SUM-1000", stock: 18
    ),
    ProductInput(
        title: "Trail Instant Coffee, 12 sachets",
        description: "Freeze-dried specialty coffee that dissolves in hot or cold water in seconds. Each sachet makes one 250 ml cup and weighs 3 g, for fast-and-light trips.",
        price: 1400, sku: "COF-INS-12", stock: 210
    ),
    ProductInput(
        title: "Cold Brew Packs, set of 4",
        description: "Coarse-ground coffee in compostable filter bags. Steep one pack in a litre of cold water overnight for a smooth concentrate, at home or in a lake-cooled bottle.",
        price: 1200, sku: "COF-CLD-4", stock: 0
    ),

    // Brewing and camp kitchen
    ProductInput(
        title: "Collapsible Pour-Over Dripper",
        description: "A silicone cone that folds flat to 2 cm and fits size 2 paper filters. Stands on mugs from 7 to 10 cm across and takes boiling water without any taste.",
        price: 2200, sku: "BRW-DRP-01", stock: 48
    ),
    ProductInput(
        title: "Hand Grinder with Steel Burrs",
        description: "A 38 mm conical steel burr grinder with 30 click settings, from espresso to cold brew. Grinds 20 g for a pour-over in under a minute and weighs 390 g.",
        price: 8900, compareAtPrice: 9900, sku: "BRW-GRN-38", stock: 12
    ),
    ProductInput(
        title: "Titanium Camp Mug, 450 ml",
        description: "A single-wall titanium mug that goes straight onto a stove, with folding handles and volume marks inside. 72 g, and it nests over a 100 g gas canister.",
        price: 3400, sku: "KIT-MUG-TI450", stock: 40
    ),
    ProductInput(
        title: "Enamel Mug, Forest Green",
        description: "A classic enamel steel mug with a rolled rim and a speckled finish. Holds 350 ml, survives the campfire and the dishwasher, and chips gracefully.",
        price: 1800, sku: "KIT-MUG-ENG", stock: 65
    ),
    ProductInput(
        title: "Insulated Bottle, 750 ml",
        description: "A double-wall stainless steel bottle that keeps coffee hot for 12 hours and water cold for 24. Leak-proof lid with a carry loop; fits most bike bottle cages.",
        price: 3800, sku: "KIT-BTL-750", stock: 27
    ),
    ProductInput(
        title: "Gooseneck Camp Kettle, 0.8 l",
        description: "An aluminium kettle with a gooseneck spout for a slow, even pour-over. Folding handle, a lid that stays put, and a base sized for small gas stoves.",
        price: 4500, sku: "KIT-KTL-08", stock: 9
    ),
    ProductInput(
        title: "Beeswax Food Wraps, Set of 3",
        description: "Cotton wraps coated in beeswax, pine resin and jojoba oil, in small, medium and large. They fold around sandwiches and cheese on the trail and wash in cool water.",
        price: 1900, sku: "KIT-WRP-3", stock: 61
    ),

    // Camp gear
    ProductInput(
        title: "Merino Beanie",
        description: "A rib-knit beanie in 100% merino wool that keeps you warm at dawn and doesn't itch. One size, with a fold-up cuff; charcoal grey.",
        price: 3200, sku: "GEA-BNE-MER", stock: 30
    ),
    ProductInput(
        title: "Packable Down Vest",
        description: "A 650-fill-power down vest that packs into its own pocket. Water-resistant shell, two zipped hand pockets, and 240 g in size M. Sizes S to XL.",
        price: 12900, compareAtPrice: 14900, sku: "GEA-VST-DWN", stock: 14
    ),
    ProductInput(
        title: "Headlamp, 400 Lumens",
        description: "A rechargeable headlamp with white and red light, a lock mode for the pack, and up to 40 hours on the low setting. Charges over USB-C in three hours.",
        price: 4200, sku: "GEA-HLP-400", stock: 22
    ),
    ProductInput(
        title: "Folding Camp Stool",
        description: "An aluminium-frame tripod stool that folds to the size of a water bottle and holds 110 kg. Seat height 45 cm; comes with a carry strap.",
        price: 2900, sku: "GEA-STL-01", stock: 0
    ),
    ProductInput(
        title: "Waxed Canvas Tote",
        description: "A heavy waxed cotton tote with leather handles and an inside pocket. It sheds rain, carries a week of groceries, and gets better with every crease.",
        price: 5400, sku: "GEA-TOT-WAX", stock: 19
    ),
    ProductInput(
        title: "Wool Camp Blanket",
        description: "A 150 × 200 cm blanket woven from recycled wool in a red and cream check, warm even when damp. For cold evenings, car trips and picnic tables.",
        price: 9800, sku: "GEA-BLK-WOL", stock: 7
    ),

    // Stationery
    ProductInput(
        title: "Field Notebook, 3-Pack",
        description: "Three pocket notebooks of 48 pages each, with a grid ruling and stitched spines. The covers take rain and pencil; 9 × 14 cm.",
        price: 1300, sku: "STA-NTB-3", stock: 150
    ),
    ProductInput(
        title: "Waterproof Trail Journal",
        description: "An A5 journal of 80 sheets of stone paper that you can write on in the rain with pencil or ballpoint. Dotted pages, a lay-flat binding and an elastic band.",
        price: 2400, sku: "STA-JRN-WP", stock: 44
    ),
    ProductInput(
        title: "Brass Bolt-Action Pen",
        description: "A solid brass pen that ages to a warm patina. Takes standard G2 gel refills and ships with a black 0.7 mm one.",
        price: 4600, sku: "STA-PEN-BRS", stock: 25
    ),
    ProductInput(
        title: "Pencil Set with Sharpener",
        description: "Six cedar pencils in grades from 2H to 4B and a magnesium sharpener in a tin case. For sketching a view or keeping a trip log.",
        price: 1600, sku: "STA-PCL-6", stock: 58
    ),
    ProductInput(
        title: "Topographic Map Postcards",
        description: "Twelve postcards printed with contour maps of famous peaks, on heavy recycled card. Blank backs with a stamp box, for writing home from the hut.",
        price: 1100, sku: "STA-PCD-12", stock: 73
    ),
]
