"""StoryVerse's blueprints, by domain, registered by app.py after the CRM's."""
from chalicelib.storyverse.families.routes.children import children_blueprint

STORYVERSE_BLUEPRINTS: tuple = (
    # Families
    children_blueprint,
    # Stories
    # Generation
)
