"""Leads: prospects not yet customers, and their conversion into a customer, a contact and
(optionally) an opportunity in one transaction."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.documents import NUMBER_LIMITS
from chalicelib.core.ids import new_id
from chalicelib.core.validation import validate
from chalicelib.crm.contact_management.tables.companies import CompanyModel, companies, named
from chalicelib.crm.contact_management.tables.contacts import ContactModel, contacts
from chalicelib.crm.contact_management.tables.customers import CustomerModel, customers
from chalicelib.crm.contact_management.tables.leads import LeadModel, lead_counted, leads
from chalicelib.crm.sales_pipeline.tables.opportunities import OpportunityModel, StageChange, opportunities, opportunity_counted
from chalicelib.observability import count
from chalicelib.platform.services.custom_fields import carried_over
from chalicelib.platform.services.org_settings import STAGES, settings_of
from chalicelib.platform.services.records import SearchableRecords, shared_fields
from chalicelib.platform.services.representations import PersonName
from chalicelib.platform.services.roles import Principal
from chalicelib.platform.tables.references import reference_check
from chalicelib.platform.tables.owned_counters import NOTHING, recount
from chalicelib.platform.tables.writes import Change, commit, plain, transaction_items

CONVERTED = "converted"
# "converted" is set by POST /v1/leads/{id}/convert only.
STATUSES = ["new", "contacted", "qualified", "unqualified", CONVERTED]
EDITABLE_STATUSES = STATUSES[:-1]
FIRST_STAGE = STAGES[0]
DEFAULT_CLOSE_IN = timedelta(days=30)
# DynamoDB's limit of items in one TransactWriteItems; a conversion without tags uses at most 21
# (the change-feed items of its five records, the feed head and the owner's counters included).
MAX_TRANSACTION_ITEMS = 100
CONVERTIBLE_TAGS = (MAX_TRANSACTION_ITEMS - 21) // 2

PROPERTIES: dict[str, Any] = {
    **shared_fields("name", "email", "phone", "company", "tags", "owner", "custom_fields"),
    "source": {"type": ["string", "null"], "maxLength": 100},
    "status": {"type": "string", "enum": EDITABLE_STATUSES},
}
CONVERT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "create_opportunity": {"type": "boolean"},
        "opportunity_name": {"type": "string", "minLength": 1, "maxLength": 200},
        "amount": {"type": "number", **NUMBER_LIMITS, "minimum": 0},
        "close_date": {"type": "string", "format": "date"},
        # An existing company to link; without it, the lead's free-text company is looked up by name.
        "company_id": {"type": "string", "minLength": 1, "maxLength": 64},
    },
    "if": {"properties": {"create_opportunity": {"const": True}}, "required": ["create_opportunity"]},
    "then": {"required": ["opportunity_name", "amount"]},
}


class LeadRecords(SearchableRecords[LeadModel]):
    """Leads count per day for the dashboard, under their owner (whose change moves them); a
    converted lead is history, edited no more."""

    def also_on_create(self, principal: Principal, record: LeadModel) -> list[Change]:
        return recount(principal.org_id, NOTHING, lead_counted(record, created_on=clock.now().date().isoformat()))

    def also_on_update(self, principal: Principal, current: LeadModel, updated: LeadModel) -> list[Change]:
        return recount(principal.org_id, lead_counted(current), lead_counted(updated))

    def check_editable(self, current: LeadModel) -> None:
        if current.status == CONVERTED:
            # The conversion is history: the customer it became is the record to edit.
            raise _already_converted(current)


records = LeadRecords(
    leads,
    "leads",
    PROPERTIES,
    default_status="new",
    view=(
        "name", "email", "phone", "company", "source", "tags", "status", "owner", "custom_fields",
        "converted_customer_id", "converted_contact_id", "converted_opportunity_id", "converted_at",
    ),
    representation=PersonName(),
)


def convert_lead(principal: Principal, lead_id: str, body: Any) -> dict[str, Any]:
    """One TransactWriteItems: the lead marked converted (on condition it was not already: the
    transaction, not a read, decides between two concurrent conversions), the customer and the
    contact (both carrying the lead's tags and the custom fields their definitions accept), the
    company they link (the one named by `company_id`, else the live company named like the lead's
    free-text `company`, else one created with that name; checked to be live in the same
    transaction), the optional opportunity, their audit entries and the dashboard counters."""
    fields = validate(CONVERT_SCHEMA, body)
    org_id, actor = principal.org_id, principal.user_id
    lead = leads.get(org_id, lead_id)
    if lead.status == CONVERTED:
        raise _already_converted(lead)
    owner = lead.owner or actor
    company_id, company_parts = _company_of(principal, lead, fields.get("company_id"), owner)
    common = {"name": lead.name, "given_name": lead.given_name, "family_name": lead.family_name, "email": lead.email, "phone": lead.phone, "company_id": company_id,
              "tags": list(lead.tags or []), "status": "active", "owner": owner}
    customer = CustomerModel(org_id, new_id(), company=lead.company, **common,
                             custom_fields=carried_over(org_id, "customers", plain(lead.custom_fields)))
    contact = ContactModel(org_id, new_id(), customer_id=customer.customer_id, **common,
                           custom_fields=carried_over(org_id, "contacts", plain(lead.custom_fields)))
    now = clock.now()
    parts = [
        *company_parts,
        *customers.creation(customer, actor),
        *contacts.creation(contact, actor),
    ]
    opportunity = None
    if fields.get("create_opportunity"):
        settings = settings_of(org_id)
        opportunity = OpportunityModel(
            org_id,
            new_id(),
            name=fields["opportunity_name"],
            amount=fields["amount"],
            currency=settings.currency,
            customer_id=customer.customer_id,
            close_date=fields.get("close_date") or (now.date() + DEFAULT_CLOSE_IN).isoformat(),
            owner=owner,
            stage=FIRST_STAGE,
            probability=settings.stage_probabilities[FIRST_STAGE],
            stage_history=[StageChange(at=clock.isoformat(now), by=actor, from_stage=None, to_stage=FIRST_STAGE)],
        )
        parts += opportunities.creation(opportunity, actor)
        parts += recount(org_id, NOTHING, opportunity_counted(opportunity))
    marked, converted = leads.modification(
        lead,
        {
            "status": CONVERTED,
            "converted_customer_id": customer.customer_id,
            "converted_contact_id": contact.contact_id,
            "converted_opportunity_id": opportunity.opportunity_id if opportunity else None,
            "converted_at": now,
        },
        actor,
        action="converted",
    )
    lead_update = marked[0]
    lead_update.condition &= LeadModel.status != CONVERTED
    lead_update.on_condition_failed = Conflict(
        "This lead was converted (or changed) while this request ran; fetch it again.", lead_id=lead_id
    )
    changes = [*marked, *parts, *recount(org_id, lead_counted(lead), lead_counted(converted))]
    if transaction_items(changes) > MAX_TRANSACTION_ITEMS:
        # Each tag is a tag link of the customer and of the contact, all in one transaction.
        raise ValidationFailed(
            "The lead has too many tags to convert in one step; remove some first.",
            [{"field": "tags", "message": f"at most {CONVERTIBLE_TAGS} tags can be carried over"}],
        )
    commit(changes)
    count("LeadConverted")
    result = {"lead_id": lead_id, "customer_id": customer.customer_id, "contact_id": contact.contact_id,
              "company_id": company_id}
    if opportunity is not None:
        result["opportunity_id"] = opportunity.opportunity_id
    return result


def _company_of(principal: Principal, lead: LeadModel, company_id: str | None, owner: str) -> tuple[str | None, list[Change]]:
    """The company the conversion links, and what its transaction adds for it: a check that the
    company is live, or the company's creation."""
    org_id = principal.org_id
    if company_id is None and lead.company:
        existing = named(org_id, lead.company)
        if existing is None:
            company = CompanyModel(org_id, new_id(), name=lead.company, tags=[], status="active", owner=owner,
                                   custom_fields={})
            return company.company_id, companies.creation(company, principal.user_id)
        company_id = existing.company_id
    if company_id is None:
        return None, []
    return company_id, [reference_check(companies, org_id, company_id, "company_id")]


def _already_converted(lead: LeadModel) -> Conflict:
    return Conflict("This lead is already converted.", customer_id=lead.converted_customer_id)
