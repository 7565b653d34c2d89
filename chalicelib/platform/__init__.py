"""The platform: what every product uses. Authentication and tenancy, users, roles, settings,
custom fields, audit, the write path, search machinery, request handling and admin. It never
imports a product; products import it (the import contracts in .importlinter hold both)."""
