"""The offline generator: real stories with no cloud account (`make run`, the tests, CI).

- Text: a bedtime story in beats (a setting, a wish, a journey, a helper, a discovery, a way home,
  goodnight), each beat's sentence chosen among templates written for the band's vocabulary
  level (short, simple sentences for the youngest; more of them, longer, for older children), with
  the story's characters, its universe and the caller's prompt in them. The choices are seeded
  from the story and the prompt: the same request writes the same story.
- Illustration: a PNG drawn from the page (services/illustration.py).
- Narration: espeak-ng (Debian package `espeak-ng`), as WAV; its absence fails the job with a
  reason that names it.

The templates use no word the restrictions count as frightening, so what fails moderation came
from the story's own names, descriptions or prompt.
"""
from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from typing import TYPE_CHECKING

from chalicelib.storyverse.generation.services import illustration
from chalicelib.storyverse.generation.services.generator import PAGE_BREAK, GeneratorUnavailable

if TYPE_CHECKING:
    from chalicelib.storyverse.families.services.restrictions import Restrictions
    from chalicelib.storyverse.stories.services.stories import StoryContext

ESPEAK = "espeak-ng"
# Words a minute: a bedtime reading pace, slower than espeak-ng's 175.
SPEECH_RATE = 140
NARRATION_SECONDS = 60
MAX_PROMPT_CHARS = 200
DEFAULT_HEROES = (("Pip", "a small, curious fox"), ("Mo", "a kind old turtle"))
DEFAULT_PLACE = ("Willow Hollow", "a quiet village of round doors, where the river hums at night")
# How many beats a story of each level tells (one page each): the beats' order is fixed.
BEATS = ("opening", "wish", "journey", "helper", "discovery", "return", "goodnight")
BEATS_BY_LEVEL = {
    "simple": ("opening", "wish", "helper", "return", "goodnight"),
    "intermediate": ("opening", "wish", "journey", "helper", "return", "goodnight"),
    "advanced": BEATS,
}
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "simple": {
        "opening": ("This is {place}, {place_description}. {hero} lives here. {hero} is {hero_description}.",
                    "Once upon a time, in {place}, there lived {hero}. {hero} was {hero_description}."),
        "again": ("The next morning, {hero} woke up in {place}. The sun was warm.",
                  "A new day came to {place}. {hero} was ready to play."),
        "wish": ("{hero} had a wish. {hero} wanted to see {wish}.",
                 "One day {hero} said, \"I want to find {wish}!\""),
        "helper": ("Then {friend} came along. {friend} said, \"I can help you!\" They held hands and went on together.",
                   "{friend} was there too. \"Let us go together,\" said {friend}. And so they did."),
        "return": ("They found {wish} at last. It was lovely. {hero} smiled a big smile.",
                   "And there it was: {wish}! {hero} and {friend} laughed and clapped."),
        "goodnight": ("Then it was time for bed. {hero} had a warm bath and a cup of milk. Goodnight, {hero}. Sleep well.",
                      "The moon came up over {place}. {hero} yawned a big yawn. Goodnight, {hero}."),
    },
    "intermediate": {
        "opening": ("In {place}, {place_description}, there lived {hero}, {hero_description}. Every day in {place} "
                    "brought something new to wonder about.",
                    "Far away, in {place}, {place_description}, lived {hero}. {hero} was {hero_description}, and "
                    "everyone in {place} knew it."),
        "again": ("A few days later, {hero} was back in {place}, still thinking about the last adventure.",
                  "Morning returned to {place}, and {hero} already had a new plan."),
        "wish": ("One morning {hero} made up their mind: today was the day to go looking for {wish}.",
                 "{hero} had heard stories about {wish}, and wanted to see it with their own eyes."),
        "journey": ("The path wound past fields and over a wooden bridge, and {hero} counted every step.",
                    "They packed a sandwich and a map, and set off before the clocks struck nine."),
        "helper": ("Halfway there, {friend} joined in. {friend} knew a shortcut, and {hero} knew a song, so the "
                   "journey went quickly.",
                   "\"Wait for me!\" called {friend}, running to catch up. Two friends, it turned out, were better "
                   "than one."),
        "return": ("When they finally reached {wish}, it was even better than {hero} had imagined. They stayed "
                   "until the sky turned pink, then walked home, talking all the way.",
                   "There it was: {wish}. {hero} and {friend} sat together for a long while, just looking, before "
                   "they headed home."),
        "goodnight": ("That night, tucked up in bed, {hero} smiled at the ceiling. Tomorrow there would be "
                      "something new to find. Goodnight, {hero}.",
                      "The stars came out over {place}, one by one, and {hero} fell asleep dreaming of the day."),
    },
    "advanced": {
        "opening": ("{place} was {place_description}, and {hero}, {hero_description}, had lived there long enough "
                    "to know that its quietest corners held the best secrets.",
                    "Nobody in {place} could say exactly when {hero} had become the one everybody asked about "
                    "mysteries; perhaps it was because {hero} was {hero_description}."),
        "again": ("Weeks had passed since the last adventure, but {hero} had not stopped wondering what else "
                  "{place} might be hiding.",
                  "Some questions refuse to stay answered, and in {place} the next one arrived with the morning post."),
        "wish": ("It started with a rumour about {wish}: half a sentence overheard at the market, which {hero} "
                 "could not stop turning over.",
                 "{hero} had read every book about {wish} in the library, and each one ended with a question "
                 "instead of an answer."),
        "journey": ("The route took them along the old canal, through a tunnel of hawthorn and up a slope so "
                    "steep that they had to stop and laugh at how out of breath they were.",
                    "They set out at first light with a compass, a notebook and a stubborn sense of direction that "
                    "was wrong only twice."),
        "helper": ("{friend} caught up with them at the crossroads, pretending it was a coincidence. It was not, "
                   "and {hero} was glad: {friend} noticed the things {hero} walked straight past.",
                   "It was {friend} who spotted the faded sign on the gatepost, and {friend} who insisted, quite "
                   "rightly, that they follow it."),
        "discovery": ("The answer, when they found it, was simpler and stranger than any book had guessed: "
                      "{wish}, waiting as if it had expected them.",
                      "What they found was {wish}, and for a moment neither of them said anything at all."),
        "return": ("They walked home the long way, comparing notes, already arguing happily about what it all "
                   "meant.",
                   "On the way back {hero} wrote everything down, so that none of it could slip away."),
        "goodnight": ("Later, with the lamp turned low, {hero} read the notes one last time and let the day settle. "
                      "Some adventures end; the good ones simply pause until morning.",
                      "By the time the town clock chimed ten, {hero} was asleep, the notebook still open on the "
                      "pillow."),
    },
}  # fmt: skip
WISHES = ("the tallest sunflower in the world", "a rainbow's very first colour", "the singing stones by the river",
          "a hidden garden full of butterflies", "the lighthouse that glows like a lantern",
          "the friendliest cloud in the sky")  # fmt: skip


class OfflineGenerator:
    def text(self, context: StoryContext, prompt: str | None, restrictions: Restrictions) -> str:
        level = restrictions.vocabulary_level if restrictions.vocabulary_level in TEMPLATES else "simple"
        templates = TEMPLATES[level]
        chosen = random.Random(_seed(context.story_id, context.title, context.pages, prompt or ""))
        characters = list(context.characters) or list(DEFAULT_HEROES)
        hero_name, hero_description = characters[0]
        friend_name = characters[1][0] if len(characters) > 1 else DEFAULT_HEROES[1][0]
        place, place_description = context.universe or DEFAULT_PLACE
        wish = " ".join((prompt or "").split())[:MAX_PROMPT_CHARS].rstrip(".!?") or chosen.choice(WISHES)
        values = {
            "hero": hero_name, "hero_description": _clause(hero_description or "full of questions"),
            "friend": friend_name, "place": place, "place_description": _clause(place_description or "a lovely place"),
            "wish": wish,
        }  # fmt: skip
        beats = list(BEATS_BY_LEVEL[level])
        if context.pages:  # the story goes on: its next pages open on a new day, not a new world
            beats[0] = "again"
        return PAGE_BREAK.join(_sentence(chosen.choice(templates[beat]).format(**values)) for beat in beats)

    def image(self, context: StoryContext, page_text: str, restrictions: Restrictions) -> tuple[bytes, str]:
        names = [name for name, _ in context.characters]
        png = illustration.draw(page_text, names, restrictions.vocabulary_level, _seed(context.story_id, page_text))
        return png, "image/png"

    def audio(self, text: str) -> tuple[bytes, str]:
        program = shutil.which(ESPEAK)
        if program is None:
            raise GeneratorUnavailable(
                "Narration could not be made: espeak-ng, the offline speech synthesizer, is not installed on this "
                "server (Debian: apt-get install espeak-ng)."
            )
        # The text goes in on stdin: on the command line a page starting with "-" would read as an option.
        spoken = subprocess.run(
            [program, "-v", "en-us", "-s", str(SPEECH_RATE), "--stdout"], input=text.encode("utf-8"),
            capture_output=True, timeout=NARRATION_SECONDS, check=False,
        )  # fmt: skip
        if spoken.returncode != 0 or not spoken.stdout.startswith(b"RIFF"):
            raise RuntimeError(f"espeak-ng failed ({spoken.returncode}): {spoken.stderr[:200]!r}")
        return spoken.stdout, "audio/wav"


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()[:8], "big")


def _clause(description: str) -> str:
    """A description as it reads inside a sentence: no closing full stop, a leading article in
    lower case ("The bravest knight" -> "the bravest knight"; names stay as written)."""
    text = " ".join(description.split()).rstrip(".!")
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}" if first in ("A", "An", "The") and rest else text


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
