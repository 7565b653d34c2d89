"""/v1/kb/articles: knowledge base articles, drafts and publishing."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

kb_blueprint = Blueprint(__name__)
routes = Routes(kb_blueprint, jwt_authorizer)
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
kb = lazy_module("chalicelib.crm.support.services.kb")


def _article_response(article, status=200):
    headers = {"ETag": etag(article["version"])}
    if status == 201:
        headers["Location"] = f"/v1/kb/articles/{article['id']}"
    return json_response(article, status=status, headers=headers)


@routes.protected("/v1/kb/articles", methods=["GET"], permission=can("kb", READ))
def list_kb_articles(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(kb.list_articles(request.principal, request.query_params, limit, request.query("cursor")))


@routes.protected("/v1/kb/articles", methods=["POST"], permission=can("kb", WRITE), idempotent=True)
def create_kb_article(request):
    return _article_response(kb.create_article(request.principal, request.json()), status=201)


@routes.protected("/v1/kb/articles/{article_id}", methods=["GET"], permission=can("kb", READ))
def get_kb_article(request, article_id):
    return _article_response(kb.get_article(request.principal, article_id))


@routes.protected("/v1/kb/articles/{article_id}", methods=["PUT"], permission=can("kb", WRITE))
def replace_kb_article(request, article_id):
    version = request.expected_version(required=True)
    return _article_response(kb.replace_article(request.principal, article_id, request.json(), version))


@routes.protected(
    "/v1/kb/articles/{article_id}", methods=["PATCH"], permission=can("kb", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_kb_article(request, article_id):
    version = request.expected_version()
    return _article_response(kb.patch_article(request.principal, article_id, request.json(), version))


@routes.protected("/v1/kb/articles/{article_id}", methods=["DELETE"], permission=can("kb", WRITE))
def delete_kb_article(request, article_id):
    kb.delete_article(request.principal, article_id, request.expected_version())
    return no_content()


@routes.protected("/v1/kb/articles/{article_id}/restore", methods=["POST"], permission=can("kb", WRITE))
def restore_kb_article(request, article_id):
    return _article_response(kb.restore_article(request.principal, article_id))


@routes.protected("/v1/kb/articles/{article_id}/publish", methods=["POST"], permission=can("kb", WRITE))
def publish_kb_article(request, article_id):
    return _article_response(kb.publish_article(request.principal, article_id, request.expected_version()))
