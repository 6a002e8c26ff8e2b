"""Demo content for Cyrus Magazine: written for this project, not copied from anywhere.

Each article's ``blocks`` are ("p", text), ("h2", text) or ("quote", text); ``takeaways_at``
is how many blocks come before the Key Takeaways box.
"""

SECTIONS = [
    {
        "name": "Tech",
        "slug": "tech",
        "colour": "blue",
        "order": 1,
        "description": "How software, chips and networks are changing work and power.",
    },
    {
        "name": "Science",
        "slug": "science",
        "colour": "teal",
        "order": 2,
        "description": "Discoveries, the people behind them, and what they mean.",
    },
    {
        "name": "Business",
        "slug": "business",
        "colour": "orange",
        "order": 3,
        "description": "Companies, markets and the economy that shapes everyday life.",
    },
    {
        "name": "Culture",
        "slug": "culture",
        "colour": "purple",
        "order": 4,
        "description": "Books, film, music and the ideas that travel with them.",
    },
    {
        "name": "World",
        "slug": "world",
        "colour": "green",
        "order": 5,
        "description": "Politics and society, from city halls to summits.",
    },
]

AUTHORS = [
    {
        "name": "Amara Okonkwo",
        "slug": "amara-okonkwo",
        "role": "Technology editor",
        "bio": "Amara covers the chip industry and the people who write the world's software.",
    },
    {
        "name": "Jonas Lindqvist",
        "slug": "jonas-lindqvist",
        "role": "Science correspondent",
        "bio": "Jonas trained as a physicist before swapping the lab bench for the notebook.",
    },
    {
        "name": "Inès Moreau",
        "slug": "ines-moreau",
        "role": "Business writer",
        "bio": "Inès writes about small firms, big markets and the space between them.",
    },
    {
        "name": "Rafael Souza",
        "slug": "rafael-souza",
        "role": "Culture critic",
        "bio": "Rafael reviews books and films, and occasionally defends opera.",
    },
    {
        "name": "Hana Kobayashi",
        "slug": "hana-kobayashi",
        "role": "World affairs reporter",
        "bio": "Hana reports on cities, elections and the institutions that hold them together.",
    },
    {
        "name": "Siobhán Ní Bhriain",
        "slug": "siobhan-ni-bhriain",
        "role": "Contributing writer",
        "bio": "Siobhán writes about climate, energy and the long view.",
    },
]

ARTICLES = [
    {
        "slug": "the-quiet-return-of-the-repair-shop",
        "title": "The Quiet Return of the Repair Shop",
        "standfirst": "Right-to-repair laws are bringing back a trade many thought had vanished, "
        "and with it a different idea of what we own.",
        "section": "tech",
        "authors": ["amara-okonkwo"],
        "type": "reporting",
        "days_ago": 0,
        "hero_alt": "A workbench with an opened phone, tweezers and a soldering iron",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((32, 58, 96), (214, 140, 69)),
        "blocks": [
            (
                "p",
                "On a narrow street behind the station, Petra Vidal runs a shop that "
                "would have looked old-fashioned five years ago. Phones, laptops and the "
                "occasional coffee grinder arrive in paper bags; most leave working again "
                "within a week.",
            ),
            ("h2", "A law with screws in it"),
            (
                "p",
                "New rules oblige manufacturers to sell spare parts and publish repair "
                "manuals for a decade after a product leaves the shelves. The effect on "
                "independent repairers has been swift: parts that once had to be salvaged "
                "from broken devices now arrive in sealed bags with part numbers.",
            ),
            ("quote", "Owning something used to mean you were allowed to open it."),
            (
                "p",
                "Manufacturers argue that tamper-proof designs keep devices safe and "
                "water-tight. Repairers answer that a battery held in by glue is a design "
                "choice, not a law of physics. Both are partly right, and the compromise "
                "written into the law reflects that.",
            ),
            (
                "p",
                "What is clear is that the trade is growing again. Vidal has taken on "
                "two apprentices this year, and she is not the only one.",
            ),
        ],
        "takeaways_at": 5,
        "takeaways": [
            "Right-to-repair rules require spare parts and manuals for ten years.",
            "Independent repair shops are hiring again.",
            "The debate over glued-in batteries is about design choices, not safety alone.",
        ],
        "sources": [{"name": "Cyrus Magazine", "relation": "original reporting"}],
    },
    {
        "slug": "what-the-deep-sea-microbes-know",
        "title": "What the Deep-Sea Microbes Know",
        "standfirst": "Bacteria living on hydrothermal vents have survived for billions of "
        "years on almost nothing. Biologists want to learn their tricks.",
        "section": "science",
        "authors": ["jonas-lindqvist"],
        "type": "analysis",
        "days_ago": 1,
        "hero_alt": "Abstract shapes in blue and green suggesting a deep ocean vent",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((8, 40, 70), (40, 170, 150)),
        "blocks": [
            (
                "p",
                "Two kilometres below the surface of the Pacific, where sunlight never "
                "reaches, chimneys of mineral crust pour out water hot enough to melt lead. "
                "Around them, life thrives.",
            ),
            ("h2", "Energy without the sun"),
            (
                "p",
                "The microbes that colonise these vents draw energy from chemistry "
                "rather than light, oxidising hydrogen sulphide that seeps from the crust. "
                "A new study maps the enzymes they use, some of which work at temperatures "
                "that would wreck the proteins in our own cells.",
            ),
            (
                "quote",
                "These organisms are a library of solutions to problems we have "
                "barely started to ask.",
            ),
            (
                "p",
                "Industrial chemists are paying attention. Enzymes that stay stable in "
                "heat could make processes from brewing to recycling plastics cheaper and "
                "cleaner. The path from a sample jar to a factory, however, is long.",
            ),
        ],
        "takeaways_at": 4,
        "takeaways": [
            "Vent microbes live on chemical energy, not sunlight.",
            "Their heat-stable enzymes interest industrial chemists.",
        ],
        "sources": [
            {
                "name": "Nature Microbiology",
                "relation": "peer-reviewed study",
                "url": "https://www.nature.com/nmicrobiol/",
            }
        ],
    },
    {
        "slug": "the-four-day-week-after-the-trial",
        "title": "The Four-Day Week, After the Trial",
        "standfirst": "Two years after a famous experiment, most of the companies kept the "
        "shorter week. The reasons are more interesting than the headlines.",
        "section": "business",
        "authors": ["ines-moreau", "hana-kobayashi"],
        "type": "analysis",
        "days_ago": 2,
        "hero_alt": "An empty office desk with a calendar showing a long weekend",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((90, 40, 60), (240, 200, 120)),
        "blocks": [
            (
                "p",
                "When sixty firms agreed to cut their working week to four days without "
                "cutting pay, sceptics predicted chaos. Two years on, more than "
                "three-quarters still work that way.",
            ),
            ("h2", "Meetings were the first casualty"),
            (
                "p",
                "Managers describe the same pattern: the fifth day was not lost so much "
                "as squeezed out of the other four. Standing meetings shrank, reports got "
                "shorter, and the afternoon slump became something teams planned around.",
            ),
            (
                "p",
                "Not every firm stayed. Those that returned to five days were mostly in "
                "customer service, where hours are hard to compress.",
            ),
            ("quote", "We did not find a spare day. We found a lot of wasted hours."),
            (
                "p",
                "The lesson may be less about the number of days than about what "
                "happens when a company is forced to ask which work matters.",
            ),
        ],
        "takeaways_at": None,
        "takeaways": [
            "Most trial companies kept the four-day week.",
            "Savings came from fewer and shorter meetings.",
            "Customer-service firms found it hardest.",
        ],
        "sources": [
            {"name": "Autonomy Institute", "relation": "original research"},
            {"name": "Reuters", "relation": "wire reporting"},
        ],
    },
    {
        "slug": "a-novel-written-in-the-margins",
        "title": "A Novel Written in the Margins",
        "standfirst": "A debut told entirely through a library book's annotations is the "
        "most surprising novel of the season.",
        "section": "culture",
        "authors": ["rafael-souza"],
        "type": "review",
        "days_ago": 3,
        "hero_alt": "An open book with handwritten notes crowding its margins",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((120, 80, 40), (245, 230, 200)),
        "blocks": [
            (
                "p",
                "The conceit sounds like a gimmick: a novel made only of the notes "
                "three strangers leave in the same library copy of a forgotten travel "
                "guide. Within twenty pages it becomes something else entirely.",
            ),
            ("h2", "Three hands, one book"),
            (
                "p",
                "A retired engineer corrects the guide's distances. A student argues "
                "with him. A third reader, who never signs, begins to answer both. The "
                "book's “plot” is the slow discovery of who she is.",
            ),
            ("quote", "It is a love letter to the idea that a book can be a meeting place."),
            (
                "p",
                "Not everything works. The final chapter strains for a twist the book "
                "does not need. But it is hard to think of a recent debut with more "
                "warmth, or more faith in readers.",
            ),
        ],
        "takeaways_at": None,
        "takeaways": [],
        "sources": [],
    },
    {
        "slug": "the-city-that-voted-to-shrink",
        "title": "The City That Voted to Shrink",
        "standfirst": "Facing a falling population, one mid-sized city chose to plan for "
        "fewer people instead of chasing growth.",
        "section": "world",
        "authors": ["hana-kobayashi"],
        "type": "reporting",
        "days_ago": 4,
        "hero_alt": "Rows of houses with green parkland replacing some of the streets",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((50, 80, 50), (200, 220, 160)),
        "blocks": [
            (
                "p",
                "For thirty years the council tried everything to bring people back: "
                "tax breaks, a stadium, a new bypass. The population kept falling. Last "
                "spring, voters approved a plan that accepts it.",
            ),
            ("h2", "Fewer streets, better ones"),
            (
                "p",
                "The plan concentrates services in a smaller core, turns empty blocks "
                "into parks and allotments, and stops maintaining roads that serve a "
                "handful of houses. Residents on those streets are offered help to move.",
            ),
            (
                "p",
                "It has not been painless. Some families have lived in the outer "
                "districts for generations, and the offer to move feels to them like an "
                "eviction dressed as a favour.",
            ),
            ("quote", "Growth was a promise we kept making and never kept."),
            (
                "p",
                "Other cities are watching. If the plan works, it may become a model "
                "for places that will never be big again, and no longer want to pretend.",
            ),
        ],
        "takeaways_at": 4,
        "takeaways": [
            "Voters approved planning for a smaller population.",
            "Services will concentrate in a compact core.",
            "Some long-time residents feel pushed out.",
        ],
        "sources": [{"name": "Cyrus Magazine", "relation": "original reporting"}],
    },
    {
        "slug": "why-batteries-are-getting-boring",
        "title": "Why Batteries Are Getting Boring",
        "standfirst": "The most important energy technology of the decade is maturing, and "
        "that is excellent news.",
        "section": "science",
        "authors": ["siobhan-ni-bhriain", "jonas-lindqvist"],
        "type": "commentary",
        "days_ago": 5,
        "hero_alt": "Stacked battery cells drawn as simple coloured blocks",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((30, 30, 30), (120, 200, 90)),
        "blocks": [
            (
                "p",
                "Every few months a laboratory announces a battery that charges in "
                "seconds or lasts for weeks. Few of them reach a shop. Meanwhile the humble "
                "lithium iron phosphate cell has quietly become cheap, safe and everywhere.",
            ),
            ("h2", "Incremental is the point"),
            (
                "p",
                "Costs have fallen by about nine-tenths in fifteen years, mostly through "
                "unglamorous improvements in manufacturing. That is how mature technologies "
                "behave, and it is why grid storage is finally being built at scale.",
            ),
            ("quote", "The breakthrough was not a new chemistry. It was a better factory."),
            (
                "p",
                "Breakthroughs will still matter, especially for aircraft and heavy "
                "lorries. But for homes and grids, boring is exactly what we need.",
            ),
        ],
        "takeaways_at": 4,
        "takeaways": ["Battery costs fell by about ninety per cent in fifteen years."],
        "sources": [{"name": "BloombergNEF", "relation": "market data"}],
    },
    {
        "slug": "the-open-source-maintainers-strike",
        "title": "The Open-Source Maintainers’ Strike That Wasn’t",
        "standfirst": "Volunteer developers threatened to stop fixing software the world "
        "depends on. What happened next says a lot about who pays for the internet.",
        "section": "tech",
        "authors": ["amara-okonkwo", "ines-moreau", "rafael-souza"],
        "type": "analysis",
        "days_ago": 6,
        "hero_alt": "A tangle of network lines converging on a single small node",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((20, 20, 60), (230, 90, 80)),
        "blocks": [
            (
                "p",
                "The announcement was polite and short: unless companies that relied on "
                "their library contributed to its upkeep, the maintainers would stop "
                "shipping security fixes at the end of the quarter.",
            ),
            ("h2", "The money arrived, slowly"),
            (
                "p",
                "Within weeks, a handful of large firms pledged funding. Smaller ones, "
                "which together used the library far more, mostly did not. The maintainers "
                "kept working, and the deadline passed without drama.",
            ),
            (
                "quote",
                "Everyone agreed the work mattered. Very few agreed it was theirs to pay for.",
            ),
            (
                "p",
                "Foundations and governments have begun to fund such work directly. It "
                "is a start, though it covers a small share of the code that keeps the "
                "internet running.",
            ),
        ],
        "takeaways_at": 4,
        "takeaways": [
            "A few large firms funded the maintainers; most users did not.",
            "Public funding for open-source upkeep is growing but small.",
        ],
        "sources": [{"name": "Cyrus Magazine", "relation": "original reporting"}],
    },
    {
        "slug": "the-bakery-that-opened-its-books",
        "title": "The Bakery That Opened Its Books",
        "standfirst": "A chain of bakeries publishes every cost behind a loaf. Customers "
        "have responded in unexpected ways.",
        "section": "business",
        "authors": ["ines-moreau"],
        "type": "reporting",
        "days_ago": 8,
        "hero_alt": "Loaves of bread on a wooden board with a price chart behind them",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((140, 90, 40), (250, 220, 170)),
        "blocks": [
            (
                "p",
                "Next to the till in each of its twelve shops, a small chart breaks "
                "down the price of a sourdough loaf: flour, energy, wages, rent, and a "
                "narrow slice labelled profit.",
            ),
            ("h2", "Trust as a business model"),
            (
                "p",
                "Sales rose after the charts went up, and complaints about price rises "
                "fell. The owners think customers are more willing to pay when they can see "
                "where the money goes.",
            ),
            (
                "p",
                "Competitors are less convinced, pointing out that the approach works "
                "best when costs are simple and margins are defensible.",
            ),
        ],
        "takeaways_at": None,
        "takeaways": ["Publishing costs reduced complaints about price rises."],
        "sources": [],
    },
    {
        "slug": "restoring-a-silent-film-frame-by-frame",
        "title": "Restoring a Silent Film, Frame by Frame",
        "standfirst": "A century-old film thought lost has been rebuilt from three damaged "
        "prints scattered across two continents.",
        "section": "culture",
        "authors": ["rafael-souza", "siobhan-ni-bhriain"],
        "type": "reporting",
        "days_ago": 10,
        "hero_alt": "A strip of film with sprocket holes against a dark background",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((25, 25, 25), (200, 180, 140)),
        "blocks": [
            (
                "p",
                "For decades the film survived only as a title in a studio ledger. "
                "Then a collector's attic, a university archive and a cinema basement each "
                "turned up a reel.",
            ),
            ("h2", "Three prints, one film"),
            (
                "p",
                "None of the prints was complete, and each had been cut differently "
                "for its audience. Restorers compared them frame by frame to rebuild the "
                "director's version.",
            ),
            ("quote", "Every scratch told us which country a reel had travelled through."),
            ("p", "The restored film premieres next month with a newly written score."),
        ],
        "takeaways_at": 4,
        "takeaways": ["The restoration combines three incomplete prints."],
        "sources": [{"name": "National Film Archive", "relation": "restoration notes"}],
    },
    {
        "slug": "the-summit-that-agreed-on-water",
        "title": "The Summit That Agreed on Water",
        "standfirst": "Neighbouring countries signed a river-sharing treaty after twenty "
        "years of talks. The details matter more than the ceremony.",
        "section": "world",
        "authors": ["hana-kobayashi", "siobhan-ni-bhriain"],
        "type": "analysis",
        "days_ago": 12,
        "hero_alt": "A river winding through a dry valley, drawn in simple strokes",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((30, 70, 110), (230, 210, 150)),
        "blocks": [
            (
                "p",
                "The treaty divides the river's flow by season rather than by fixed "
                "volume, so that shortages in dry years are shared instead of landing on "
                "whoever is downstream.",
            ),
            ("h2", "Data as the foundation"),
            (
                "p",
                "A joint monitoring network, with gauges read by both sides, is the part "
                "negotiators are proudest of. Disputes will start from the same numbers.",
            ),
            ("quote", "You cannot share a river you cannot measure together."),
            (
                "p",
                "Whether the treaty survives a severe drought is the real test, and it "
                "may come sooner than anyone would like.",
            ),
        ],
        "takeaways_at": 4,
        "takeaways": [
            "Water is shared by season, not by fixed volume.",
            "A joint monitoring network underpins the deal.",
        ],
        "sources": [{"name": "Reuters", "relation": "wire reporting"}],
    },
    {
        "slug": "learning-to-forecast-the-sun",
        "title": "Learning to Forecast the Sun",
        "standfirst": "Solar storms can knock out satellites and power grids. Forecasters "
        "are getting better at seeing them coming.",
        "section": "science",
        "authors": ["jonas-lindqvist"],
        "type": "reporting",
        "days_ago": 14,
        "hero_alt": "A bright orange disc with looping arcs of plasma",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((60, 10, 10), (250, 170, 50)),
        "blocks": [
            (
                "p",
                "When a burst of charged particles leaves the sun, forecasters have "
                "between fifteen hours and three days to warn grid operators. Until "
                "recently, they often could not say how strong the storm would be.",
            ),
            ("h2", "A spacecraft in the right place"),
            (
                "p",
                "A new observatory parked between the Earth and the sun now measures "
                "each storm's magnetic orientation before it arrives, which decides how "
                "much damage it can do.",
            ),
            (
                "p",
                "The improvement is modest but real: fewer false alarms, and more "
                "trust when an alarm does sound.",
            ),
        ],
        "takeaways_at": 3,
        "takeaways": ["A new observatory measures storms before they reach Earth."],
        "sources": [{"name": "Space Weather Prediction Center", "relation": "official data"}],
    },
    {
        "slug": "in-praise-of-the-slow-website",
        "title": "In Praise of the Slow Website",
        "standfirst": "Not slow to load: slow to change. The case for sites that stay put.",
        "section": "tech",
        "authors": ["rafael-souza"],
        "type": "opinion",
        "days_ago": 16,
        "hero_alt": "A simple web page drawn in black lines on a cream background",
        "hero_credit": "Illustration: Cyrus Magazine",
        "palette": ((240, 235, 220), (30, 30, 30)),
        "blocks": [
            (
                "p",
                "Every redesign promises a fresher experience. Readers mostly want to "
                "find things where they left them.",
            ),
            ("h2", "Stability is a feature"),
            (
                "p",
                "The web's oldest pages are often its most reliable: plain text, working "
                "links, and no pop-ups asking for consent to things nobody wants.",
            ),
            ("quote", "The best interface is the one you have already learned."),
            ("p", "There is a case for sites that change slowly, and say so."),
        ],
        "takeaways_at": None,
        "takeaways": [],
        "sources": [],
    },
]

DRAFT = {
    "slug": "notes-towards-a-newsroom-style-guide",
    "title": "Notes Towards a Newsroom Style Guide",
    "standfirst": "Work in progress: how we write numbers, names and headlines.",
    "section": "culture",
    "authors": ["amara-okonkwo"],
    "type": "commentary",
    "status": "draft",
    "hero_alt": "",
    "hero_credit": "",
    "palette": ((80, 80, 80), (200, 200, 200)),
    "blocks": [("p", "A draft that readers must never see.")],
    "takeaways_at": None,
    "takeaways": [],
    "sources": [],
}

SCHEDULED = {
    "slug": "the-election-explainer",
    "title": "The Election Explainer",
    "standfirst": "Everything you need to know before polling day.",
    "section": "world",
    "authors": ["hana-kobayashi"],
    "type": "reporting",
    "status": "scheduled",
    "days_ahead": 7,
    "hero_alt": "A ballot box drawn in simple shapes",
    "hero_credit": "Illustration: Cyrus Magazine",
    "palette": ((20, 50, 90), (240, 240, 240)),
    "blocks": [("p", "Scheduled: readers see this only when its time comes.")],
    "takeaways_at": None,
    "takeaways": [],
    "sources": [],
}
