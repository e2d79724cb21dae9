"""Fictional names and short texts for synthetic responses (the city of Riverton).

Every organisation here is invented. Foreign organisations are named after real cities so
that the data read naturally, but none of them is a real body and no person is named.
"""

from __future__ import annotations

CITY = "Riverton"
OFFICE = "Riverton Office of International Affairs"
CODE_PREFIX = "RIV"

# (city, country) pairs for foreign partners and travel origins.
FOREIGN_CITIES: tuple[tuple[str, str], ...] = (
    ("Lyon", "France"),
    ("Rotterdam", "Netherlands"),
    ("Busan", "South Korea"),
    ("Monterrey", "Mexico"),
    ("Accra", "Ghana"),
    ("Porto", "Portugal"),
    ("Kaohsiung", "Taiwan"),
    ("Gdańsk", "Poland"),
    ("Medellín", "Colombia"),
    ("Mombasa", "Kenya"),
    ("Valparaíso", "Chile"),
    ("Hamburg", "Germany"),
    ("Da Nang", "Vietnam"),
    ("Bilbao", "Spain"),
    ("Tampere", "Finland"),
    ("Durban", "South Africa"),
    ("Curitiba", "Brazil"),
    ("Yokohama", "Japan"),
    ("Izmir", "Türkiye"),
    ("Halifax", "Canada"),
)

# Domestic travel origins for in-person participants.
DOMESTIC_CITIES: tuple[str, ...] = (
    "Riverton",
    "Riverton",
    "Riverton",
    "Lakeport",
    "Cedar Falls",
    "Millbrook",
    "Chicago",
    "Washington, DC",
    "New York",
    "Denver",
)

FOREIGN_ORG_KINDS: tuple[tuple[str, str], ...] = (
    ("City of {city}", "city_government"),
    ("Port of {city} Authority", "port_transport"),
    ("{city} Chamber of Commerce", "business_association"),
    ("{city} Institute of Technology", "university_research"),
    ("{city} Investment Agency", "city_government"),
    ("{city} Public Health Service", "health"),
    ("{city} Arts Council", "culture"),
    ("{city} Green Mobility Ltd", "business"),
    ("{city} Migrant Welcome Foundation", "nonprofit"),
)

# Local units and organisations of Riverton (connector attribution roster): (name, unit_type).
LOCAL_UNITS: tuple[tuple[str, str], ...] = (
    ("Port of Riverton", "port"),
    ("Riverton International Airport", "airport"),
    ("Riverton Economic Development Department", "economic_development"),
    ("Riverton Public Health Department", "health"),
    ("Riverton State University", "university"),
    ("Riverton Community College", "university"),
    ("Riverton Chamber of Commerce", "chamber"),
    ("Riverton Small Business Alliance", "chamber"),
    ("Riverton Museum of Art", "culture"),
    ("Riverton Office of Sustainability", "other"),
    ("Riverton Workforce Board", "other"),
    ("Riverton Transit Authority", "other"),
)

# Partners of the Office for the annual relationship check: (name, partner_type).
PARTNERS: tuple[tuple[str, str], ...] = (
    ("City of Lyon", "foreign_city"),
    ("City of Busan", "foreign_city"),
    ("City of Monterrey", "foreign_city"),
    ("City of Accra", "foreign_city"),
    ("City of Porto", "foreign_city"),
    ("City of Medellín", "foreign_city"),
    ("City of Tampere", "foreign_city"),
    ("City of Da Nang", "foreign_city"),
    ("Consulate of Mexico in Riverton", "consulate"),
    ("Consulate of South Korea in Riverton", "consulate"),
    ("Trade Office of the Netherlands", "consulate"),
    ("Consulate of Ghana in Riverton", "consulate"),
    ("C40 Cities secretariat", "network_secretariat"),
    ("Strong Cities Network secretariat", "network_secretariat"),
    ("Sister Cities International", "network_secretariat"),
    ("Mayors Migration Council secretariat", "network_secretariat"),
    ("Riverton Port Authority", "local_partner"),
    ("Riverton State University", "local_partner"),
    ("Riverton Immigrant Resource Center", "local_partner"),
    ("Riverton Youth Exchange Trust", "local_partner"),
    ("Northgate Logistics Inc.", "private_partner"),
    ("Riverbend Energy Co.", "private_partner"),
    ("Harbourline Bank Foundation", "private_partner"),
    ("Cedar Software Group", "private_partner"),
)

ACTIVITY_TITLES: tuple[str, ...] = (
    "Delegation from {city}",
    "Webinar on port decarbonisation with {city}",
    "Network meeting on migrant inclusion",
    "Trade mission to {city}",
    "Youth exchange briefing with {city}",
    "Climate resilience roundtable with {city}",
    "Investment forum with {city} firms",
    "Sister-city anniversary with {city}",
)

SHORT_TEXTS: dict[str, tuple[str, ...]] = {
    "most_valuable": (
        "Meeting the port team in person.",
        "The breakout session on funding.",
        "Practical examples from other cities.",
        "More time for questions, please.",
        "Shorter presentations next time.",
        "The site visit.",
    ),
    "outcome_statement": (
        "In May our agency and a partner city agreed a joint pilot on shore power.",
        "Our chamber and a foreign trade office started monthly calls on export leads.",
        "A university partner invited us to co-write a research grant application.",
        "We adopted a partner city's translation checklist for public notices.",
        "Two local firms received investment inquiries after the forum.",
    ),
    "result_description": (
        "In March the port and its counterpart signed a shore-power pilot agreement.",
        "The counterpart's investors visited two local firms; one opened a sales office.",
        "A joint grant application on heat resilience was funded.",
        "Our health department adopted the counterpart's outreach protocol.",
        "Students from both universities joined a summer exchange.",
    ),
    "most_significant_change": (
        "We now have a trusted contact abroad for technical questions.",
        "Our team started thinking of international partners for every new project.",
        "We won our first export order.",
        "The city's migrant services changed how they greet newcomers.",
    ),
    "msc_why": (
        "It saves months when we plan new projects.",
        "It opened a market we could not reach before.",
        "Residents feel more welcome.",
        "It changed how our leadership sees international work.",
    ),
}
GENERIC_TEXTS: tuple[str, ...] = (
    "Useful and well organised.",
    "Good discussion.",
    "See earlier answer.",
    "Nothing to add.",
)
