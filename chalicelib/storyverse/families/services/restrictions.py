"""Content restrictions by age band: what a story for a child of each band may be about, how scary
it may get, the words it uses and how it is illustrated. Pure rules, no I/O: generation applies them
to every request (and to the text it generated), stories check stored text with them.

The rules are data (`RULES`, `SCARY_WORDS`): a parent reading them should recognise what they
agree to, and changing a rule changes no code. `refusals` explains each reason in a parent's words
(empty: allowed).

Scariness is on a 0-3 scale: 0 nothing frightening, 1 a little suspense (a dark night, a lost
toy), 2 danger and conflict (a monster, a fight), 3 real peril and horror (death, gore). A text's
scariness is that of the scariest word it uses (`SCARY_WORDS`, word forms included: "attacks",
"attacked"); a refusal names every word over the band's limit.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

AGE_BANDS = ("under_7", "7_12", "13_plus")
MAX_SCARINESS = 3

# How a band is named to a parent.
BAND_NAMES = {"under_7": "children under 7", "7_12": "children aged 7 to 12", "13_plus": "teenagers (13 and over)"}

_GENTLE_THEMES = ("animals", "bedtime", "family", "friendship", "nature", "everyday life", "music", "seasons")
_CHILDHOOD_THEMES = (*_GENTLE_THEMES, "adventure", "fantasy", "magic", "mystery", "school", "space", "sports", "history")
_TEEN_THEMES = (*_CHILDHOOD_THEMES, "science fiction", "historical conflict", "coming of age", "suspense", "mythology")

RULES: dict[str, dict] = {
    "under_7": {
        "allowed_themes": _GENTLE_THEMES + ("fantasy", "magic"),
        "max_scariness": 1,
        "vocabulary_level": "simple",
        "image_style": "soft, rounded picture-book illustration in bright, warm colours; friendly faces",
        "blocked_words": (
            "blood", "kill", "dead", "death", "die", "gun", "knife", "weapon", "war", "murder", "corpse",
            "skeleton", "zombie", "poison", "hate", "stupid",
        ),
    },
    "7_12": {
        "allowed_themes": _CHILDHOOD_THEMES,
        "max_scariness": 2,
        "vocabulary_level": "intermediate",
        "image_style": "colourful storybook illustration, expressive characters, no gore",
        "blocked_words": ("blood", "gore", "murder", "corpse", "torture", "gun", "suicide", "drugs"),
    },
    "13_plus": {
        "allowed_themes": _TEEN_THEMES,
        "max_scariness": 3,
        "vocabulary_level": "advanced",
        "image_style": "detailed graphic-novel illustration, dramatic lighting, no graphic violence",
        "blocked_words": ("gore", "torture", "suicide", "drugs", "porn", "sex"),
    },
}

# Words that make a story frightening, by how frightening (the scale above).
SCARY_WORDS: dict[str, int] = {
    "dark": 1, "shadow": 1, "lost": 1, "storm": 1, "thunder": 1, "scary": 1, "spooky": 1, "creepy": 1,
    "ghost": 2, "monster": 2, "witch": 1, "dragon": 1, "attack": 2, "fight": 2, "battle": 2, "chase": 2,
    "trap": 2, "scream": 2, "danger": 2, "sword": 2, "wolf": 2, "villain": 2,
    "kill": 3, "blood": 3, "dead": 3, "death": 3, "die": 3, "murder": 3, "corpse": 3, "zombie": 3,
    "horror": 3, "gore": 3, "torture": 3, "demon": 3, "nightmare": 3,
}
_SCARINESS_NAMES = ("nothing frightening", "a little suspense", "danger and conflict", "real peril or horror")
# A word's forms that count as the word: "monsters", "attacked", "fighting", "dies".
_WORD_FORM = r"(?:s|es|d|ed|ing|er|ers)?"


@dataclass(frozen=True)
class Restrictions:
    allowed_themes: tuple[str, ...]
    max_scariness: int
    vocabulary_level: str
    image_style: str
    blocked_words: tuple[str, ...]


def restrictions_for(age_band: str) -> Restrictions:
    """The rules of one age band (ValueError for a band that is not one of AGE_BANDS)."""
    return _restrictions(_known(age_band))


def refusals(age_band: str, text: str, themes: Iterable[str] = ()) -> list[str]:
    """Why a story with `text` about `themes` is not for a child of `age_band`, one sentence per
    reason, each naming what was found and the band's rule; empty when it is allowed."""
    rules = _restrictions(_known(age_band))
    audience = BAND_NAMES[age_band]
    reasons = []
    for theme in dict.fromkeys(theme.strip().lower() for theme in themes):
        if theme not in rules.allowed_themes:
            reasons.append(
                f'The theme "{theme}" is not suitable for {audience}. Themes for this age: '
                f"{', '.join(rules.allowed_themes)}."
            )
    for word in rules.blocked_words:
        found = _occurrence(word, text)
        if found:
            reasons.append(f'The word "{found}" is not used in stories for {audience}.')
    too_scary = sorted(
        (match.start(), match.group(0), level)
        for word, level in SCARY_WORDS.items()
        if level > rules.max_scariness and (match := _pattern(word).search(text))
    )
    if too_scary:
        level = max(level for _, _, level in too_scary)
        quoted = [f'"{found}"' for _, found, _ in too_scary]
        words = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
        reasons.append(
            f"{words} make{'s' if len(too_scary) == 1 else ''} the story too scary for {audience}: "
            f"{_SCARINESS_NAMES[level]} ({level} on our 0-{MAX_SCARINESS} scale), and stories for this age "
            f"stay at {_SCARINESS_NAMES[rules.max_scariness]} ({rules.max_scariness}) at most."
        )
    return reasons


def _known(age_band: str) -> str:
    if age_band not in RULES:
        raise ValueError(f"Unknown age band {age_band!r}; the bands are {', '.join(AGE_BANDS)}.")
    return age_band


@lru_cache(maxsize=None)
def _restrictions(age_band: str) -> Restrictions:
    rules = RULES[age_band]
    return Restrictions(
        allowed_themes=tuple(rules["allowed_themes"]),
        max_scariness=rules["max_scariness"],
        vocabulary_level=rules["vocabulary_level"],
        image_style=rules["image_style"],
        blocked_words=tuple(rules["blocked_words"]),
    )


@lru_cache(maxsize=256)
def _pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}{_WORD_FORM}\b", re.IGNORECASE)


def _occurrence(word: str, text: str) -> str:
    """The first form of `word` in `text` as written there, or ""."""
    match = _pattern(word).search(text)
    return match.group(0) if match else ""
