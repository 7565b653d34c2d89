"""StoryVerse's blueprints, by domain, registered by app.py after the CRM's."""
from chalicelib.storyverse.generation.routes.generation import generation_blueprint

STORYVERSE_BLUEPRINTS: tuple = (
    # Families
    # Stories
    # Generation
    generation_blueprint,
)
