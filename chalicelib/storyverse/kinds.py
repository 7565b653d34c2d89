"""StoryVerse's record kinds that clients sync (GET/POST /v1/sync), registered by app.py
(chalicelib/platform/kinds.py), so the mobile app reads stories offline. A child syncs what the
REST routes show them: their own stories and the family's shared ones (services/stories.py)."""
from chalicelib.platform.kinds import RecordKind
from chalicelib.storyverse.stories.services import characters, stories, universes
from chalicelib.storyverse.stories.services.named_records import NamedRecords
from chalicelib.storyverse.stories.tables.stories import stories as stories_table


def _named(records: NamedRecords, read: str) -> RecordKind:
    return RecordKind(records.table, read, records.view, records.create, records.patch, records.delete)


RECORD_KINDS = (
    # Stories
    RecordKind(
        stories_table, "stories:read", stories.story_view, stories.create_story, stories.patch_story, stories.delete_story,
        visible=stories.visible_to,
    ),
    _named(characters.records, "characters:read"),
    _named(universes.records, "universes:read"),
)
