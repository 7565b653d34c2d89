// Renders the OpenAPI document named by #swagger-ui (relative to /docs, so it works at any base path).
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: new URL(root.dataset.openapiUrl, document.baseURI).href,
    domNode: root,
    deepLinking: true,
    displayOperationId: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
    // The document is this API's own: no remote validator badge (it would call out of a locked-down network).
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
