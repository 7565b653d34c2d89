"""Table `customers`: partition `org_id`, sort `customer_id` (time-ordered, so lists run oldest
first). Soft-deleted customers expire 30 days later (TTL `purge_at`); merged ones too.

Access pattern of each filter of GET /v1/customers (SearchableTable, chalicelib/platform/tables/search.py),
one Query per page; the first row that applies is the Query, the other filters its
FilterExpression (on the tag path: checked on the fetched page):

| filter / sort                                | served by                                          |
|----------------------------------------------|----------------------------------------------------|
| sort=name / -name, or name_prefix            | GSI by_name (org_id, name_sort): begins_with       |
| sort=updated / -updated, or updated range    | GSI by_updated (org_id, updated_sort): key range   |
| tag                                          | table tag_links ("<org>#customer#<tag>", customer_id) + one BatchGetItem |
| email_prefix                                 | GSI by_email (org_id, email_sort): begins_with     |
| owner (+ created range)                      | GSI by_owner ("<org>#<owner>", created_sort)       |
| status (+ created range)                     | GSI by_status ("<org>#<status>", created_sort)     |
| nothing / created range, sort=created/-created | the table (org_id, customer_id)                  |
"""
from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.search import (
    ByEmailIndex,
    SearchableRecord,
    SearchableTable,
)


class CustomerModel(SearchableRecord):
    Meta = table_meta("customers")

    customer_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    # Soft-deleted customers stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)
    # Set when POST /v1/customers/merge folded this customer into another (then soft-deleted).
    merged_into = UnicodeAttribute(null=True)

    email_sort = UnicodeAttribute(null=True)

    by_email = ByEmailIndex()


customers = SearchableTable(CustomerModel, "customer_id", "customer")
