"""The sales pipeline's stage rules, as plain data and one function, so tests can enumerate them.

    lead -> qualified -> proposal -> negotiation -> closed_won
      \\________\\___________\\____________\\-------> closed_lost (with a reason)

A move is one step forward; `closed_won` only from `negotiation`; `closed_lost` from any open
stage and only with a reason; a closed opportunity does not move again.
"""
from __future__ import annotations

from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.platform.services.org_settings import STAGES

OPEN_STAGES = ("lead", "qualified", "proposal", "negotiation")
CLOSED_STAGES = ("closed_won", "closed_lost")
FIRST_STAGE = "lead"
_NEXT = {"lead": "qualified", "qualified": "proposal", "proposal": "negotiation", "negotiation": "closed_won"}


def check_transition(current: str, target: str, reason: str | None) -> None:
    """Raise ValidationFailed (422) for an unknown stage or a loss without a reason, Conflict
    (409) for a move the pipeline does not allow; return when the move is legal."""
    if target not in STAGES:
        raise ValidationFailed(
            f"stage must be one of {', '.join(STAGES)}.", [{"field": "stage", "message": "unknown stage"}]
        )
    if target == "closed_lost" and not (reason and reason.strip()):
        raise ValidationFailed(
            "Closing an opportunity as lost needs a reason.", [{"field": "reason", "message": "reason is required"}]
        )
    if current in CLOSED_STAGES:
        raise Conflict(f"The opportunity is {current}; a closed opportunity does not change stage.",
                       current_stage=current)
    if target == "closed_lost" or _NEXT.get(current) == target:
        return
    if target == current:
        raise Conflict(f"The opportunity is already at {current}.", current_stage=current)
    if target == "closed_won":
        raise Conflict("closed_won is reached only from negotiation.", current_stage=current)
    raise Conflict(f"From {current} the next stage is {_NEXT[current]}; stages move one step forward.",
                   current_stage=current)


def is_legal(current: str, target: str, reason: str | None) -> bool:
    try:
        check_transition(current, target, reason)
    except (Conflict, ValidationFailed):
        return False
    return True
