"""StoryVerse's record types files may be attached to, registered by app.py
(chalicelib/platform/attachables.py): stories, whose pages name their image and audio files. A
story's files are read through the story's own read, so they are as visible as the story: a
sibling's private story's files are 404 to a child."""
from chalicelib.platform.attachables import AttachableRecordType
from chalicelib.storyverse.stories.services import stories
from chalicelib.storyverse.stories.tables.stories import stories as stories_table

ATTACHABLE_RECORD_TYPES = (AttachableRecordType("stories", stories_table, stories.get_story),)
