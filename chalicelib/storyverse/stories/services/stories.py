"""Stories: a family's bedtime stories, each for one child, with a universe, characters and pages
(text, image file, audio file), a status (draft/complete) and sharing (private/family/public).

Who sees what (the children's space): parents (every role but `child`) see and write every story of
the family. A child (role `child`, user_id = their child id) reads their own stories and the
family's shared ones (sharing family or public), writes only their own, and creates stories only
for themself; a sibling's private story is as missing to them as another family's (404, no
existence leak), a sibling's shared one is read-only (403 on a write).

Generation (storyverse/generation) reads a story through `generation_context` and stores what it
generated with `record_generated_page`, both with the rules above.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from chalicelib.platform.services.roles import CHILD, WRITE, Principal, can
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.writes import commit, plain
from chalicelib.storyverse.families.services.children import age_band_of
from chalicelib.storyverse.stories.services.catalogue import builtin_view, is_builtin
from chalicelib.storyverse.stories.tables.characters import characters
from chalicelib.storyverse.stories.tables.stories import Page, StoryModel, stories
from chalicelib.storyverse.stories.tables.universes import universes

STATUSES = ("draft", "complete")
SHARINGS = ("private", "family", "public")
MAX_PAGES = 50
# A generated page's write races the family's own edits of the story: it reads again and retries.
GENERATED_PAGE_ATTEMPTS = 3


@dataclass(frozen=True)
class StoryContext:
    """What a generator needs of a story: whom it is for (the child's age band decides the content
    restrictions), where it happens, who is in it, and how many pages it has so far."""

    story_id: str
    title: str
    child_id: str
    age_band: str
    universe: tuple[str, str] | None  # (name, description)
    characters: list[tuple[str, str]]  # [(name, description)]
    pages: int


# Who may see and write a story


def is_child(principal: Principal) -> bool:
    return principal.role == CHILD


def visible_to(principal: Principal, story: StoryModel) -> bool:
    """A parent sees every story of the family; a child their own and the shared ones."""
    return not is_child(principal) or story.child_id == principal.user_id or story.sharing != "private"


def readable_story(principal: Principal, story_id: str) -> StoryModel:
    story = stories.get(principal.org_id, story_id)
    if not visible_to(principal, story):
        raise stories.not_found()
    return story


def writable_story(principal: Principal, story_id: str) -> StoryModel:
    """The story, if the caller may change it: 404 where they cannot see it, 403 for a child's
    write of a sibling's shared story."""
    story = readable_story(principal, story_id)
    if is_child(principal) and story.child_id != principal.user_id:
        raise Forbidden("A child may change only their own stories.")
    return story


# The generation contract


def generation_context(principal: Principal, story_id: str) -> StoryContext:
    """The story as a generator reads it, for a caller who may write it (NotFound or Forbidden
    exactly as their write of the story would be)."""
    principal.require(can("stories", WRITE))
    story = writable_story(principal, story_id)
    universe = _named("universe", story.org_id, story.universe_id) if story.universe_id else None
    named = [_named("character", story.org_id, character_id) for character_id in story.character_ids or []]
    return StoryContext(
        story_id=story.story_id,
        title=story.title,
        child_id=story.child_id,
        age_band=age_band_of(story.org_id, story.child_id),
        universe=universe,
        characters=[character for character in named if character is not None],
        pages=len(story.pages or []),
    )


def record_generated_page(
    org_id: str,
    story_id: str,
    page_index: int,
    *,
    text: str | None = None,
    image_file_id: str | None = None,
    audio_file_id: str | None = None,
    actor_id: str,
) -> dict[str, Any]:
    """Store what a generator made on page `page_index` (the next index appends a page): only the
    parts given change. One conditional UpdateItem with its audit entry (story.updated); a write of
    the story in between makes it read again and retry."""
    given = {
        name: value
        for name, value in (("text", text), ("image_file_id", image_file_id), ("audio_file_id", audio_file_id))
        if value is not None
    }
    for attempt in range(GENERATED_PAGE_ATTEMPTS):
        current = stories.get(org_id, story_id, consistent=True)
        pages = [_page_dict(page) for page in current.pages or []]
        if not 0 <= page_index <= len(pages) or page_index >= MAX_PAGES:
            raise ValidationFailed(
                f"The story has {len(pages)} pages: page_index must be from 0 to {min(len(pages), MAX_PAGES - 1)}.",
                [{"field": "page_index", "message": "no such page, nor the next one"}],
            )
        if page_index == len(pages):
            pages.append({"text": None, "image_file_id": None, "audio_file_id": None})
        pages[page_index] = {**pages[page_index], **given}
        parts, updated = stories.modification(current, {"pages": [Page(**page) for page in pages]}, actor_id)
        try:
            commit(parts)
        except PreconditionFailed:
            if attempt == GENERATED_PAGE_ATTEMPTS - 1:
                raise
            continue
        return story_view(updated)
    raise AssertionError("unreachable")  # the loop returns or raises


# Views


def story_view(story: StoryModel) -> dict[str, Any]:
    return {
        "id": story.story_id,
        "title": story.title,
        "child_id": story.child_id,
        "universe_id": story.universe_id,
        "character_ids": list(story.character_ids or []),
        "theme": story.theme,
        "pages": [_page_dict(page) for page in story.pages or []],
        "status": story.status,
        "sharing": story.sharing,
        "shared_at": plain(story.shared_at),
        "created_by": story.created_by,
        "created_at": plain(story.created_at),
        "updated_at": plain(story.updated_at),
        "version": story.version,
    }


def _page_dict(page: Page | dict[str, Any]) -> dict[str, Any]:
    values = plain(page)
    return {name: values.get(name) for name in ("text", "image_file_id", "audio_file_id")}


def _named(kind: str, org_id: str, record_id: str) -> tuple[str, str] | None:
    """(name, description) of a universe or character the story names: built in, or the family's
    own while it is live (a deleted one no longer shapes what is generated)."""
    if is_builtin(record_id):
        view = builtin_view(kind, record_id)
        return None if view is None else (view["name"], view["description"])
    table = universes if kind == "universe" else characters
    item = find(table.model, org_id, record_id)
    if item is None or item.deleted_at is not None:
        return None
    return (item.name, item.description or "")
