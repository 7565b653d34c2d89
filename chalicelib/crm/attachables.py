"""The CRM's record types files may be attached to, registered by app.py
(chalicelib/platform/attachables.py): customers and tickets."""
from chalicelib.crm.contact_management.services import customers
from chalicelib.crm.contact_management.tables.customers import customers as customers_table
from chalicelib.crm.support.services import tickets
from chalicelib.crm.support.tables.tickets import tickets as tickets_table
from chalicelib.platform.attachables import AttachableRecordType

ATTACHABLE_RECORD_TYPES = (
    AttachableRecordType("customers", customers_table, customers.records.get),
    AttachableRecordType("tickets", tickets_table, tickets.get_ticket),
)
