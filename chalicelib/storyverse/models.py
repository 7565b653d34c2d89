"""StoryVerse's tables, by domain. Not imported by the app: local table creation, the tests and
infra/tables.json take them through chalicelib/tables.py."""

STORYVERSE_MODELS: tuple = (
    # Families
    # Stories
    # Generation
)
