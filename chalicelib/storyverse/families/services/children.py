"""A family's child profiles (/v1/children)."""
from __future__ import annotations

from chalicelib.storyverse.families.tables.children import children


def age_band_of(org_id: str, child_id: str) -> str:
    """The child's age band (one of restrictions.AGE_BANDS); NotFound for a missing or deleted child."""
    return children.get(org_id, child_id).age_band
