"""/v1/universes: the built-in universes and the family's own (services/named_records.py)."""
from chalicelib.storyverse.stories.services.named_records import NamedRecords
from chalicelib.storyverse.stories.tables.universes import universes

records = NamedRecords(universes, "universes")
