"""Search over a tenant's records, each filter served by a key or an index, never a Scan.

A searchable record (SearchableRecord) has the derived attributes below and the indexes; one with
an email adds `by_email = email_index()`. The plan picks one access path:

| request                                   | served by                                           |
|-------------------------------------------|-----------------------------------------------------|
| q (a prefix of the name or the email)     | GSI by_name begins_with, then GSI by_email          |
|                                           | begins_with minus the names already listed          |
| sort=name / -name (or name_prefix)        | GSI by_name (org_id, name_sort): begins_with prefix  |
| sort=updated / -updated (or updated range)| GSI by_updated (org_id, updated_sort): key range     |
| company_id / customer_id (a link)         | GSI by_company / by_customer (org#<id>, <kind>_id): |
|                                           | created range (declared by the record types linked) |
| tag                                       | table tag_links (org#kind#tag, record_id) + BatchGet |
| email_prefix                              | GSI by_email (org_id, email_sort): begins_with       |
| owner                                     | GSI by_owner (org#owner, created_sort): created range|
| status                                    | GSI by_status (org#status, created_sort)            |
| nothing, or only a created range          | the table (org_id, id): ids sort by creation time    |

Filters not served by the chosen path are applied by DynamoDB as a FilterExpression on that same
Query (or, on the tag path, to the fetched records); when they leave a page short, query_page
queries on, up to its bound (platform/tables/base.py), to fill it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex

from chalicelib.core import clock
from chalicelib.core.ids import id_bound
from chalicelib.core.search import SearchSpec
from chalicelib.core.cursors import decode_cursor, encode_cursor
from chalicelib.core.errors import MalformedRequest
from chalicelib.platform.tables.base import MAX_QUERIES_PER_PAGE, global_index, query_page
from chalicelib.platform.tables.tag_links import TagLinkModel, link_changes, tag_key
from chalicelib.platform.tables.tenant_table import M, TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change

# A link to another record (the filter named like the attribute) -> the index serving it and its
# partition attribute "<org>#<linked id>". A record type with the link declares both
# (`link_index(...)`); SearchableTable derives the partition attribute of those it declares.
LINK_INDEXES = {"company_id": ("by_company", "org_company"), "customer_id": ("by_customer", "org_customer")}
SEARCH_ATTRIBUTES = frozenset(
    {"name_sort", "email_sort", "org_status", "org_owner", "updated_sort", "created_sort"}
    | {partition for _, partition in LINK_INDEXES.values()}
)


@dataclass(frozen=True)
class _AccessPath:
    """What one search queries: the table or an index, its partition, and the filters it serves."""

    source: Any
    hash_attribute: str
    hash_value: str
    range_attribute: str
    key: Condition | None
    served: frozenset[str]


class SearchableRecord(TenantRecord):
    """A tenant record with a name, tags, a status, an owner and custom fields, restorable for 30
    days after a delete, and the attributes and indexes that serve search. A record with an email
    declares `email` and `by_email = email_index()`; its own fields and sort key it declares too."""

    # Team-owned: its owner, and maybe a team, decide who sees it under team visibility (visibility.py).
    VISIBLE_TO = "owner"

    name = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    owner = UnicodeAttribute(null=True)
    owner_team_id = UnicodeAttribute(null=True)
    custom_fields = MapAttribute(default=dict)
    # Soft-deleted records stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)

    name_sort = UnicodeAttribute()
    # Empty without an email: SearchableTable derives it for every record.
    email_sort = UnicodeAttribute(null=True)
    org_status = UnicodeAttribute()
    org_owner = UnicodeAttribute(null=True)
    updated_sort = UnicodeAttribute()
    created_sort = UnicodeAttribute()

    by_name = global_index("by_name", "org_id", "name_sort")
    by_status = global_index("by_status", "org_status", "created_sort")
    by_owner = global_index("by_owner", "org_owner", "created_sort")
    by_updated = global_index("by_updated", "org_id", "updated_sort")


def email_index() -> GlobalSecondaryIndex:
    return global_index("by_email", "org_id", "email_sort")


def link_index(link: str, sort_attribute: str) -> GlobalSecondaryIndex:
    """The index of a link (LINK_INDEXES), sorted by the record's time-ordered id."""
    name, partition = LINK_INDEXES[link]
    return global_index(name, partition, sort_attribute)


class SearchableTable(TenantTable[M]):
    """A tenant table whose records have name, status, owner, tags and maybe email and links."""

    def __init__(self, model: type[M], sort_attribute: str, kind: str, feed_kind: str | None = None) -> None:
        super().__init__(
            model, sort_attribute, kind, derive=self.search_keys, derived_attributes=SEARCH_ATTRIBUTES, feed_kind=feed_kind
        )
        self.links = tuple(link for link, (index, _) in LINK_INDEXES.items() if hasattr(model, index))

    def search_keys(self, item: M) -> dict[str, Any]:
        email = getattr(item, "email", None)
        links = {
            LINK_INDEXES[link][1]: f"{item.org_id}#{getattr(item, link)}" if getattr(item, link) else None
            for link in self.links
        }
        return {
            **links,
            "name_sort": item.name.lower(),
            "email_sort": email.lower() if email else None,
            "org_status": f"{item.org_id}#{item.status}",
            "org_owner": f"{item.org_id}#{item.owner}" if item.owner else None,
            "updated_sort": clock.isoformat(item.updated_at),
            "created_sort": getattr(item, self.sort_attribute),
        }

    def creation(self, item: M, actor: str) -> list[Change]:
        return super().creation(item, actor) + link_changes(
            item.org_id, self.kind, self.record_id(item), [], list(item.tags or [])
        )

    def modification(self, current: M, changes: dict[str, Any], actor: str, action: str = "updated", deleted: bool = False):
        parts, updated = super().modification(current, changes, actor, action, deleted)
        if parts and "tags" in changes:
            parts += link_changes(current.org_id, self.kind, self.record_id(current), list(current.tags or []), list(updated.tags or []))
        return parts, updated

    def search(self, org_id: str, spec: SearchSpec, limit: int, cursor: str | None) -> tuple[list[M], str | None]:
        if spec.q:
            return self._search_by_q(org_id, spec, limit, cursor)
        # A link is more selective than a tag: its index serves it, the tag is then a filter.
        if spec.tag and not spec.links and spec.sort_field not in ("name", "updated"):
            return self._search_by_tag(org_id, spec, limit, cursor)
        path = self._plan(org_id, spec)
        return query_page(
            path.source,
            self.model,
            {"org_id": org_id, path.hash_attribute: path.hash_value},
            path.hash_value,
            frozenset({self.sort_attribute, path.range_attribute}),
            limit,
            cursor,
            range_key_condition=path.key,
            filter_condition=self._filters(spec, path.served),
            newest_first=spec.newest_first,
        )

    def _search_by_q(self, org_id: str, spec: SearchSpec, limit: int, cursor: str | None) -> tuple[list[M], str | None]:
        """Records whose name starts with q, by name (GSI by_name); then those whose email starts
        with q but whose name does not, by email (GSI by_email), so none is listed twice. A page
        may span both, each taking half of the Query budget; the cursor says which it is in."""
        model = self.model
        prefix = spec.q.lower()
        name_keys = frozenset({self.sort_attribute, "name_sort"})
        email_keys = frozenset({self.sort_attribute, "email_sort"})
        has_email = hasattr(model, "by_email")
        budget = MAX_QUERIES_PER_PAGE // 2 if has_email else MAX_QUERIES_PER_PAGE
        filters = self._filters(spec, frozenset())
        items: list[M] = []
        email_start = frozenset({_EMAIL_PHASE})
        if not (has_email and (_decodes_as(cursor, email_keys) or _decodes_as(cursor, email_start))):
            items, next_cursor = query_page(
                model.by_name, model, {"org_id": org_id}, org_id, name_keys, limit, cursor,
                range_key_condition=model.name_sort.startswith(prefix), filter_condition=filters, max_queries=budget,
            )
            if next_cursor or not has_email:
                return items, next_cursor
            if len(items) == limit:
                return items, encode_cursor({_EMAIL_PHASE: "start"})
            cursor = None
        elif _decodes_as(cursor, email_start):
            cursor = None
        more, next_cursor = query_page(
            model.by_email, model, {"org_id": org_id}, org_id, email_keys, limit - len(items), cursor,
            range_key_condition=model.email_sort.startswith(prefix),
            filter_condition=filters & ~model.name_sort.startswith(prefix), max_queries=budget,
        )
        return items + more, next_cursor

    def _plan(self, org_id: str, spec: SearchSpec) -> _AccessPath:
        """The one key or index this search queries (the module docstring's table, in order)."""
        model = self.model
        sort_field = spec.sort_field
        created = frozenset({"created_after", "created_before"})
        links = spec.links
        if links and sort_field in (None, "created"):
            link, linked_id = next(iter(links.items()))
            index, partition = LINK_INDEXES[link]
            return _AccessPath(
                getattr(model, index), partition, f"{org_id}#{linked_id}", self.sort_attribute,
                _created_range(getattr(model, self.sort_attribute), spec), created | {link},
            )
        if sort_field == "name" or (sort_field is None and spec.name_prefix and not spec.email_prefix):
            key = model.name_sort.startswith(spec.name_prefix.lower()) if spec.name_prefix else None
            return _AccessPath(model.by_name, "org_id", org_id, "name_sort", key, frozenset({"name_prefix"}))
        updated_range = spec.updated_after or spec.updated_before
        if sort_field == "updated" or (
            sort_field is None and updated_range and not (spec.email_prefix or spec.owner or spec.status)
        ):
            key = _between(model.updated_sort, _iso(spec.updated_after), _iso(spec.updated_before))
            return _AccessPath(
                model.by_updated, "org_id", org_id, "updated_sort", key, frozenset({"updated_after", "updated_before"})
            )
        if sort_field is None and spec.email_prefix:
            key = model.email_sort.startswith(spec.email_prefix.lower())
            return _AccessPath(model.by_email, "org_id", org_id, "email_sort", key, frozenset({"email_prefix"}))
        if spec.owner:
            key = _created_range(model.created_sort, spec)
            return _AccessPath(
                model.by_owner, "org_owner", f"{org_id}#{spec.owner}", "created_sort", key, created | {"owner"}
            )
        if spec.status:
            key = _created_range(model.created_sort, spec)
            return _AccessPath(
                model.by_status, "org_status", f"{org_id}#{spec.status}", "created_sort", key, created | {"status"}
            )
        key = _created_range(getattr(model, self.sort_attribute), spec)
        return _AccessPath(model, "org_id", org_id, self.sort_attribute, key, created)

    def _filters(self, spec: SearchSpec, served: frozenset[str]) -> Condition:
        model = self.model
        condition: Condition = model.deleted_at.does_not_exist()
        if spec.status and "status" not in served:
            condition &= model.status == spec.status
        if spec.owner and "owner" not in served:
            condition &= model.owner == spec.owner
        if spec.tag:
            condition &= model.tags.contains(spec.tag.lower())
        for link, linked_id in spec.links.items():
            if link not in served:
                condition &= getattr(model, link) == linked_id
        if spec.name_prefix and "name_prefix" not in served:
            condition &= model.name_sort.startswith(spec.name_prefix.lower())
        if spec.email_prefix and "email_prefix" not in served:
            condition &= model.email_sort.startswith(spec.email_prefix.lower())
        if "created_after" not in served:
            created = _between(model.created_sort, _low_id(spec.created_after), _high_id(spec.created_before))
            if created is not None:
                condition &= created
        if "updated_after" not in served:
            updated = _between(model.updated_sort, _iso(spec.updated_after), _iso(spec.updated_before))
            if updated is not None:
                condition &= updated
        return condition

    def _search_by_tag(self, org_id: str, spec: SearchSpec, limit: int, cursor: str | None) -> tuple[list[M], str | None]:
        """Queries of tag_links, each with one BatchGetItem of the records it names."""
        links_key = tag_key(org_id, self.kind, spec.tag)
        key = _between(TagLinkModel.record_id, _low_id(spec.created_after), _high_id(spec.created_before))

        def records(links: list[TagLinkModel]) -> list[M | None]:
            keys = [(org_id, link.record_id) for link in links]
            found = {self.record_id(item): item for item in self.model.batch_get(keys)} if keys else {}
            chosen = [found.get(link.record_id) for link in links]
            return [item if item is not None and _matches(item, spec) else None for item in chosen]

        return query_page(
            TagLinkModel,
            TagLinkModel,
            {"tag_key": links_key},
            links_key,
            frozenset({"record_id"}),
            limit,
            cursor,
            range_key_condition=key,
            newest_first=spec.newest_first,
            select=records,
        )


# The cursor of a q search whose name matches filled the page exactly: its email matches start next.
_EMAIL_PHASE = "q_email"


def _decodes_as(cursor: str | None, attributes: frozenset[str]) -> bool:
    """Whether `cursor` holds these attributes, i.e. which part of a q search it continues."""
    try:
        return decode_cursor(cursor, attributes) is not None
    except MalformedRequest:
        return False


def _matches(item: Any, spec: SearchSpec) -> bool:
    """The tag path's filters, evaluated in Python over the page it fetched."""
    checks = [
        item.deleted_at is None,
        spec.status is None or item.status == spec.status,
        spec.owner is None or item.owner == spec.owner,
        spec.name_prefix is None or item.name_sort.startswith(spec.name_prefix.lower()),
        spec.email_prefix is None or (item.email_sort or "").startswith(spec.email_prefix.lower()),
        spec.updated_after is None or item.updated_sort >= _iso(spec.updated_after),
        spec.updated_before is None or item.updated_sort <= _iso(spec.updated_before),
        *(getattr(item, link, None) == linked_id for link, linked_id in spec.links.items()),
    ]
    return all(checks)


def _between(attribute: Any, low: str | None, high: str | None) -> Condition | None:
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    if high:
        return attribute <= high
    return None


def _created_range(attribute: Any, spec: SearchSpec) -> Condition | None:
    return _between(attribute, _low_id(spec.created_after), _high_id(spec.created_before))


def _iso(moment: Any) -> str | None:
    return clock.isoformat(moment) if moment else None


def _low_id(moment: Any) -> str | None:
    return id_bound(moment, upper=False) if moment else None


def _high_id(moment: Any) -> str | None:
    return id_bound(moment, upper=True) if moment else None
