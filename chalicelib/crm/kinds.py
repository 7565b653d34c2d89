"""The CRM's record kinds that clients sync (GET/POST /v1/sync), registered by app.py
(chalicelib/platform/kinds.py). A note or an activity is read with the customers permission, as on
its REST routes; a knowledge-base draft only by those who may write articles."""
from chalicelib.crm.contact_management.services import activities, companies, contacts, customers, leads, notes
from chalicelib.crm.contact_management.tables.activities import activities as activities_table
from chalicelib.crm.contact_management.tables.notes import notes as notes_table
from chalicelib.crm.sales_pipeline.services import deals, opportunities
from chalicelib.crm.sales_pipeline.tables.deals import deals as deals_table
from chalicelib.crm.sales_pipeline.tables.opportunities import opportunities as opportunities_table
from chalicelib.crm.support.services import kb, tickets
from chalicelib.crm.support.tables.kb_articles import kb_articles
from chalicelib.crm.support.tables.tickets import tickets as tickets_table
from chalicelib.platform.kinds import RecordKind
from chalicelib.platform.services.records import SearchableRecords


def _searchable(records: SearchableRecords, read: str) -> RecordKind:
    return RecordKind(records.table, read, records.view, records.create, records.patch, records.delete)


RECORD_KINDS = (
    # Contact management
    _searchable(customers.records, "customers:read"),
    RecordKind(notes_table, "customers:read", notes.note_view, notes.create_note, notes.patch_note, notes.delete_note),
    RecordKind(
        activities_table, "customers:read", activities.activity_view,
        activities.create_activity, activities.patch_activity, activities.delete_activity,
    ),
    _searchable(leads.records, "leads:read"),
    _searchable(contacts.records, "contacts:read"),
    _searchable(companies.records, "companies:read"),
    # Sales pipeline
    RecordKind(
        opportunities_table, "opportunities:read", opportunities.opportunity_view,
        opportunities.create_opportunity, opportunities.patch_opportunity, opportunities.delete_opportunity,
    ),
    RecordKind(deals_table, "deals:read", deals.deal_view, deals.create_deal, deals.patch_deal, deals.delete_deal),
    # Support
    RecordKind(
        tickets_table, "tickets:read", tickets.ticket_view, tickets.create_ticket, tickets.patch_ticket, tickets.delete_ticket,
    ),
    RecordKind(
        kb_articles, "kb:read", kb.article_view, kb.create_article, kb.patch_article, kb.delete_article,
        visible=kb.visible_to,
    ),
)
