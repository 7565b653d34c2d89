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

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services.files import attached_downloads
from chalicelib.platform.services.roles import CHILD, WRITE, Principal, can
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.files import FileModel
from chalicelib.platform.tables.references import reference_check, unknown_reference
from chalicelib.platform.tables.tenant_table import RESTORE_WINDOW
from chalicelib.platform.tables.writes import Change, commit, plain
from chalicelib.storyverse.families.services.children import age_band_of
from chalicelib.storyverse.families.services.restrictions import refusals
from chalicelib.storyverse.families.tables.children import children
from chalicelib.storyverse.stories.services.catalogue import builtin_view, is_builtin
from chalicelib.storyverse.stories.tables.characters import characters
from chalicelib.storyverse.stories.tables.stories import Page, StoryModel, shared_by_token, stories, story_page
from chalicelib.storyverse.stories.tables.universes import universes

STATUSES = ("draft", "complete")
SHARINGS = ("private", "family", "public")
MAX_PAGES = 50
# A generated page's write races the family's own edits of the story: it reads again and retries.
GENERATED_PAGE_ATTEMPTS = 3
# secrets.token_urlsafe(32): 43 URL-safe characters; anything else names no link without a lookup.
SHARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
LIST_FILTERS = ("child_id", "status", "sharing", "sort")
LIST_CHOICES = {"status": STATUSES, "sharing": SHARINGS, "sort": ("created", "-created")}

_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_OPTIONAL_ID = {**_ID, "type": ["string", "null"]}
PAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "text": {"type": ["string", "null"], "maxLength": 5000},
        # A file attached to this story (POST /v1/files {"record_type": "stories", ...}).
        "image_file_id": _OPTIONAL_ID,
        "audio_file_id": _OPTIONAL_ID,
    },
}
_FIELDS: dict[str, Any] = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    "child_id": _ID,
    "universe_id": _OPTIONAL_ID,
    "character_ids": {"type": "array", "maxItems": 20, "uniqueItems": True, "items": _ID},
    "theme": {"type": ["string", "null"], "minLength": 1, "maxLength": 50},
    "pages": {"type": "array", "maxItems": MAX_PAGES, "items": PAGE_SCHEMA},
    "status": {"type": "string", "enum": list(STATUSES)},
    # "public" only keeps a link made with POST /v1/stories/{id}/share; any other value revokes it.
    "sharing": {"type": "string", "enum": list(SHARINGS)},
}
STORY_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["title", "child_id"], "properties": _FIELDS}
REPLACE_SCHEMA = STORY_SCHEMA
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        **_FIELDS,
        "character_ids": {"oneOf": [_FIELDS["character_ids"], {"type": "null"}]},
        "pages": {"oneOf": [_FIELDS["pages"], {"type": "null"}]},
    },
}

# POST /v1/stories/{story_id}/share: the link, shown once.
SHARE_LINK_VIEW = {
    "type": "object",
    "required": ["token", "path", "story"],
    "properties": {
        "token": {"type": "string", "description": "The link's secret; only its hash is stored."},
        "path": {"type": "string", "description": "GET it without authentication: /v1/shared/stories/{token}."},
        "story": {"$ref": "#/components/schemas/Story"},
    },
}
_DOWNLOAD = {
    "type": ["object", "null"],
    "required": ["name", "content_type", "url", "expires_at"],
    "properties": {
        "name": {"type": "string"},
        "content_type": {"type": "string"},
        "url": {"type": "string", "description": "A presigned link, valid until expires_at."},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}
_NAMED = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}},
}
# GET /v1/shared/stories/{token}: what anyone holding the link reads (no ids of the family's people).
SHARED_STORY_VIEW = {
    "type": "object",
    "required": ["id", "title", "theme", "universe", "characters", "pages", "status", "shared_at"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "theme": {"type": ["string", "null"]},
        "universe": {"oneOf": [_NAMED, {"type": "null"}]},
        "characters": {"type": "array", "items": _NAMED},
        "pages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["text", "image", "audio"],
                "properties": {"text": {"type": ["string", "null"]}, "image": _DOWNLOAD, "audio": _DOWNLOAD},
            },
        },
        "status": {"type": "string", "enum": list(STATUSES)},
        "shared_at": {"type": "string", "format": "date-time"},
    },
}


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


# The routes' operations


def list_stories(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    filters = list_filters(query, LIST_FILTERS, LIST_CHOICES)
    items, next_cursor = story_page(
        principal.org_id, filters, limit, cursor, newest_first=filters.get("sort") == "-created",
        child_id=principal.user_id if is_child(principal) else None,
    )  # fmt: skip
    return {"items": [story_view(item) for item in items], "next_cursor": next_cursor}


def create_story(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(STORY_SCHEMA, body)
    _check_child(principal, fields["child_id"])
    if fields.get("sharing") == "public":
        raise _public_by_link()
    story = StoryModel(
        principal.org_id,
        new_id(),
        title=fields["title"],
        child_id=fields["child_id"],
        universe_id=fields.get("universe_id"),
        character_ids=fields.get("character_ids", []),
        theme=fields.get("theme"),
        pages=[Page(**_page_dict(page)) for page in fields.get("pages", [])],
        status=fields.get("status", "draft"),
        sharing=fields.get("sharing", "private"),
    )
    _check_content(story)
    _check_files(story, None)
    stories.insert(story, principal.user_id, also=_reference_checks(story, None))
    count("StoryCreated")
    return story_view(story)


def get_story(principal: Principal, story_id: str) -> dict[str, Any]:
    return story_view(readable_story(principal, story_id))


def replace_story(principal: Principal, story_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(REPLACE_SCHEMA, body)
    defaults = {"universe_id": None, "character_ids": [], "theme": None, "pages": [], "status": "draft", "sharing": "private"}
    return _apply(principal, story_id, {**defaults, **fields}, expected_version)


def patch_story(principal: Principal, story_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    for name, empty in (("character_ids", []), ("pages", [])):
        if name in changes and changes[name] is None:
            changes[name] = empty
    return _apply(principal, story_id, changes, expected_version)


def delete_story(principal: Principal, story_id: str, expected_version: int | None) -> None:
    """A soft delete, restorable for 30 days; its public link is revoked with it (a restored story
    comes back private) and its files are deleted (platform/services/files.py)."""
    current = writable_story(principal, story_id)
    stories.check_version(current, expected_version)
    now = clock.now()
    changes = {"deleted_at": now, "purge_at": now + RESTORE_WINDOW, **_unshared(current)}
    parts, _ = stories.modification(current, changes, principal.user_id, action="deleted")
    commit(parts)
    count("StoryDeleted")


def restore_story(principal: Principal, story_id: str) -> dict[str, Any]:
    current = stories.get_including_deleted(principal.org_id, story_id)
    if not visible_to(principal, current):
        raise stories.not_found()
    if is_child(principal) and current.child_id != principal.user_id:
        raise Forbidden("A child may change only their own stories.")
    restored = stories.restore(principal.org_id, story_id, principal.user_id)
    count("StoryRestored")
    return story_view(restored)


# Sharing by public link


def share_story(principal: Principal, story_id: str) -> dict[str, Any]:
    """A new public link (replacing any earlier one, which stops working): the token is answered
    once and stored only as its SHA-256, so nobody can read it back, not even from a backup."""
    _require_parent(principal, "share a story by public link")
    current = writable_story(principal, story_id)
    token = secrets.token_urlsafe(32)
    changes = {"sharing": "public", "share_token_hash": token_hash(token), "shared_at": clock.now()}
    parts, updated = stories.modification(current, changes, principal.user_id, action="shared")
    commit(parts)
    count("StoryShared")
    return {"token": token, "path": f"/v1/shared/stories/{token}", "story": story_view(updated)}


def unshare_story(principal: Principal, story_id: str) -> dict[str, Any]:
    """Revoke the public link: the story goes back to the family (sharing "family")."""
    _require_parent(principal, "revoke a public link")
    current = writable_story(principal, story_id)
    if current.sharing != "public":
        raise Conflict("This story has no public link.")
    parts, updated = stories.modification(current, _unshared(current, to="family"), principal.user_id, action="unshared")
    commit(parts)
    count("StoryUnshared")
    return story_view(updated)


def shared_story(token: str) -> dict[str, Any]:
    """The story a public link names, for anyone holding the link, with fresh download links to
    its pages' files. A revoked, replaced or deleted story's link is 404."""
    story = shared_by_token(token_hash(token)) if SHARE_TOKEN.fullmatch(token) else None
    if story is None:
        raise NotFound("No story is shared by this link: it may have been revoked.")
    links = attached_downloads(story.org_id, "stories", story.story_id, _file_ids(story))

    def page(page: Page) -> dict[str, Any]:
        values = _page_dict(page)
        return {
            "text": values["text"],
            "image": links.get(values["image_file_id"]) if values["image_file_id"] else None,
            "audio": links.get(values["audio_file_id"]) if values["audio_file_id"] else None,
        }

    return {
        "id": story.story_id,
        "title": story.title,
        "theme": story.theme,
        "universe": _named_view("universe", story.org_id, story.universe_id) if story.universe_id else None,
        "characters": [
            view for view in (_named_view("character", story.org_id, cid) for cid in story.character_ids or []) if view
        ],
        "pages": [page(item) for item in story.pages or []],
        "status": story.status,
        "shared_at": plain(story.shared_at),
    }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    attempt = 1
    while True:
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
            if attempt == GENERATED_PAGE_ATTEMPTS:
                raise
            attempt += 1
            continue
        return story_view(updated)


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


def _named_view(kind: str, org_id: str, record_id: str) -> dict[str, Any] | None:
    named = _named(kind, org_id, record_id)
    return None if named is None else {"id": record_id, "name": named[0], "description": named[1]}


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


# The rules of a write


def _require_parent(principal: Principal, what: str) -> None:
    if is_child(principal):
        raise Forbidden(f"A child cannot {what}; a parent can.")


def _check_child(principal: Principal, child_id: str) -> None:
    if is_child(principal) and child_id != principal.user_id:
        raise Forbidden("A child creates and keeps stories only for themself.")


def _apply(principal: Principal, story_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    current = writable_story(principal, story_id)
    stories.check_version(current, expected_version)
    if changes.get("child_id", current.child_id) != current.child_id:
        _check_child(principal, changes["child_id"])
    if "sharing" in changes and changes["sharing"] != current.sharing:
        if changes["sharing"] == "public":
            raise _public_by_link()
        if current.sharing == "public":
            changes.update(_unshared(current, to=changes["sharing"]))
    if "pages" in changes:
        changes["pages"] = [Page(**_page_dict(page)) for page in changes["pages"]]
    parts, updated = stories.modification(current, changes, principal.user_id)
    if not parts:
        return story_view(updated)
    if any(name in changes for name in ("title", "theme", "pages", "child_id")):
        _check_content(updated)
    _check_files(updated, current)
    commit([*parts, *_reference_checks(updated, current)])
    count("StoryUpdated")
    return story_view(updated)


def _public_by_link() -> ValidationFailed:
    return ValidationFailed(
        "A public link is made with POST /v1/stories/{story_id}/share.",
        [{"field": "sharing", "message": "sharing becomes public with POST /v1/stories/{story_id}/share"}],
    )


def _unshared(current: StoryModel, to: str = "family") -> dict[str, Any]:
    """What revokes a story's public link (nothing for a story without one)."""
    if current.sharing != "public":
        return {}
    return {"sharing": to, "share_token_hash": None, "shared_at": None}


def _check_content(story: StoryModel) -> None:
    """The child's age-band restrictions (storyverse/families/services/restrictions.py) on what a
    client writes into a story: 422 listing every reason, nothing written."""
    try:
        age_band = age_band_of(story.org_id, story.child_id)
    except NotFound:
        raise unknown_reference("child_id", children.noun) from None
    texts = [("title", story.title), *((f"pages[{i}].text", _page_dict(page)["text"]) for i, page in enumerate(story.pages or []))]
    errors = [{"field": "theme", "message": reason} for reason in refusals(age_band, "", [story.theme] if story.theme else [])]
    errors += [{"field": field, "message": reason} for field, text in texts if text for reason in refusals(age_band, text)]
    if errors:
        error = ValidationFailed(
            "This story is not suitable for the child's age: " + " ".join(dict.fromkeys(e["message"] for e in errors)),
            errors,
        )
        error.extensions["reasons"] = list(dict.fromkeys(e["message"] for e in errors))
        raise error


def _check_files(story: StoryModel, current: StoryModel | None) -> None:
    """A page's image or audio names a file attached to this story (one GetItem per file the write
    adds), so a public link can never hand out another record's file."""
    known = _file_ids(current) if current is not None else set()
    errors = []
    for index, page in enumerate(story.pages or []):
        for name, file_id in _page_dict(page).items():
            if name == "text" or not file_id or file_id in known:
                continue
            item = find(FileModel, story.org_id, file_id)
            if item is None or (item.record_type, item.record_id) != ("stories", story.story_id):
                field = f"pages[{index}].{name}"
                errors.append({"field": field, "message": f"{field} names no file attached to this story"})
    if errors:
        raise ValidationFailed("A page names a file that is not attached to this story.", errors)


def _reference_checks(story: StoryModel, current: StoryModel | None) -> list[Change]:
    """The child, the universe and the characters a write sets or changes exist: the built-in ones
    in the catalogue, the family's own live in their tables (checked in the write's transaction)."""
    checks: list[Change] = []
    unknown_builtins = []
    if current is None or story.child_id != current.child_id:
        checks.append(reference_check(children, story.org_id, story.child_id, "child_id"))
    named = []
    if story.universe_id and (current is None or story.universe_id != current.universe_id):
        named.append(("universe_id", "universe", universes, story.universe_id))
    before = set(current.character_ids or []) if current is not None else set()
    named += [("character_ids", "character", characters, cid) for cid in story.character_ids or [] if cid not in before]
    for field, kind, table, record_id in named:
        if is_builtin(record_id):
            if builtin_view(kind, record_id) is None:
                unknown_builtins.append({"field": field, "message": f"{record_id} is no built-in {kind}"})
        else:
            checks.append(reference_check(table, story.org_id, record_id, field))
    if unknown_builtins:
        raise ValidationFailed("The story names an unknown built-in universe or character.", unknown_builtins)
    return checks


def _file_ids(story: StoryModel) -> set[str]:
    return {
        file_id
        for page in story.pages or []
        for name, file_id in _page_dict(page).items()
        if name != "text" and file_id
    }
