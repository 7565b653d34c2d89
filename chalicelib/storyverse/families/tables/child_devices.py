"""Table `child_devices`: the device tokens a parent created for a child (a tablet that logs the
child in without a PIN). Partition `org_id`, sort `device_key` = "<child_id>#<device_id>".

Only the SHA-256 of a token is stored: a token carries 256 random bits, so a fast hash cannot be
reversed, and the token itself names its key (services/child_logins.py), so a login is one GetItem.
Access patterns: a child's devices = one Query of `device_key` beginning with "<child_id>#"; one
device (revoke, login) = GetItem.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import find, table_meta


class ChildDeviceModel(Model):
    Meta = table_meta("child_devices")

    org_id = UnicodeAttribute(hash_key=True)
    device_key = UnicodeAttribute(range_key=True)
    child_id = UnicodeAttribute()
    device_id = UnicodeAttribute()
    name = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    # Epoch seconds of the latest login with the token.
    last_used_at = NumberAttribute(null=True)


def device_key(child_id: str, device_id: str) -> str:
    return f"{child_id}#{device_id}"


def find_device(org_id: str, child_id: str, device_id: str, consistent: bool = False) -> ChildDeviceModel | None:
    return find(ChildDeviceModel, org_id, device_key(child_id, device_id), consistent=consistent)


def of_child(org_id: str, child_id: str) -> list[ChildDeviceModel]:
    """The child's devices, oldest first (a family has a handful, not thousands)."""
    return list(ChildDeviceModel.query(org_id, ChildDeviceModel.device_key.startswith(f"{child_id}#")))


def touch(device: ChildDeviceModel, now: int) -> None:
    device.update(actions=[ChildDeviceModel.last_used_at.set(now)])
