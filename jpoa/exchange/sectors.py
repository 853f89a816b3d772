"""The default mapping of OECD DAC 5-digit purpose codes to the Strategy's four pillars.

No source states which pillar of the UN Global Counter-Terrorism Strategy a DAC sector
serves: each default is inferred, with its reason, and coordinators edit them in the back
office (*Data in and out → sector to pillar mappings*). Pillars: I conditions conducive
to the spread of terrorism; II preventing and combating terrorism; III building states'
capacity and strengthening the UN's role; IV human rights and the rule of law.

Migration 0004 writes these rows (and 0002 wrote the first thirteen); changing this
module changes nothing in a database already migrated.
"""

# code: (pillar, the code's name in the DAC list, why it serves that pillar)
DAC_PILLARS: dict[str, tuple[int, str, str]] = {
    "15110": (
        3,
        "Public sector policy and administrative management",
        "Building the state institutions that carry out the plan (pillar III).",
    ),
    "15111": (
        3,
        "Public finance management",
        "State capacity; includes the financial controls that counter terrorist financing.",
    ),
    "15113": (
        3,
        "Anti-corruption organisations and institutions",
        "Strong, accountable institutions are pillar III's capacity building.",
    ),
    "15130": (
        4,
        "Legal and judicial development",
        "The rule of law and fair trials are pillar IV.",
    ),
    "15131": (
        4,
        "Justice, law and order policy, planning and administration",
        "Criminal justice policy under the rule of law (pillar IV).",
    ),
    "15132": (
        2,
        "Police",
        "Law enforcement that prevents and combats terrorism (pillar II).",
    ),
    "15134": (4, "Judicial affairs", "Courts and prosecution under the rule of law (pillar IV)."),
    "15136": (
        2,
        "Immigration",
        "Border and travel controls that stop terrorists' movement (pillar II).",
    ),
    "15137": (
        2,
        "Prisons",
        "Prison management, including of violent extremist prisoners (pillar II).",
    ),
    "15150": (
        1,
        "Democratic participation and civil society",
        "Participation and a voice for all counter the conditions conducive (pillar I).",
    ),
    "15153": (
        1,
        "Media and free flow of information",
        "Free media and counter-narratives address the conditions conducive (pillar I).",
    ),
    "15160": (
        4,
        "Human rights",
        "Respect for human rights is pillar IV.",
    ),
    "15170": (
        4,
        "Women's rights organisations and movements, and government institutions",
        "Women's rights are human rights (pillar IV); their role in prevention is pillar I.",
    ),
    "15180": (
        4,
        "Ending violence against women and girls",
        "Protection of human rights (pillar IV).",
    ),
    "15190": (
        2,
        "Facilitation of orderly, safe, regular and responsible migration and mobility",
        "Migration and border management prevent terrorists' movement (pillar II).",
    ),
    "15210": (
        3,
        "Security system management and reform",
        "Building the capacity of the security sector (pillar III).",
    ),
    "15220": (
        1,
        "Civilian peace-building, conflict prevention and resolution",
        "Unresolved conflicts are among the conditions conducive (pillar I).",
    ),
    "15230": (
        3,
        "Participation in international peacekeeping operations",
        "States' capacity and the UN's role (pillar III).",
    ),
    "15240": (
        2,
        "Reintegration and SALW control",
        "Controlling small arms denies terrorists their means (pillar II).",
    ),
    "15250": (
        2,
        "Removal of land mines and explosive remnants of war",
        "Denying explosives to terrorists (pillar II).",
    ),
    "15261": (
        1,
        "Child soldiers (prevention and demobilisation)",
        "Preventing the recruitment of children addresses conditions conducive (pillar I).",
    ),
    "16010": (
        1,
        "Social protection",
        "Social and economic exclusion is among the conditions conducive (pillar I).",
    ),
    "16020": (
        1,
        "Employment creation",
        "Youth unemployment is among the conditions conducive (pillar I).",
    ),
}
