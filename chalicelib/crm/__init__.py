"""The CRM product, one package per domain of the design note (contact management, sales pipeline,
marketing, support, reporting), each with the platform's layers: routes -> services -> tables. It
imports the platform, never another product; blueprints.py and models.py are what app.py and
chalicelib/tables.py compose."""
