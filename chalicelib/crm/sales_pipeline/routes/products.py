"""/v1/products and their price books (/v1/products/{id}/prices/{currency})."""
from chalice import Blueprint

from chalicelib.core.lazy import lazy_module
from chalicelib.platform.routes.authorizer import jwt_authorizer
from chalicelib.platform.routes.contracts import Contract, page_of
from chalicelib.platform.routes.records import RecordSchemas, functions_of, query_parameters, record_routes
from chalicelib.platform.routes.routing import Routes, json_response, no_content
from chalicelib.platform.services.roles import READ, WRITE, can

products_blueprint = Blueprint(__name__)
# Letters reach the service, which explains a currency that is not an ISO code (422).
routes = Routes(products_blueprint, jwt_authorizer, path_ids={"currency": "[A-Za-z]{1,16}"})
products = lazy_module("chalicelib.crm.sales_pipeline.services.products")
# services/products.price_view: amounts as the JSON numbers they were given.
PRICE = {
    "type": "object",
    "required": ["currency", "list_price", "unit_price"],
    "properties": {"currency": {"type": "string"}, "list_price": {"type": "number"}, "unit_price": {"type": "number"}},
}

record_routes(
    routes, "products", "/v1/products", "product_id", ("product", "products"),
    functions_of(products, "product", "products"), list_arguments=query_parameters,
    schemas=RecordSchemas(products, create="PRODUCT_SCHEMA", patch="PATCH_SCHEMA", filters="LIST_FILTERS", choices="LIST_CHOICES"),
)


@routes.protected(
    "/v1/products/{product_id}/prices", methods=["GET"], permission=can("products", READ),
    contract=Contract(responses={200: page_of(PRICE)}),
)  # fmt: skip
def list_prices(request, product_id):
    return json_response(products.list_prices(request.principal, product_id))


# If-Match (the product's ETag) is honoured when sent; a price is one entry of the product.
@routes.protected(
    "/v1/products/{product_id}/prices/{currency}", methods=["PUT"], permission=can("products", WRITE),
    contract=Contract(body=lambda: products.PRICE_SCHEMA, if_match="optional", responses={200: PRICE}, errors=(409,)),
)  # fmt: skip
def set_price(request, product_id, currency):
    version = request.expected_version()
    return json_response(products.set_price(request.principal, product_id, currency, request.json(), version))


@routes.protected(
    "/v1/products/{product_id}/prices/{currency}", methods=["DELETE"], permission=can("products", WRITE),
    contract=Contract(if_match="optional", responses={204: None}, errors=(409, 422)),
)  # fmt: skip
def delete_price(request, product_id, currency):
    products.delete_price(request.principal, product_id, currency, request.expected_version())
    return no_content()
