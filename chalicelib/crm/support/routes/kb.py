"""/v1/kb/articles: knowledge base articles, drafts and publishing."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_response, record_routes
from chalicelib.platform.routes.routing import Routes
from chalicelib.platform.services.roles import WRITE, can

kb_blueprint = Blueprint(__name__)
routes = Routes(kb_blueprint, jwt_authorizer)
kb = lazy_module("chalicelib.crm.support.services.kb")

record_routes(
    routes, "kb", "/v1/kb/articles", "article_id", ("kb_article", "kb_articles"),
    functions_of(kb, "article", "articles"),
    operations=("list", "create", "get", "replace", "patch", "delete", "restore"), list_arguments=query_parameters,
    schemas=RecordSchemas(kb, create="ARTICLE_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS", choices="LIST_CHOICES"),
)


@routes.protected(
    "/v1/kb/articles/{article_id}/publish", methods=["POST"], permission=can("kb", WRITE),
    contract=Contract(if_match="optional", responses={200: "#KbArticle"}, errors=(409,)),
)  # fmt: skip
def publish_kb_article(request, article_id):
    article = kb.publish_article(request.principal, article_id, request.expected_version())
    return record_response("/v1/kb/articles", article)
