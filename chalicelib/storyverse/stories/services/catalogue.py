"""The built-in catalogue: universes and characters every family may use, shipped with the package
(not stored, so reading them costs no DynamoDB call). Their ids start with `builtin-`, which a
family's own ids (time-ordered, core.ids.new_id) never do, so an id alone says where to look.
They are read-only: no role may change them."""
from __future__ import annotations

from typing import Any

BUILTIN_PREFIX = "builtin-"

UNIVERSES: dict[str, dict[str, str]] = {
    "builtin-enchanted-forest": {
        "name": "The Enchanted Forest",
        "description": "An old forest where the trees whisper, foxes keep the paths and fireflies light the way home.",
    },
    "builtin-starship-pebble": {
        "name": "Starship Pebble",
        "description": "A small, friendly spaceship that visits a new planet every night and is always back by breakfast.",
    },
    "builtin-undersea-kingdom": {
        "name": "The Undersea Kingdom",
        "description": "Coral towns, kelp gardens and a polite octopus post office, deep under a calm blue sea.",
    },
    "builtin-cloud-castle": {
        "name": "The Cloud Castle",
        "description": "A castle built on a cloud, where the weather is made by hand and rainbows are delivered on time.",
    },
}

CHARACTERS: dict[str, dict[str, str]] = {
    "builtin-pip-the-fox": {
        "name": "Pip the Fox",
        "description": "A curious young fox who asks a question about everything and always shares his berries.",
    },
    "builtin-luna-the-owl": {
        "name": "Luna the Owl",
        "description": "A wise, gentle owl who knows every star by name and tells the best bedtime riddles.",
    },
    "builtin-captain-bolt": {
        "name": "Captain Bolt",
        "description": "The cheerful robot captain of Starship Pebble, who hums when he thinks.",
    },
    "builtin-marina-the-octopus": {
        "name": "Marina the Octopus",
        "description": "The undersea postmistress, with eight arms for eight letters at once.",
    },
    "builtin-tumble-the-dragon": {
        "name": "Tumble the Dragon",
        "description": "A small, clumsy dragon who sneezes bubbles instead of fire and is scared of nothing but thunder.",
    },
}

CATALOGUES = {"universe": UNIVERSES, "character": CHARACTERS}


def is_builtin(record_id: str) -> bool:
    return record_id.startswith(BUILTIN_PREFIX)


def builtin_view(kind: str, record_id: str) -> dict[str, Any] | None:
    """A built-in universe or character as the API shows it, or None for an unknown id."""
    entry = CATALOGUES[kind].get(record_id)
    return None if entry is None else {"id": record_id, **entry, "builtin": True}


def builtin_views(kind: str) -> list[dict[str, Any]]:
    return [{"id": record_id, **entry, "builtin": True} for record_id, entry in CATALOGUES[kind].items()]
