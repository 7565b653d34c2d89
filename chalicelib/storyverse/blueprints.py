"""StoryVerse's blueprints, by domain, registered by app.py after the CRM's."""

STORYVERSE_BLUEPRINTS: tuple = (
    # Families
    # Stories
    # Generation
)
