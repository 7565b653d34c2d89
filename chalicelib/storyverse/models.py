"""StoryVerse's tables, by domain. Not imported by the app: local table creation, the tests and
infra/tables.json take them through chalicelib/tables.py."""
from chalicelib.storyverse.families.tables.child_devices import ChildDeviceModel
from chalicelib.storyverse.families.tables.children import ChildModel
from chalicelib.storyverse.stories.tables.characters import CharacterModel
from chalicelib.storyverse.stories.tables.stories import StoryModel
from chalicelib.storyverse.stories.tables.universes import UniverseModel

STORYVERSE_MODELS: tuple = (
    # Families
    ChildModel,
    ChildDeviceModel,
    # Stories
    StoryModel, CharacterModel, UniverseModel,
    # Generation
)
