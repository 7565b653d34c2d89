"""Families: a parent's child profiles, the children's own logins and sessions, and the content
restrictions of each child's age band."""
