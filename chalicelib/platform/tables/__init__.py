"""The platform's tables and the data access every product builds on: TenantTable,
SearchableTable, the write path (writes.commit: record, audit entry and counters in one
transaction). One module per DynamoDB table; models declare keys, indexes, TTL and streams once."""
