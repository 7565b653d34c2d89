"""StoryVerse: stories for families (design note 004), the second product on the platform.

A family is an organization: its owner is the parent; children have profiles and may log in with
their own role. Three domains, each with the platform's layers (routes -> services -> tables):
families (children, child logins, age-band content restrictions), stories (stories, characters,
universes, sharing) and generation (text, image and narration jobs, metered by the family's tier).
It imports the platform, never the CRM (.importlinter).
"""
