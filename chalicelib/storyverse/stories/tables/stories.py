"""Table `stories`: partition `org_id` (the family), sort `story_id` (time-ordered, so lists run
oldest first). A story carries its pages inline (text, image file, audio file), so a story is one
GetItem and a page's write one conditional UpdateItem. Soft-deleted stories expire 30 days later
(TTL `purge_at`).

Each list filter is served by a key or an index; the first one present in this order picks the
index and the others filter the same Query:

| filter   | served by                                                    |
|----------|--------------------------------------------------------------|
| child_id | GSI by_child   (org_child   = "<org>#<child_id>", story_id)  |
| status   | GSI by_status  (org_status  = "<org>#<status>",   story_id)  |
| sharing  | GSI by_sharing (org_sharing = "<org>#<sharing>",  story_id)  |
| none     | the table (org_id, story_id)                                 |

A public link is found by its token's SHA-256 (`share_token_hash`): the sparse GSI by_share_token
holds only stories shared by link, keyed by that hash, so an unauthenticated reader's token is
looked up by key; the token itself is never stored.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.platform.tables.base import equality_filter_page, find, global_index, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class Page(MapAttribute):
    text = UnicodeAttribute(null=True)
    image_file_id = UnicodeAttribute(null=True)
    audio_file_id = UnicodeAttribute(null=True)


class StoryModel(TenantRecord):
    Meta = table_meta("stories")

    story_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    child_id = UnicodeAttribute()
    universe_id = UnicodeAttribute(null=True)
    character_ids = ListAttribute(of=UnicodeAttribute, default=list)
    theme = UnicodeAttribute(null=True)
    pages = ListAttribute(of=Page, default=list)
    status = UnicodeAttribute()
    sharing = UnicodeAttribute()
    share_token_hash = UnicodeAttribute(null=True)
    shared_at = UTCDateTimeAttribute(null=True)
    purge_at = TTLAttribute(null=True)

    org_child = UnicodeAttribute()
    org_status = UnicodeAttribute()
    org_sharing = UnicodeAttribute()

    by_child = global_index("by_child", "org_child", "story_id")
    by_status = global_index("by_status", "org_status", "story_id")
    by_sharing = global_index("by_sharing", "org_sharing", "story_id")
    by_share_token = global_index("by_share_token", "share_token_hash")


INDEXED_FILTERS = (
    ("child_id", "by_child", "org_child"),
    ("status", "by_status", "org_status"),
    ("sharing", "by_sharing", "org_sharing"),
)


def index_keys(item: StoryModel) -> dict[str, Any]:
    return {
        "org_child": f"{item.org_id}#{item.child_id}",
        "org_status": f"{item.org_id}#{item.status}",
        "org_sharing": f"{item.org_id}#{item.sharing}",
    }


stories = TenantTable(
    StoryModel,
    "story_id",
    "story",
    derive=index_keys,
    derived_attributes=frozenset({"org_child", "org_status", "org_sharing"}),
    feed_kind="stories",
)


def story_page(
    org_id: str,
    filters: Mapping[str, str],
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
    child_id: str | None = None,
) -> tuple[list[StoryModel], str | None]:
    """A page of live stories matching the equality filters (the first indexed one present picks
    the index, the others filter the same Query). With `child_id`, only what that child sees:
    their own stories and the family's shared ones."""
    seen_by_child = None
    if child_id is not None:
        seen_by_child = (StoryModel.child_id == child_id) | (StoryModel.sharing != "private")
    return equality_filter_page(
        StoryModel, org_id, filters, INDEXED_FILTERS, {name: name for name, _, _ in INDEXED_FILTERS},
        frozenset({"story_id"}), limit, cursor, newest_first=newest_first, narrowed_by=seen_by_child,
    )  # fmt: skip


def shared_by_token(token_hash: str) -> StoryModel | None:
    """The live story a public link's token hash names: one Query of the sparse index, then the
    story itself read consistently, so a revoked or replaced link stops working at once."""
    for entry in StoryModel.by_share_token.query(token_hash, limit=1):
        story = find(StoryModel, entry.org_id, entry.story_id, consistent=True)
        if story is not None and story.deleted_at is None and story.share_token_hash == token_hash and story.sharing == "public":
            return story
    return None
