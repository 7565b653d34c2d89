"""Table `reports`: partition `org_id`, sort `report_id` (time-ordered).

Access patterns: GET one is a GetItem; the list (GET /v1/reports) is one Query of the table's own
key (org_id), oldest first; it takes no filters. A report's definition (filters, group_by,
measures, date_range, schedule) is stored as the API shows it; `last_run` says where its latest
results are."""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable


class ReportModel(TenantRecord):
    Meta = table_meta("reports")

    report_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    resource = UnicodeAttribute()
    # The user notified when a scheduled run finishes, and whose permissions a scheduled run has.
    owner = UnicodeAttribute()
    filters = MapAttribute(default=dict)
    group_by = ListAttribute(default=list)
    measures = ListAttribute(default=list)
    date_range = MapAttribute(null=True)
    schedule = MapAttribute(null=True)
    # The latest successful run (job id, time, columns, row counts, its files), set by the run
    # itself without a new version (services/report_runs.py).
    last_run = MapAttribute(null=True)
    # Deleted reports stay restorable for 30 days; then DynamoDB's TTL removes them.
    purge_at = TTLAttribute(null=True)


reports = TenantTable(ReportModel, "report_id", "report")
