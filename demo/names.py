"""Made-up player names and the normalisation that turns a name into a player_lookup."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

FIRST_NAMES = (
    "Aaron",
    "Andre",
    "Anthony",
    "Bam",
    "Bennedict",
    "Brandon",
    "Cade",
    "Caleb",
    "Cam",
    "Chris",
    "Damian",
    "Darius",
    "De'Aaron",
    "De'Andre",
    "Derrick",
    "Devin",
    "Dillon",
    "Donovan",
    "Dyson",
    "Evan",
    "Franz",
    "Fred",
    "Gary",
    "Grant",
    "Herbert",
    "Isaiah",
    "Jalen",
    "Jaren",
    "Jarrett",
    "Jaylen",
    "Jerami",
    "Jock",
    "Jonas",
    "Jordan",
    "Josh",
    "Jrue",
    "Julius",
    "Karl",
    "Keegan",
    "Kelly",
    "Kevin",
    "Khris",
    "Kyle",
    "LaMelo",
    "Lauri",
    "Luka",
    "Malcolm",
    "Marcus",
    "Mikal",
    "Myles",
    "Nikola",
    "Norman",
    "Obi",
    "Onyeka",
    "Pascal",
    "RJ",
    "Scottie",
    "Shai",
    "Spencer",
    "Terance",
    "Tobias",
    "Trae",
    "Tyrese",
    "Tyus",
    "Walker",
    "Zach",
    "Zion",
    "Álvaro",
    "Dāvis",
)
LAST_NAMES = (
    "Adebayo",
    "Allen",
    "Anderson",
    "Barnes",
    "Bridges",
    "Brooks",
    "Brown",
    "Caruso",
    "Clarkson",
    "Collins",
    "Conley",
    "Dinwiddie",
    "Dort",
    "Edwards",
    "Fox",
    "Garland",
    "Gordon",
    "Grant",
    "Green",
    "Haliburton",
    "Harris",
    "Hart",
    "Hayward",
    "Herro",
    "Holiday",
    "Hunter",
    "Ingles",
    "Jackson Jr.",
    "Johnson",
    "Jones",
    "Kuminga",
    "LaVine",
    "Lillard",
    "Lowry",
    "Markkanen",
    "Maxey",
    "McCollum",
    "Middleton",
    "Mitchell",
    "Morant",
    "Murray",
    "Nance Jr.",
    "Nurkić",
    "O'Neale",
    "Okongwu",
    "Porter",
    "Poole",
    "Powell",
    "Randle",
    "Reaves",
    "Robinson",
    "Sabonis",
    "Schröder",
    "Sexton",
    "Siakam",
    "Smart",
    "Smith",
    "Strus",
    "Tatum",
    "Thompson",
    "Turner",
    "Valančiūnas",
    "VanVleet",
    "Vučević",
    "Wagner",
    "Walker",
    "Wiggins",
    "Williams",
    "Williamson",
    "Young",
    "Zubac",
    "Gilgeous-Alexander",
    "Kessler",
    "Bogdanović",
)
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


def normalise_name(name: str) -> str:
    """`De'Andre Jackson Jr.` → `deandrejacksonjr`: ASCII, lowercase, letters and digits only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_ALPHANUMERIC.sub("", ascii_name.lower())


def unique_names(count: int, rng: np.random.Generator) -> list[str]:
    """`count` distinct full names whose lookups are distinct too."""
    combos = rng.permutation(len(FIRST_NAMES) * len(LAST_NAMES))
    names: list[str] = []
    lookups: set[str] = set()
    for combo in combos:
        first, last = divmod(int(combo), len(LAST_NAMES))
        name = f"{FIRST_NAMES[first]} {LAST_NAMES[last]}"
        if normalise_name(name) not in lookups:
            lookups.add(normalise_name(name))
            names.append(name)
        if len(names) == count:
            return names
    raise ValueError(f"only {len(names)} distinct names available, {count} wanted")
