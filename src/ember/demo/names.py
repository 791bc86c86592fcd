"""Pools the demo data draws from: countries, people's names, companies, titles.

Everything here is invented for the demo; any likeness to a real company is
chance. Pools are tuples so that a seeded ``random.Random`` picks the same
items on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.vocabulary import DecisionRole


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    weight: int  # how many accounts come from here, relatively
    zones: tuple[tuple[str, int], ...]  # IANA zone and its share of accounts
    tld: str
    currency: str
    per_usd: float  # rough exchange rate, so amounts look local
    phone: str  # prefix; digits follow
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    company_suffixes: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US", 30,
        (("America/New_York", 40), ("America/Chicago", 25), ("America/Denver", 10),
         ("America/Los_Angeles", 25)),
        ".com", "USD", 1.0, "+1 ",
        ("James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
         "Daniel", "Emily", "Kevin", "Ashley", "Brian", "Megan", "Jason", "Rachel", "Tyler",
         "Lauren", "Marcus", "Keisha", "Carlos", "Sofia", "Ethan", "Olivia"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia",
         "Rodriguez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin",
         "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young"),
        ("Inc.", "LLC", "Corp.", "Group", ""),
    ),
    Country(
        "GB", 12, (("Europe/London", 1),), ".co.uk", "GBP", 0.79, "+44 ",
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Poppy", "Charlie",
         "Grace", "Thomas", "Freya", "Alfie", "Imogen", "Rhys", "Niamh", "Callum", "Hannah"),
        ("Smith", "Jones", "Taylor", "Evans", "Wright", "Walker", "Hughes", "Roberts",
         "Green", "Hall", "Wood", "Clarke", "Patel", "Turner", "Hill", "Ward", "Morgan",
         "Cooper"),
        ("Ltd", "plc", "Group", ""),
    ),
    Country(
        "DE", 10, (("Europe/Berlin", 1),), ".de", "EUR", 0.92, "+49 ",
        ("Lukas", "Anna", "Felix", "Lea", "Jonas", "Lena", "Maximilian", "Hannah", "Paul",
         "Sophie", "Leon", "Marie", "Tobias", "Katharina", "Stefan", "Julia", "Matthias",
         "Sabine"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Braun",
         "Zimmermann", "Krüger"),
        ("GmbH", "AG", "GmbH & Co. KG", "SE"),
    ),
    Country(
        "FR", 8, (("Europe/Paris", 1),), ".fr", "EUR", 0.92, "+33 ",
        ("Louis", "Camille", "Hugo", "Léa", "Jules", "Chloé", "Arthur", "Manon", "Lucas",
         "Inès", "Nathan", "Sarah", "Antoine", "Juliette", "Mathieu", "Claire"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garnier", "Rousseau"),
        ("SAS", "SA", "SARL", "Groupe"),
    ),
    Country(
        "NL", 6, (("Europe/Amsterdam", 1),), ".nl", "EUR", 0.92, "+31 ",
        ("Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Bram", "Tess", "Thijs", "Sanne",
         "Jesse", "Fleur", "Ruben", "Lotte", "Joost", "Anouk"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
         "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks"),
        ("B.V.", "N.V.", "Groep", ""),
    ),
    Country(
        "AU", 6,
        (("Australia/Sydney", 45), ("Australia/Melbourne", 35), ("Australia/Brisbane", 12),
         ("Australia/Perth", 8)),
        ".com.au", "AUD", 1.52, "+61 ",
        ("Jack", "Charlotte", "William", "Mia", "Noah", "Chloe", "Lachlan", "Zoe", "Cooper",
         "Ruby", "Riley", "Matilda", "Hamish", "Sienna", "Angus", "Isabella"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson",
         "Martin", "White", "Anderson", "Walker", "Thompson", "Kelly", "Ryan", "Campbell"),
        ("Pty Ltd", "Group", "Ltd", ""),
    ),
    Country(
        "CA", 6,
        (("America/Toronto", 55), ("America/Vancouver", 25), ("America/Edmonton", 12),
         ("America/Halifax", 8)),
        ".ca", "CAD", 1.36, "+1 ",
        ("Liam", "Olivia", "Benjamin", "Emma", "Lucas", "Charlotte", "Nathan", "Chloé",
         "Owen", "Maya", "Gabriel", "Ava", "Samuel", "Léa", "Logan", "Abigail"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "MacDonald",
         "Campbell", "Smith", "Brown", "Wilson", "Martin", "Lee", "Wong", "Singh", "Leblanc"),
        ("Inc.", "Ltd.", "Corp.", ""),
    ),
    Country(
        "IN", 8, (("Asia/Kolkata", 1),), ".in", "INR", 83.0, "+91 ",
        ("Aarav", "Ananya", "Vivaan", "Diya", "Aditya", "Isha", "Arjun", "Priya", "Rohan",
         "Kavya", "Karthik", "Sneha", "Rahul", "Meera", "Vikram", "Pooja"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Singh", "Kumar", "Menon",
         "Rao", "Joshi", "Mehta", "Chatterjee", "Desai", "Pillai", "Verma"),
        ("Pvt Ltd", "Ltd", "Technologies", "Solutions"),
    ),
    Country(
        "SG", 4, (("Asia/Singapore", 1),), ".com.sg", "SGD", 1.35, "+65 ",
        ("Wei Ling", "Jun Jie", "Hui Min", "Zhi Hao", "Mei Ling", "Kai Wen", "Siti",
         "Ravi", "Nurul", "Daniel", "Rachel", "Marcus", "Shu Fen", "Ming"),
        ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Chan", "Koh", "Teo",
         "Ang", "Rahman", "Pillai"),
        ("Pte Ltd", "Pte. Ltd.", "Holdings"),
    ),
    Country(
        "BR", 6, (("America/Sao_Paulo", 85), ("America/Manaus", 15)), ".com.br", "BRL", 5.0,
        "+55 ",
        ("João", "Maria", "Pedro", "Ana", "Lucas", "Juliana", "Gabriel", "Fernanda",
         "Rafael", "Camila", "Gustavo", "Beatriz", "Thiago", "Larissa", "Bruno", "Mariana"),
        ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
         "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Barbosa"),
        ("Ltda.", "S.A.", "Tecnologia", ""),
    ),
    Country(
        "SE", 3, (("Europe/Stockholm", 1),), ".se", "SEK", 10.5, "+46 ",
        ("Erik", "Elsa", "Lars", "Maja", "Oskar", "Astrid", "Nils", "Ebba", "Johan",
         "Linnea", "Anders", "Frida"),
        ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
         "Persson", "Svensson", "Lindberg", "Berg", "Lund"),
        ("AB", "Group", ""),
    ),
    Country(
        "JP", 3, (("Asia/Tokyo", 1),), ".co.jp", "JPY", 150.0, "+81 ",
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Sakura", "Kenji", "Yuki", "Takumi", "Mei",
         "Daiki", "Hina"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
         "Kobayashi", "Kato", "Yoshida", "Yamada"),
        ("K.K.", "Co., Ltd.", "Holdings"),
    ),
)

# Two-part company names ("Harbor" + "Logistics"): plenty of combinations, and
# the second word also tells us the industry.
NAME_ROOTS: tuple[str, ...] = (
    "Harbor", "Summit", "Bluewater", "Ironbridge", "Northgate", "Silverline", "Redwood",
    "Keystone", "Brightpath", "Clearview", "Evergreen", "Fairwind", "Granite", "Highland",
    "Lakeshore", "Meridian", "Oakridge", "Pinecrest", "Quarry", "Riverbend", "Stonefield",
    "Tidewater", "Westbrook", "Aurora", "Beacon", "Cobalt", "Driftwood", "Ember Lake",
    "Foxglove", "Goldcrest", "Hawthorn", "Juniper", "Kestrel", "Lumen", "Marlow", "Nimbus",
    "Orchard", "Palisade", "Quill", "Rosewood", "Saltmarsh", "Thornbury", "Upland", "Vantage",
    "Willow", "Yardley", "Zephyr", "Alder", "Birchwood", "Crescent", "Delta", "Elmstead",
    "Falcon", "Glacier", "Heron", "Ivory", "Jasper", "Kingsway", "Larkspur", "Mosaic",
    "Northwind", "Opal", "Pioneer", "Radiant", "Sable", "Trident", "Vertex", "Windmill",
)

INDUSTRIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Logistics", ("Logistics", "Freight", "Shipping", "Transport")),
    ("Manufacturing", ("Manufacturing", "Industries", "Components", "Fabrication")),
    ("Software", ("Software", "Labs", "Systems", "Digital")),
    ("Financial services", ("Capital", "Finance", "Partners", "Lending")),
    ("Healthcare", ("Health", "Care", "Medical", "Clinics")),
    ("Retail", ("Retail", "Stores", "Market", "Outfitters")),
    ("Professional services", ("Consulting", "Advisory", "Associates", "Services")),
    ("Energy", ("Energy", "Power", "Renewables", "Utilities")),
    ("Education", ("Learning", "Academy", "Education", "Institute")),
    ("Hospitality", ("Hotels", "Hospitality", "Resorts", "Dining")),
    ("Construction", ("Construction", "Builders", "Engineering", "Projects")),
    ("Insurance", ("Insurance", "Assurance", "Underwriters", "Mutual")),
)

# Employee counts, weighted toward the mid-market a team like ours sells to.
SIZE_BANDS: tuple[tuple[int, int, int], ...] = (
    (10, 50, 18), (51, 200, 32), (201, 1000, 30), (1001, 5000, 14), (5001, 40000, 6),
)

# Titles that fit each decision role, so a list of contacts reads right.
TITLES: dict[DecisionRole, tuple[str, ...]] = {
    DecisionRole.DECISION_MAKER: (
        "Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer",
        "VP of Sales", "VP of Operations", "Managing Director", "Head of Customer Success",
        "Chief Revenue Officer",
    ),
    DecisionRole.INFLUENCER: (
        "Director of IT", "Head of Procurement", "Director of Sales Operations",
        "Senior Manager, Revenue Operations", "Finance Director", "Head of Enablement",
    ),
    DecisionRole.INFO_GATHERER: (
        "Business Analyst", "Procurement Specialist", "Operations Coordinator",
        "Junior Analyst, Strategy", "IT Project Coordinator",
    ),
    DecisionRole.END_USER: (
        "Account Executive", "Sales Development Representative", "Customer Support Lead",
        "Inside Sales Representative", "Onboarding Specialist",
    ),
    DecisionRole.CHAMPION: (
        "Sales Operations Manager", "Revenue Operations Lead", "Team Lead, Inside Sales",
        "Customer Success Manager",
    ),
    DecisionRole.UNKNOWN: (
        "Manager", "Consultant", "Project Manager", "Office Manager", "Specialist",
    ),
}

# Why we believe someone has the role (what a rep would jot down).
ROLE_EVIDENCE: dict[DecisionRole, tuple[str, ...]] = {
    DecisionRole.DECISION_MAKER: (
        "Said the budget line for this sits with her and she signs anything under 100k.",
        "Told us he makes the final call once the team has tested it.",
        "Owns the target we would help with; procurement waits for his go-ahead.",
        "Asked for the contract terms directly and said the board trusts her choice.",
    ),
    DecisionRole.INFLUENCER: (
        "The decision maker asked for his view before any next step.",
        "Runs the evaluation; her recommendation carries a lot of weight.",
        "Security review goes through him; can slow a deal down or speed it up.",
    ),
    DecisionRole.INFO_GATHERER: (
        "Was asked to collect three vendors' pricing; cannot commit to anything.",
        "Said he is 'just doing research for my boss' and will pass things on.",
        "Building a comparison sheet for the head of operations.",
    ),
    DecisionRole.END_USER: (
        "Would use the product daily; cares about speed, not price.",
        "Part of the team that would work in it; no say over budget.",
    ),
    DecisionRole.CHAMPION: (
        "Wants this to happen and offered to set up the meeting with the CFO.",
        "Keeps pushing it internally; shared our proposal with two directors.",
        "Told us exactly who else needs to agree and how to win them over.",
    ),
    DecisionRole.UNKNOWN: ("",),
}

PRODUCTS: tuple[tuple[str, int, int], ...] = (
    # name, typical amount in USD from .. to
    ("Harborlight Core", 12_000, 60_000),
    ("Harborlight Enterprise", 60_000, 240_000),
    ("Analytics add-on", 8_000, 30_000),
    ("Onboarding services", 5_000, 25_000),
    ("Integration pack", 6_000, 20_000),
)

WON_REASONS: tuple[str, ...] = (
    "Cut their onboarding time in the pilot; the CFO signed after seeing the numbers.",
    "Champion carried it internally; we answered every security question within a day.",
    "Beat the incumbent on time to value; referral from a customer in the same industry.",
    "Solved the reporting problem they had raised on the first call.",
    "Price agreed after a two-year term; implementation starts next month.",
    "Their team loved the trial; the VP saw adoption numbers and approved.",
)

LOST_REASONS: tuple[str, ...] = (
    "Went with a competitor that was already in their stack.",
    "No budget this year; asked us to come back after their planning cycle.",
    "Went silent after the proposal; five follow-ups without an answer.",
    "The decision maker was never involved; the evaluation stalled.",
    "Said no: building it in-house with their own engineers.",
    "Price too high for the seats they needed.",
    "Project cancelled after a reorganisation.",
    "Timing: a merger froze all new purchases.",
)

NURTURE_NOTES: tuple[str, ...] = (
    "Said no for now: happy with their current process.",
    "Not interested this year; asked to receive the newsletter instead.",
    "Said no: just signed with another vendor for two years.",
    "Declined: no project planned, but open to hearing about case studies.",
)

DNC_NOTES: tuple[str, ...] = (
    "Asked not to be contacted again.",
    "Left the company; the new owner asked us to stop.",
)

REFERRAL_PARTNERS: tuple[str, ...] = (
    "Priya Raman (partner at Copperleaf Advisory)",
    "Tom Becker (former customer, now at Lumen Retail)",
    "Alicia Gómez (industry association board)",
)
