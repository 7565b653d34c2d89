"""What GET /docs serves: the API reference page (Swagger UI, vendored from the npm package
swagger-ui-dist with its checksums: infra/vendor_docs_ui.py), its assets, and docs/errors.md and
docs/api/versions.md rendered as the pages problem types and v1's deprecation Link point to. Files are read on first use, never at import."""
