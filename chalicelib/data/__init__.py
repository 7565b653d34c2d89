"""Data access: one module per DynamoDB table. Models declare keys, indexes, TTL and streams once;
local table creation, the tests and infra/tables.json (Terraform) all read them from here."""
