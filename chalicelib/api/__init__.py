"""HTTP: blueprints, the authorizer, middleware. Routes parse, call one service, respond."""
