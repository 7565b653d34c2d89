"""GET /docs: the API reference (Swagger UI rendering /v1/openapi.json), GET /graphql (GraphiQL on
/v1/graphql), their assets,
/docs/errors (the sections problem `type`s name) and /docs/versions (the migration notes v1's
Link names). Public, and served from files bundled with the function (no CDN), so the page works
offline and in a locked-down network. The pages
module loads on the first /docs request, so the cold start of every other route is unchanged."""
from chalice import Blueprint, Response

from chalicelib.core.errors import NotFound
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.caching import public
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.routing import Routes

pages = lazy_module("chalicelib.platform.docs_ui.pages")

docs_blueprint = Blueprint(__name__)
routes = Routes(docs_blueprint, path_ids={"name": r"[a-z][a-z0-9.-]{0,63}"})

HTML = "text/html; charset=utf-8"
ASSET_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
PAGE_CACHE = public(max_age=300)
# An asset's name carries its digest: what is served under it never changes.
ASSET_CACHE = public(max_age=31536000, immutable=True)
# Styles inline and data: images are Swagger UI's own; scripts and requests only from this API.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _html(body: str) -> Response:
    return Response(body, status_code=200, headers={
        "Content-Type": HTML,
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


def _page(summary: str) -> Contract:
    return Contract(responses={200: {"type": "string"}}, media_types=(HTML,), tag="docs", summary=summary)


@routes.public("/docs", cache=PAGE_CACHE, contract=_page("This reference, rendering /v1/openapi.json (Swagger UI)."))
def reference(request):
    return _html(pages.reference_page())


@routes.public("/docs/errors", cache=PAGE_CACHE, contract=_page("What each problem type means: the sections problem `type`s name."))
def errors(request):
    return _html(pages.markdown_page("errors"))


@routes.public("/docs/versions", cache=PAGE_CACHE, contract=_page("The API versions and the migration notes from v1 to v2."))
def versions(request):
    return _html(pages.markdown_page("versions"))


@routes.public("/graphql", cache=PAGE_CACHE, contract=_page("GraphiQL on /v1/graphql (docs/api/graphql.md)."))
def graphiql(request):
    return _html(pages.graphiql_page())


@routes.public(
    "/docs/assets/{name}",
    cache=ASSET_CACHE,
    contract=Contract(
        responses={200: {"type": "string"}}, media_types=tuple(ASSET_MEDIA_TYPES.values()), tag="docs",
        summary="A script or stylesheet of the docs pages.",
    ),
)  # fmt: skip
def docs_asset(request, name):
    asset = pages.asset(name)
    if asset is None:
        raise NotFound("No documentation asset by this name.")
    return Response(asset.body, status_code=200, headers={
        "Content-Type": ASSET_MEDIA_TYPES[asset.suffix],
        "X-Content-Type-Options": "nosniff",
    })  # fmt: skip
