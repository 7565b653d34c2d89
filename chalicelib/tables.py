"""Every table of every product: the platform's, then each product's (chalicelib/<product>/models.py).
Local table creation and the tests read them here, and `python -m chalicelib.tables` prints
infra/tables.json (what Terraform creates). The app itself never imports this module."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.crm.models import CRM_MODELS
from chalicelib.platform.models import PLATFORM_MODELS
from chalicelib.platform.tables.schema import describe
from chalicelib.storyverse.models import STORYVERSE_MODELS

ALL_MODELS = (*PLATFORM_MODELS, *CRM_MODELS, *STORYVERSE_MODELS)


def create_tables() -> None:
    """Create any missing table (local server or moto); in AWS, Terraform owns the tables."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(wait=True)


def tables() -> dict[str, dict[str, Any]]:
    return {model.Meta.logical_name: describe(model) for model in ALL_MODELS}


if __name__ == "__main__":
    print(json.dumps(tables(), indent=2, sort_keys=True))
