// GraphiQL on /v1/graphql (relative to /graphql, so it works at any base path). Requests carry
// what the headers tab holds: {"Authorization": "Bearer <access token>"}.
window.addEventListener("load", () => {
  const root = document.getElementById("graphiql");
  const fetcher = GraphiQL.createFetcher({ url: new URL(root.dataset.endpoint, document.baseURI).href });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultHeaders: '{"Authorization": "Bearer "}',
      defaultQuery: "{\n  customers(first: 5) {\n    nodes { id name email }\n    page_info { end_cursor has_next_page }\n  }\n}\n",
      shouldPersistHeaders: false,
    }),
  );
});
