"""Table `kb_articles`: partition `org_id`, sort `article_id` (time-ordered).

GET /v1/kb/articles is one Query per page; the plan takes the first row that applies and checks the
other filters on that same request (FilterExpression, or on the fetched page for the tag path):

| filter                              | served by                                                   |
|-------------------------------------|-------------------------------------------------------------|
| tag                                 | table tag_links ("<org>#kb_article#<tag>", article_id) + one BatchGetItem |
| status (+ title_prefix)             | GSI by_status_title (org_status = "<org>#<status>", title_sort): begins_with |
| title_prefix                        | GSI by_title (org_id, title_sort): begins_with               |
| nothing                             | the table (org_id, article_id), oldest first                 |

`title_sort` is the lower-cased title, so the prefix match is case-insensitive and title paths
list in title order. Callers who cannot write kb see published articles only: their lists always
take the status path with status=published.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.platform.tables.base import global_index, table_meta
from chalicelib.platform.tables.tag_links import link_changes
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class KbArticleModel(TenantRecord):
    Meta = table_meta("kb_articles")

    article_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    # Deleted articles stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    title_sort = UnicodeAttribute()
    org_status = UnicodeAttribute()

    by_title = global_index("by_title", "org_id", "title_sort")
    by_status_title = global_index("by_status_title", "org_status", "title_sort")


class KbArticleTable(TenantTable[KbArticleModel]):
    """Articles plus their tag links, written in the same transaction."""

    def __init__(self) -> None:
        super().__init__(
            KbArticleModel,
            "article_id",
            "kb_article",
            derive=lambda item: {"title_sort": item.title.lower(), "org_status": f"{item.org_id}#{item.status}"},
            derived_attributes=frozenset({"title_sort", "org_status"}),
            feed_kind="kb/articles",
        )

    def creation(self, item: KbArticleModel, actor: str) -> list[Any]:
        return super().creation(item, actor) + link_changes(item.org_id, self.kind, item.article_id, [], list(item.tags or []))

    def modification(self, current: KbArticleModel, changes: dict[str, Any], actor: str, action: str = "updated",
                     deleted: bool = False) -> tuple[list[Any], KbArticleModel]:
        parts, updated = super().modification(current, changes, actor, action, deleted)
        if parts and "tags" in changes:
            parts += link_changes(current.org_id, self.kind, current.article_id, list(current.tags or []),
                                  list(updated.tags or []))
        return parts, updated


kb_articles = KbArticleTable()
