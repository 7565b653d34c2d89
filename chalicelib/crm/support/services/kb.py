"""Knowledge base articles: drafts, publishing, search by title prefix and tag.

Visibility: callers with kb:write (owners, admins, members) see drafts and published articles;
everyone else (viewers, custom roles with kb:read only) sees published articles only: a draft
answers 404 to them and their lists are confined to status=published.
"""
from __future__ import annotations

from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict
from chalicelib.core.ids import new_id
from chalicelib.core.search import list_filters, normalize_tags
from chalicelib.core.validation import validate
from chalicelib.crm.support.tables.kb_articles import KbArticleModel, kb_articles
from chalicelib.observability import count
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.base import query_page
from chalicelib.platform.tables.tag_links import TagLinkModel, tag_key
from chalicelib.platform.tables.writes import commit

STATUSES = ("draft", "published")
LIST_FILTERS = ("title_prefix", "tag", "status")
# The values a list filter takes (the rest: 1 to 200 characters), checked by list_filters and
# declared in the OpenAPI document (routes: RecordSchemas(choices=...)).
LIST_CHOICES = {"status": STATUSES}
_TAGS = {
    "type": "array",
    "maxItems": 50,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[^#]+$"},
}
_FIELDS: dict[str, Any] = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "body": {"type": "string", "minLength": 1, "maxLength": 100_000},
    "tags": _TAGS,
}
ARTICLE_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["title", "body"], "properties": _FIELDS}
PATCH_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    # Publishing has its own route (it stamps published_at); a PATCH may only take an article back to draft.
    "properties": {**_FIELDS, "tags": {"oneOf": [_TAGS, {"type": "null"}]}, "status": {"type": "string", "enum": ["draft"]}},
}


def create_article(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(ARTICLE_SCHEMA, body)
    article = KbArticleModel(principal.org_id, new_id(), title=fields["title"], body=fields["body"],
                             tags=normalize_tags(fields.get("tags", [])), status="draft")
    kb_articles.insert(article, principal.user_id)
    count("KbArticleCreated")
    return article_view(article)


def get_article(principal: Principal, article_id: str) -> dict[str, Any]:
    article = kb_articles.get(principal.org_id, article_id)
    if not visible_to(principal, article):
        raise kb_articles.not_found()
    return article_view(article)


def list_articles(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    filters = list_filters(query, LIST_FILTERS, LIST_CHOICES)
    if not _sees_drafts(principal):
        if filters.get("status", "published") != "published":
            return {"items": [], "next_cursor": None}
        filters["status"] = "published"
    org_id = principal.org_id
    model = KbArticleModel
    prefix = filters.get("title_prefix", "").lower() or None
    if "tag" in filters:
        return _by_tag(org_id, filters, limit, cursor)
    live = model.deleted_at.does_not_exist()
    if "status" in filters:
        key = f"{org_id}#{filters['status']}"
        items, next_cursor = query_page(
            model.by_status_title, model, {"org_id": org_id, "org_status": key}, key,
            frozenset({"article_id", "title_sort"}), limit, cursor,
            range_key_condition=model.title_sort.startswith(prefix) if prefix else None, filter_condition=live,
        )
    elif prefix:
        items, next_cursor = query_page(
            model.by_title, model, {"org_id": org_id}, org_id, frozenset({"article_id", "title_sort"}), limit, cursor,
            range_key_condition=model.title_sort.startswith(prefix), filter_condition=live,
        )
    else:
        items, next_cursor = kb_articles.page(org_id, limit, cursor)
    return {"items": [article_view(item) for item in items], "next_cursor": next_cursor}


def replace_article(principal: Principal, article_id: str, body: Any, expected_version: int) -> dict[str, Any]:
    fields = validate(ARTICLE_SCHEMA, body)
    return _apply(principal, article_id, {"tags": [], **fields}, expected_version)


def patch_article(principal: Principal, article_id: str, body: Any, expected_version: int | None) -> dict[str, Any]:
    changes = validate(PATCH_SCHEMA, body)
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    if changes.get("status") == "draft":
        changes["published_at"] = None
    return _apply(principal, article_id, changes, expected_version)


def publish_article(principal: Principal, article_id: str, expected_version: int | None) -> dict[str, Any]:
    current = kb_articles.get(principal.org_id, article_id)
    kb_articles.check_version(current, expected_version)
    if current.status == "published":
        raise Conflict("This article is already published.", field="status")
    parts, published = kb_articles.modification(current, {"status": "published", "published_at": clock.now()},
                                                principal.user_id, action="published")
    commit(parts)
    count("KbArticlePublished")
    return article_view(published)


def delete_article(principal: Principal, article_id: str, expected_version: int | None) -> None:
    kb_articles.soft_delete(principal.org_id, article_id, expected_version, principal.user_id)
    count("KbArticleDeleted")


def restore_article(principal: Principal, article_id: str) -> dict[str, Any]:
    article = kb_articles.restore(principal.org_id, article_id, principal.user_id)
    count("KbArticleRestored")
    return article_view(article)


def article_view(article: KbArticleModel) -> dict[str, Any]:
    return {
        "id": article.article_id,
        "title": article.title,
        "body": article.body,
        "tags": list(article.tags or []),
        "status": article.status,
        "published_at": clock.isoformat(article.published_at) if article.published_at else None,
        "created_by": article.created_by,
        "created_at": clock.isoformat(article.created_at),
        "updated_at": clock.isoformat(article.updated_at),
        "version": article.version,
    }


def _apply(principal: Principal, article_id: str, changes: dict[str, Any], expected_version: int | None) -> dict[str, Any]:
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    article = kb_articles.update(principal.org_id, article_id, changes, expected_version, principal.user_id)
    count("KbArticleUpdated")
    return article_view(article)


def _by_tag(org_id: str, filters: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    """Queries of tag_links, each with one BatchGetItem of the articles it names; the other filters
    are checked on the articles fetched."""
    links_key = tag_key(org_id, kb_articles.kind, filters["tag"])
    prefix = filters.get("title_prefix", "").lower()

    def articles(links: list[TagLinkModel]) -> list[KbArticleModel | None]:
        keys = [(org_id, link.record_id) for link in links]
        found = {item.article_id: item for item in KbArticleModel.batch_get(keys)} if keys else {}
        chosen = [found.get(link.record_id) for link in links]
        return [
            item
            if item is not None
            and item.deleted_at is None
            and item.title_sort.startswith(prefix)
            and filters.get("status", item.status) == item.status
            else None
            for item in chosen
        ]

    items, next_cursor = query_page(TagLinkModel, TagLinkModel, {"tag_key": links_key}, links_key,
                                    frozenset({"record_id"}), limit, cursor, select=articles)
    return {"items": [article_view(item) for item in items], "next_cursor": next_cursor}


def visible_to(principal: Principal, article: KbArticleModel) -> bool:
    """Published articles are for every reader, drafts for those who may write them."""
    return article.status == "published" or _sees_drafts(principal)


def _sees_drafts(principal: Principal) -> bool:
    return "kb:write" in principal.permissions
