"""/v1/products and their price books (/v1/products/{id}/prices/{currency})."""
from chalice import Blueprint

from chalicelib.core.cursors import parse_page_size
from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.requests import etag
from chalicelib.platform.routes.routing import JSON_TYPES, Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

products_blueprint = Blueprint(__name__)
# Letters reach the service, which explains a currency that is not an ISO code (422).
routes = Routes(products_blueprint, jwt_authorizer, path_ids={"currency": "[A-Za-z]{1,16}"})
MERGE_PATCH_TYPES = [*JSON_TYPES, "application/merge-patch+json"]
products = lazy_module("chalicelib.crm.sales_pipeline.services.products")


def _product_response(product, status=200):
    headers = {"ETag": etag(product["version"])}
    if status == 201:
        headers["Location"] = f"/v1/products/{product['id']}"
    return json_response(product, status=status, headers=headers)


@routes.protected("/v1/products", methods=["GET"], permission=can("products", READ))
def list_products(request):
    limit = parse_page_size(request.query("limit"))
    return json_response(products.list_products(request.principal, request.query_params, limit, request.query("cursor")))


@routes.protected("/v1/products", methods=["POST"], permission=can("products", WRITE), idempotent=True)
def create_product(request):
    return _product_response(products.create_product(request.principal, request.json()), status=201)


routes.batch(
    "/v1/products/batch",
    lambda principal, item: products.create_product(principal, item),
    permission=can("products", WRITE),
)


@routes.protected("/v1/products/{product_id}", methods=["GET"], permission=can("products", READ))
def get_product(request, product_id):
    return _product_response(products.get_product(request.principal, product_id))


@routes.protected("/v1/products/{product_id}", methods=["PUT"], permission=can("products", WRITE))
def replace_product(request, product_id):
    version = request.expected_version(required=True)
    return _product_response(products.replace_product(request.principal, product_id, request.json(), version))


@routes.protected(
    "/v1/products/{product_id}", methods=["PATCH"], permission=can("products", WRITE), content_types=MERGE_PATCH_TYPES
)
def patch_product(request, product_id):
    version = request.expected_version()
    return _product_response(products.patch_product(request.principal, product_id, request.json(), version))


@routes.protected("/v1/products/{product_id}", methods=["DELETE"], permission=can("products", WRITE))
def delete_product(request, product_id):
    products.delete_product(request.principal, product_id, request.expected_version())
    return no_content()


@routes.protected("/v1/products/{product_id}/restore", methods=["POST"], permission=can("products", WRITE))
def restore_product(request, product_id):
    return _product_response(products.restore_product(request.principal, product_id))


@routes.protected("/v1/products/{product_id}/prices", methods=["GET"], permission=can("products", READ))
def list_prices(request, product_id):
    return json_response(products.list_prices(request.principal, product_id))


# If-Match (the product's ETag) is honoured when sent; a price is one entry of the product.
@routes.protected("/v1/products/{product_id}/prices/{currency}", methods=["PUT"], permission=can("products", WRITE))
def set_price(request, product_id, currency):
    version = request.expected_version()
    return json_response(products.set_price(request.principal, product_id, currency, request.json(), version))


@routes.protected("/v1/products/{product_id}/prices/{currency}", methods=["DELETE"], permission=can("products", WRITE))
def delete_price(request, product_id, currency):
    products.delete_price(request.principal, product_id, currency, request.expected_version())
    return no_content()
