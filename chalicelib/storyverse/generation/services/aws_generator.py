"""The AWS generator (STORY_GENERATOR=aws): Amazon Bedrock writes the story and paints the pages,
Amazon Polly reads them, with the model ids and voice of the settings. The child's restrictions go
into the instructions; what comes back is still checked by the caller (services/generation.py).
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from chalicelib.aws import bedrock, polly
from chalicelib.core.settings import get_settings
from chalicelib.storyverse.generation.services.generator import GeneratorUnavailable

if TYPE_CHECKING:
    from chalicelib.storyverse.families.services.restrictions import Restrictions
    from chalicelib.storyverse.stories.services.stories import StoryContext

PAGES = {"simple": 5, "intermediate": 6, "advanced": 7}
MAX_TOKENS = 1500
SCARINESS = ("nothing frightening at all", "at most a little gentle suspense", "some danger, never gore",
             "suspense and peril, never graphic")  # fmt: skip


class AwsGenerator:
    def text(self, context: StoryContext, prompt: str | None, restrictions: Restrictions) -> str:
        pages = PAGES.get(restrictions.vocabulary_level, 5)
        system = (
            "You write bedtime stories for a family's child. Write exactly "
            f"{pages} short paragraphs separated by one blank line, each a page of a picture book; no title, no "
            f"headings, no lists. Vocabulary: {restrictions.vocabulary_level}. Themes allowed: "
            f"{', '.join(restrictions.allowed_themes)}. Scariness: {SCARINESS[min(restrictions.max_scariness, 3)]}. "
            f"Never use these words: {', '.join(restrictions.blocked_words)}. End the story calmly."
        )
        characters = "; ".join(f"{name}: {description}" for name, description in context.characters) or "your choice"
        universe = f"{context.universe[0]}: {context.universe[1]}" if context.universe else "your choice"
        request = (
            f"Title: {context.title}\nCharacters: {characters}\nWorld: {universe}\n"
            + (f"The story so far has {context.pages} pages; continue it.\n" if context.pages else "")
            + (f"What the child asked for: {prompt}\n" if prompt else "")
        )
        return _unavailable_as_reason(lambda: bedrock.converse_text(get_settings().story_text_model_id, system, request, MAX_TOKENS))

    def image(self, context: StoryContext, page_text: str, restrictions: Restrictions) -> tuple[bytes, str]:
        prompt = f"{restrictions.image_style}. {page_text}"
        negative = "text, letters, watermark, " + ", ".join(restrictions.blocked_words)
        seed = int.from_bytes(hashlib.sha256(f"{context.story_id}#{page_text}".encode("utf-8")).digest()[:4], "big")
        png = _unavailable_as_reason(
            lambda: bedrock.generate_image(get_settings().story_image_model_id, prompt, negative, seed))
        return png, "image/png"

    def audio(self, text: str) -> tuple[bytes, str]:
        return _unavailable_as_reason(lambda: polly.synthesize(text, get_settings().story_voice_id)), "audio/mpeg"


def _unavailable_as_reason(call):
    """A model's refusal is the job's reason; any other failure (throttling, a timeout) is retried."""
    try:
        return call()
    except bedrock.ModelRefused as refused:
        raise GeneratorUnavailable(str(refused)) from None
