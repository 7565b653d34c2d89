"""/v1/characters: the built-in characters and the family's own (services/named_records.py)."""
from chalicelib.storyverse.stories.services.named_records import NamedRecords
from chalicelib.storyverse.stories.tables.characters import characters

records = NamedRecords(characters, "characters")
