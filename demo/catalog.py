"""What the demo data is made of: ESCO skills and occupations, sectors, regions, templates.

Every skill is an ESCO v1.1.1 concept; ``forms`` are the exact preferred or alternative
labels the ads and learning outcomes use (``span``), wrapped in a few words of context
(``text``) so the sentences read naturally while a real label matcher can still find the
label verbatim. Forms are chosen to be unambiguous in ESCO (no other concept has the
same label), or a matcher would rightly return both. ``scripts/make_demo_data.py --esco
PATH`` checks every URI, label and form against the official bundle; the generator itself
needs nothing outside this package.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCO = "http://data.europa.eu/esco/"


@dataclass(frozen=True)
class Form:
    """One way an ad names a skill: ``span`` is an ESCO label, ``text`` contains it."""

    text: str
    span: str
    kind: str  # "v": a verb phrase ("you will <text>"), "n": a noun phrase ("knowledge of")


@dataclass(frozen=True)
class SkillSpec:
    key: str
    uri: str
    label: str  # ESCO preferred label
    forms: tuple[Form, ...]


def _f(text: str, span: str | None = None, kind: str = "v") -> Form:
    return Form(text, span or text, kind)


def _s(key: str, uuid: str, label: str, *forms: Form) -> SkillSpec:
    return SkillSpec(key, f"{ESCO}skill/{uuid}", label, forms)


SKILLS: tuple[SkillSpec, ...] = (
    # construction (NACE F) ------------------------------------------------------------
    _s(
        "heat_pump",
        "00735755-adc6-4ea0-b034-b8caff339c9f",
        "install heat pump",
        _f("install heat pump units in homes", "install heat pump"),
        _f("installation of heat pumps", kind="n"),
        _f("commission heat pumps after installation", "commission heat pumps"),
    ),
    _s(
        "pv_install",
        "18d3f89a-6ac5-4ca6-bf93-0baec4e13bcd",
        "install photovoltaic systems",
        _f("install photovoltaic systems on roofs", "install photovoltaic systems"),
        _f("install solar energy systems"),
        _f("installing photovoltaic systems", kind="n"),
    ),
    _s(
        "energy_buildings",
        "4e09e2d2-e317-47d2-bf5e-1d6c66be3efc",
        "energy performance of buildings",
        _f("energy performance of buildings", kind="n"),
        _f("building energy performance", kind="n"),
    ),
    _s(
        "insulation",
        "7eea6974-d606-4175-b95e-f66554816783",
        "install insulation material",
        _f("install insulation material in walls and roofs", "install insulation material"),
        _f("fitting insulation", kind="n"),
    ),
    _s(
        "spray_foam",
        "daefc625-d439-4602-9009-de6a0ae34774",
        "apply spray foam insulation",
        _f("apply spray foam insulation in cavities", "apply spray foam insulation"),
    ),
    _s(
        "hs_construction",
        "86df7af2-f9f3-4c06-a500-7f1fba9e78fe",
        "follow health and safety procedures in construction",
        _f("follow health and safety procedures in construction"),
        _f("apply H&S procedures in construction"),
    ),
    _s(
        "safety_equipment",
        "c643e59b-d74c-4f44-b76e-6e1d96c05ec4",
        "use safety equipment in construction",
        _f("use safety equipment in construction"),
        _f("use personal protective equipment"),
    ),
    _s(
        "plans_2d",
        "dfce2aba-783e-4e17-9c17-e74aca505ec2",
        "interpret 2D plans",
        _f("interpret 2D plans"),
        _f("interpret 2D drawings"),
    ),
    _s(
        "bricks",
        "13e1c0a2-b90d-46f4-be51-11730360b38d",
        "lay bricks",
        _f("lay bricks to line and level", "lay bricks"),
        _f("bricklaying", kind="n"),
    ),
    _s(
        "scaffolding",
        "91991706-cd8e-4795-9784-715fc0250c8d",
        "build scaffolding",
        _f("build scaffolding safely", "build scaffolding"),
    ),
    # manufacturing (NACE C) -------------------------------------------------------------
    _s(
        "welding",
        "2ee57de4-bffd-4194-b009-0060edec77cc",
        "use welding equipment",
        _f("use welding equipment"),
        _f("handle welding equipment"),
    ),
    _s(
        "machine_maintenance",
        "8a4e99e0-f259-4931-888f-604cfdc15b31",
        "perform machine maintenance",
        _f("perform machine maintenance"),
        _f("undertake machine maintenance"),
    ),
    _s(
        "automated_machines",
        "7aa52bdc-9c56-4341-be65-e8e30f64403f",
        "monitor automated machines",
        _f("monitor automated machines"),
        _f("oversee automated machines"),
    ),
    _s(
        "blueprints",
        "68b6ef08-d823-489d-a95c-752ae6f6e6a7",
        "read standard blueprints",
        _f("read standard blueprints"),
        _f("interpret standard blueprints"),
    ),
    _s(
        "measurement",
        "b92758d4-4591-4df1-9ceb-f907aa71ebd9",
        "use measurement instruments",
        _f("use measurement instruments"),
        _f("utilise measurement instruments"),
    ),
    _s(
        "lean",
        "82fea746-853f-4f1b-8ab7-55de8619cccd",
        "lean manufacturing",
        _f("lean manufacturing", kind="n"),
        _f("total productive maintenance", kind="n"),
    ),
    # information and communication (NACE J) --------------------------------------------
    _s(
        "python",
        "ccd0a1d9-afda-43d9-b901-96344886e14d",
        "Python (computer programming)",
        _f("Python", kind="n"),
        _f("Python3", kind="n"),
    ),
    _s("sql", "598de5b0-5b58-4ea7-8058-a4bc4d18c742", "SQL", _f("SQL", kind="n")),
    _s(
        "data_analysis",
        "2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f",
        "perform data analysis",
        _f("perform data analysis"),
        _f("undertake data analysis"),
    ),
    _s(
        "statistics",
        "7ee4c2ea-b349-4bd2-81a3-ec31475d4833",
        "statistics",
        _f("statistics", kind="n"),
    ),
    _s("cobol", "def007fa-5fed-4a5f-91a2-b0d7e3db1be1", "COBOL", _f("COBOL", kind="n")),
    _s(
        "db2",
        "3cee858e-79e8-4a4b-b99f-93c7f735d58b",
        "DB2",
        _f("DB2", kind="n"),
        _f("IBM DB2", kind="n"),
    ),
    _s(
        "cloud",
        "bd14968e-e409-45af-b362-3495ed7b10e0",
        "cloud technologies",
        _f("cloud technologies", kind="n"),
        _f("cloud computing", kind="n"),
    ),
    _s("devops", "f0de4973-0a70-4644-8fd4-3a97080476f4", "DevOps", _f("DevOps", kind="n")),
    _s(
        "software_design",
        "3bddfd7c-ab6d-40c2-883d-5e97fb7640ba",
        "create software design",
        _f("create software design"),
        _f("create application design"),
    ),
    # human health and social work (NACE Q) ---------------------------------------------
    _s(
        "first_aid",
        "1d21f6ad-340f-45da-a0a3-4e83867f47a6",
        "provide first aid",
        _f("perform first aid"),
        _f("conduct first aid"),
    ),
    _s(
        "clinical_guidelines",
        "76395873-7fe2-4f9a-b4b6-9932f8cbd0b4",
        "follow clinical guidelines",
        _f("follow clinical guidelines"),
        _f("adhere to clinical guidelines"),
    ),
    _s(
        "empathy",
        "2475cd27-8d6c-4318-a364-21395b23acba",
        "empathise with the healthcare user",
        _f("empathise with patients"),
        _f("empathise with the healthcare user"),
    ),
    # across sectors ---------------------------------------------------------------------
    _s(
        "teams",
        "60c78287-22eb-4103-9c8c-28deaa460da0",
        "work in teams",
        _f("work in teams"),
        _f("collaborate on tasks"),
    ),
    _s(
        "time",
        "d9013e0e-e937-43d5-ab71-0e917ee882b8",
        "manage time",
        _f("manage time"),
        _f("prioritise tasks"),
    ),
    _s(
        "customers",
        "0da516ee-e70e-4384-be13-f5ff80be8127",
        "communicate with customers",
        _f("talk with customers"),
        _f("communicate with clients"),
    ),
)


@dataclass(frozen=True)
class OccupationSpec:
    key: str
    uri: str
    label: str  # ESCO preferred label
    isco: str  # ISCO-08 unit group
    sector: str  # NACE section
    weight: float  # share of the sector's ads
    titles: tuple[str, ...]
    skills: tuple[tuple[str, float], ...]  # (skill key, base probability an ad names it)


def _o(
    key: str,
    uuid: str,
    label: str,
    isco: str,
    sector: str,
    weight: float,
    titles: list[str],
    skills: list[tuple[str, float]],
) -> OccupationSpec:
    return OccupationSpec(
        key, f"{ESCO}occupation/{uuid}", label, isco, sector, weight, tuple(titles), tuple(skills)
    )


OCCUPATIONS: tuple[OccupationSpec, ...] = (
    _o(
        "insulation_worker",
        "b2dab4fb-b7f7-4f57-94b2-9c0f0848564a",
        "insulation worker",
        "7124",
        "F",
        0.2,
        ["Insulation installer", "Insulation worker (m/f/d)", "Building insulation fitter"],
        [
            ("insulation", 0.8),
            ("safety_equipment", 0.5),
            ("hs_construction", 0.45),
            ("plans_2d", 0.2),
            ("energy_buildings", 0.01),
        ],
    ),
    _o(
        "plumber",
        "ed3cf43d-c2c1-4c46-82fc-1375e27e0290",
        "plumber",
        "7126",
        "F",
        0.2,
        ["Plumber", "Plumbing and heating installer", "Service plumber"],
        [
            ("heat_pump", 0.01),
            ("hs_construction", 0.4),
            ("plans_2d", 0.35),
            ("safety_equipment", 0.3),
            ("energy_buildings", 0.01),
        ],
    ),
    _o(
        "hvac_engineer",
        "79f435d0-9bc6-4d25-a26a-acbe16569ebb",
        "heating and ventilation service engineer",
        "7127",
        "F",
        0.15,
        ["Heating and ventilation engineer", "HVAC service technician"],
        [
            ("heat_pump", 0.01),
            ("hs_construction", 0.4),
            ("plans_2d", 0.3),
            ("safety_equipment", 0.3),
            ("energy_buildings", 0.01),
        ],
    ),
    _o(
        "electrician",
        "33960bab-4423-4808-af6c-ec2b485dba41",
        "building electrician",
        "7411",
        "F",
        0.15,
        ["Building electrician", "Electrician for residential projects"],
        [
            ("pv_install", 0.01),
            ("hs_construction", 0.45),
            ("plans_2d", 0.4),
            ("safety_equipment", 0.35),
        ],
    ),
    _o(
        "solar_technician",
        "75b63949-1b93-4bf2-a777-ccf978dc3e8a",
        "solar energy technician",
        "7411",
        "F",
        0.1,
        ["PV technician", "Solar installer"],
        [
            ("pv_install", 0.01),
            ("heat_pump", 0.01),
            ("hs_construction", 0.4),
            ("safety_equipment", 0.4),
            ("energy_buildings", 0.01),
        ],
    ),
    _o(
        "bricklayer",
        "05f321f8-055b-407d-bf19-e0ddabda56b7",
        "bricklayer",
        "7112",
        "F",
        0.2,
        ["Bricklayer", "Mason / bricklayer", "Experienced bricklayer"],
        [
            ("bricks", 0.85),
            ("scaffolding", 0.35),
            ("hs_construction", 0.4),
            ("safety_equipment", 0.4),
            ("plans_2d", 0.25),
        ],
    ),
    _o(
        "welder",
        "7aedaa07-3884-4c5b-88f9-80997b2aa54b",
        "welder",
        "7212",
        "C",
        0.4,
        ["Welder", "MIG/MAG welder", "Production welder"],
        [
            ("welding", 0.85),
            ("blueprints", 0.45),
            ("measurement", 0.35),
            ("machine_maintenance", 0.1),
        ],
    ),
    _o(
        "machinery_mechanic",
        "269c47e7-9017-4aa6-bce8-49e89a696a64",
        "industrial machinery mechanic",
        "7233",
        "C",
        0.35,
        ["Maintenance mechanic", "Industrial machinery mechanic", "Service technician"],
        [
            ("machine_maintenance", 0.8),
            ("automated_machines", 0.45),
            ("blueprints", 0.3),
            ("measurement", 0.3),
        ],
    ),
    _o(
        "production_supervisor",
        "40517ed4-2769-4283-a15b-4b0d939bd2d3",
        "production supervisor",
        "3122",
        "C",
        0.25,
        ["Production supervisor", "Shift leader production"],
        [("lean", 0.6), ("automated_machines", 0.35), ("measurement", 0.15)],
    ),
    _o(
        "software_developer",
        "f2b15a0e-e65a-438a-affb-29b9d50b77d1",
        "software developer",
        "2512",
        "J",
        0.4,
        ["Software developer", "Backend developer", "Application developer"],
        [
            ("software_design", 0.55),
            ("python", 0.3),
            ("sql", 0.25),
            ("devops", 0.2),
            ("cloud", 0.2),
        ],
    ),
    _o(
        "data_analyst",
        "d3edb8f8-3a06-47a0-8fb9-9b212c006aa2",
        "data analyst",
        "2511",
        "J",
        0.35,
        ["Data analyst", "Business analyst", "Junior analyst"],
        [("data_analysis", 0.8), ("sql", 0.75), ("python", 0.6), ("statistics", 0.5)],
    ),
    _o(
        "cloud_engineer",
        "349ee6f6-c295-4c38-9b98-48765b55280e",
        "cloud engineer",
        "2512",
        "J",
        0.25,
        ["Cloud engineer", "DevOps engineer"],
        [("cloud", 0.85), ("devops", 0.7), ("python", 0.2), ("software_design", 0.2)],
    ),
    _o(
        "nurse_assistant",
        "87d0795a-d41f-47ee-979f-0ab7d73836e7",
        "nurse assistant",
        "5321",
        "Q",
        0.55,
        ["Nursing assistant", "Care assistant (hospital)"],
        [("clinical_guidelines", 0.6), ("empathy", 0.5), ("first_aid", 0.45)],
    ),
    _o(
        "home_care_aide",
        "1391bdf9-bd61-4fb5-91ca-c29036ab2b60",
        "home care aide",
        "5322",
        "Q",
        0.45,
        ["Home care aide", "Home carer"],
        [("empathy", 0.6), ("first_aid", 0.5), ("clinical_guidelines", 0.2)],
    ),
)

# Skills any ad may name, whatever the sector.
TRANSVERSAL: tuple[tuple[str, float], ...] = (("teams", 0.3), ("time", 0.2), ("customers", 0.15))

# Ads declining or rising by plan (see PLANTED.md); only these profiles change over time.
# skill key -> (occupation keys, region or None for all, probability first quarter, last)
PLANTED_TRENDS: dict[str, tuple[tuple[str, ...], str | None, float, float]] = {
    "heat_pump": (
        ("plumber", "hvac_engineer", "solar_technician", "electrician", "insulation_worker"),
        "NL33",
        0.01,
        0.6,
    ),
    "pv_install": (("electrician", "solar_technician", "hvac_engineer"), "NL33", 0.01, 0.55),
    "energy_buildings": (
        ("insulation_worker", "plumber", "hvac_engineer", "solar_technician", "electrician"),
        "NL33",
        0.01,
        0.45,
    ),
    "cobol": (("software_developer",), None, 0.35, 0.03),
    "db2": (("software_developer",), None, 0.25, 0.02),
}

# The one skill planted with too little evidence: named in exactly this many ads.
RARE_SKILL = ("spray_foam", "insulation_worker", 5)

SECTORS: dict[str, tuple[str, float]] = {
    "F": ("construction", 0.34),
    "C": ("manufacturing", 0.23),
    "J": ("information and communication", 0.23),
    "Q": ("human health and social work", 0.20),
}

# NUTS-2 code -> (weight, places used in location_raw, country code)
REGIONS: dict[str, tuple[float, tuple[str, ...], str]] = {
    "DE21": (0.18, ("München", "Ingolstadt", "Rosenheim"), "DE"),
    "FR10": (0.2, ("Paris", "Boulogne-Billancourt", "Saint-Denis"), "FR"),
    "NL33": (0.28, ("Rotterdam", "Den Haag", "Leiden", "Delft"), "NL"),
    "ES51": (0.2, ("Barcelona", "Girona", "Tarragona"), "ES"),
    "PL91": (0.14, ("Warszawa", "Pruszków", "Legionowo"), "PL"),
}

QUARTERS: tuple[str, ...] = tuple(f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4))

EMPLOYERS: dict[str, tuple[str, ...]] = {
    "F": (
        "Bouwgroep Maasdelta",
        "Alpenbau Technik",
        "Construcciones Llobregat",
        "Renov'Habitat",
        "Budimex Serwis Mazowsze",
        "Kessler & Söhne Haustechnik",
    ),
    "C": (
        "Metallwerk Isar",
        "Fabricaciones Vallès",
        "Usinage Francilien",
        "Precyzja Mazowsze",
        "Rijn Staalbouw",
    ),
    "J": (
        "Datafloes",
        "Nordlicht Software",
        "Cloudmar Solutions",
        "Logique Numérique",
        "Kodeks Systems",
    ),
    "Q": (
        "Zorggroep Waterweg",
        "Clínica del Maresme",
        "Pflegedienst Sonnenhof",
        "Soins à Domicile Île-de-France",
        "Centrum Opieki Wola",
    ),
}

INTROS: dict[str, tuple[str, ...]] = {
    # Deliberately plain: an intro that paraphrases a skill ("we renovate buildings") would
    # be found by a semantic matcher and counted as demand nobody planted.
    "F": (
        "{employer} is a building contractor in the {place} area and is growing its site teams.",
        "At {employer} we take on new-build and renovation projects across {place} and the "
        "surrounding towns.",
        "{employer} is a family-run contractor in {place} with a full order book for the "
        "coming seasons.",
    ),
    "C": (
        "{employer} is an industrial supplier with a plant near {place} and customers across "
        "Europe.",
        "Our production site in {place} runs in two shifts for the automotive and machinery "
        "sectors.",
    ),
    "J": (
        "{employer} is a technology company with an office in {place} and clients in retail "
        "and the public sector.",
        "We are a company of about eighty people based in {place}, working remote-first.",
    ),
    "Q": (
        "{employer} is a care organisation working in and around {place}.",
        "Our team in {place} works on hospital wards and in the community.",
    ),
}

VERB_TEMPLATES: tuple[str, ...] = (
    "You will {x}.",
    "Day to day you {x} as part of a small crew.",
    "We expect you to {x} safely and with care.",
    "You are able to {x} without close supervision.",
    "Part of the job is to {x} together with experienced colleagues.",
)

NOUN_TEMPLATES: tuple[str, ...] = (
    "Good working knowledge of {x}.",
    "Hands-on experience with {x} is expected.",
    "You bring practical experience in {x}.",
    "Familiarity with {x} is a plus.",
)

BENEFITS: tuple[str, ...] = (
    "We offer a permanent contract and a company pension.",
    "You can expect a fair salary, 28 days of holiday and flexible hours.",
    "Travel costs are reimbursed from the first day.",
    "Apply with a short CV; we reply to every application within two weeks.",
    "Everyone is welcome to apply regardless of age, gender or background.",
)


@dataclass(frozen=True)
class CredentialTheme:
    key: str
    title: str
    skills: tuple[str, ...]
    eqf: int
    ects: float
    providers: int  # how many providers offer a version of it


THEMES: tuple[CredentialTheme, ...] = (
    CredentialTheme(
        "insulation",
        "Thermal insulation installation",
        ("insulation", "safety_equipment", "hs_construction"),
        3,
        3.0,
        4,
    ),
    CredentialTheme(
        "site_safety",
        "Health and safety on construction sites",
        ("hs_construction", "safety_equipment", "first_aid"),
        3,
        2.0,
        5,
    ),
    CredentialTheme(
        "plans", "Reading construction plans and drawings", ("plans_2d", "blueprints"), 4, 2.0, 4
    ),
    CredentialTheme(
        "masonry",
        "Masonry and scaffolding basics",
        ("bricks", "scaffolding", "safety_equipment"),
        3,
        4.0,
        4,
    ),
    CredentialTheme(
        "welding",
        "Welding practice for production",
        ("welding", "blueprints", "measurement"),
        4,
        5.0,
        4,
    ),
    CredentialTheme(
        "maintenance",
        "Maintenance of automated production lines",
        ("machine_maintenance", "automated_machines", "measurement"),
        4,
        4.0,
        4,
    ),
    CredentialTheme("lean", "Lean production for team leaders", ("lean", "teams"), 5, 3.0, 3),
    CredentialTheme(
        "data_sql", "Data analysis with SQL", ("sql", "data_analysis", "statistics"), 5, 5.0, 3
    ),
    CredentialTheme(
        "cobol", "Mainframe application programming with COBOL and DB2", ("cobol", "db2"), 5, 6.0, 2
    ),
    CredentialTheme(
        "cloud", "Cloud and DevOps foundations", ("cloud", "devops", "software_design"), 5, 6.0, 4
    ),
    CredentialTheme(
        "care",
        "Care assistant essentials",
        ("clinical_guidelines", "empathy", "first_aid"),
        4,
        4.0,
        4,
    ),
    CredentialTheme(
        "teamwork", "Working in teams and managing your time", ("teams", "time"), 3, 1.0, 4
    ),
    CredentialTheme("customers", "Talking with customers", ("customers",), 3, 1.0, 3),
)

PROVIDERS: tuple[tuple[str, str], ...] = (
    ("Hogeschool Zuid-Holland Leerlab", "NL"),
    ("ROC Maasstad Vakopleidingen", "NL"),
    ("Bildungszentrum Oberbayern", "DE"),
    ("Handwerkskammer Akademie Isar", "DE"),
    ("Institut des Métiers d'Île-de-France", "FR"),
    ("Université Ouverte Paris-Est", "FR"),
    ("Escola Tècnica del Vallès", "ES"),
    ("Centre de Formació Barcelona Activa", "ES"),
    ("Warszawska Akademia Zawodowa", "PL"),
    ("Politechnika Otwarta Mazowsze", "PL"),
)

LO_VERB_TEMPLATES: tuple[str, ...] = (
    "On completion, learners can {x} safely and correctly.",
    "Participants are able to {x}, first under supervision and then independently.",
    "The learner is able to {x} in a realistic workplace setting.",
)

LO_NOUN_TEMPLATES: tuple[str, ...] = (
    "Learners apply knowledge of {x} to everyday workplace tasks.",
    "Explain the main principles of {x} and use them in practice.",
)

LO_GENERIC: tuple[str, ...] = (
    "Reflect on their own practice and plan further learning.",
    "Document completed work in the format the employer requires.",
)

ASSESSMENTS = ("practical assessment", "written exam", "portfolio and interview", "online test")
PARTICIPATION = ("in person", "online", "blended")
QUALITY = (
    "internal quality assurance by the provider",
    "accredited by the national qualifications authority",
    "EQAVET-aligned quality assurance",
)
