"""The story generator behind one interface: what a generation job asks for (a story's pages, a
page's illustration, a page's narration), whoever makes it.

- `offline` (the default, settings STORY_GENERATOR): templates, a drawn PNG and espeak-ng, all on
  this machine and deterministic, so `make run` and the tests make real stories with no cloud
  account (services/offline_generator.py);
- `aws`: Amazon Bedrock for text and images, Amazon Polly for narration, with the model ids and
  voice of the settings, which the env root grants and nothing else (services/aws_generator.py).

A generator answers the text as pages separated by a blank line; what it made is checked against
the child's restrictions by the caller (services/generation.py), whoever made it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from chalicelib.core.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.storyverse.families.services.restrictions import Restrictions
    from chalicelib.storyverse.stories.services.stories import StoryContext

PAGE_BREAK = "\n\n"


class GeneratorUnavailable(Exception):
    """What the generator needs is missing here (a tool not installed, a model not enabled): the
    job fails with this message, which names what is missing."""


class Generator(Protocol):
    def text(self, context: StoryContext, prompt: str | None, restrictions: Restrictions) -> str:
        """The story's next pages, separated by PAGE_BREAK."""

    def image(self, context: StoryContext, page_text: str, restrictions: Restrictions) -> tuple[bytes, str]:
        """An illustration of one page: its bytes and content type."""

    def audio(self, text: str) -> tuple[bytes, str]:
        """`text` read aloud: the recording's bytes and content type."""


def generator() -> Generator:
    """The generator the settings name."""
    kind = get_settings().story_generator
    if kind == "aws":
        from chalicelib.storyverse.generation.services.aws_generator import AwsGenerator

        return AwsGenerator()
    if kind == "offline":
        from chalicelib.storyverse.generation.services.offline_generator import OfflineGenerator

        return OfflineGenerator()
    raise GeneratorUnavailable(f"STORY_GENERATOR is {kind!r}; it is offline or aws.")


def pages_of(text: str) -> list[str]:
    """A generated text's pages: its blank-line separated paragraphs, each on one line."""
    return [" ".join(part.split()) for part in text.split(PAGE_BREAK) if part.strip()]
