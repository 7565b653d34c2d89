"""What GET /docs serves: the API reference page (Swagger UI, vendored from the npm package
swagger-ui-dist with its checksums: infra/vendor_docs_ui.py), its assets, and docs/errors.md
rendered as the page the problem types point to. Files are read on first use, never at import."""
