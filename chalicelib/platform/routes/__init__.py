"""HTTP for every product: Routes, the authorizer, requests, idempotency, problem+json,
middleware, the local gateway; and the platform's own blueprints (auth, users, roles, settings,
audit logs). Routes parse, call one service, respond."""
