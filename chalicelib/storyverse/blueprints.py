"""StoryVerse's blueprints, by domain, registered by app.py after the CRM's."""
from chalicelib.storyverse.families.routes.children import children_blueprint
from chalicelib.storyverse.generation.routes.generation import generation_blueprint
from chalicelib.storyverse.stories.routes.named_records import named_records_blueprint
from chalicelib.storyverse.stories.routes.stories import stories_blueprint

STORYVERSE_BLUEPRINTS: tuple = (
    # Families
    children_blueprint,
    # Stories
    stories_blueprint,
    named_records_blueprint,
    # Generation
    generation_blueprint,
)
