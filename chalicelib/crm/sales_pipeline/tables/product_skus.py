"""Table `product_skus`: partition `org_id`, sort `sku` (upper-cased), attribute `product_id`.
One claim per SKU makes SKUs unique per organization: a product's create, SKU change, delete and
restore put or release its claim in the same transaction, and a put on a taken SKU fails its
condition (409). DynamoDB has no unique constraints on non-key attributes; this is the pattern."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.core.errors import Conflict
from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.writes import Change


class ProductSkuModel(Model):
    Meta = table_meta("product_skus")

    org_id = UnicodeAttribute(hash_key=True)
    sku = UnicodeAttribute(range_key=True)
    product_id = UnicodeAttribute()


def sku_key(sku: str) -> str:
    return sku.upper()


def claim(org_id: str, sku: str, product_id: str) -> Change:
    return Change(
        "put",
        ProductSkuModel(org_id, sku_key(sku), product_id=product_id),
        condition=ProductSkuModel.sku.does_not_exist(),
        on_condition_failed=Conflict(f"Another product of this organization has the SKU {sku}.", field="sku"),
    )


def release(org_id: str, sku: str, product_id: str) -> Change:
    return Change(
        "delete",
        ProductSkuModel(org_id, sku_key(sku)),
        condition=ProductSkuModel.product_id == product_id,
        on_condition_failed=Conflict("The product's SKU changed while this request ran; retry."),
    )
