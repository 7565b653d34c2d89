"""Knowledge base: CRUD, publishing, visibility of drafts, search by title prefix and tag equal to a
brute-force filter, tenancy, roles, audit."""
from __future__ import annotations

import pytest

ARTICLE = {"title": "Reset your password", "body": "Click 'Forgot password'.", "tags": ["Account", "login"]}


def history(api, caller, target_type, target_id):
    reply = api.get(f"/v1/audit-logs?target_type={target_type}&target_id={target_id}", as_=caller)
    assert reply.status == 200, reply.body
    return [entry["action"] for entry in reply.json["items"]]


@pytest.fixture
def article(api, owner):
    reply = api.post("/v1/kb/articles", ARTICLE, as_=owner)
    assert reply.status == 201, reply.body
    return reply.json


def every_page(api, caller, query):
    seen, cursor = [], None
    while True:
        reply = api.get(f"/v1/kb/articles?limit=2&{query}" + (f"&cursor={cursor}" if cursor else ""), as_=caller)
        assert reply.status == 200, reply.body
        seen += reply.json["items"]
        cursor = reply.json["next_cursor"]
        if not cursor:
            return seen


def test_create_get_list(api, owner, article):
    assert article["status"] == "draft" and article["published_at"] is None and article["tags"] == ["account", "login"]
    reply = api.get(f"/v1/kb/articles/{article['id']}", as_=owner)
    assert reply.status == 200 and reply.json == article and reply.header("etag") == '"1"'
    assert api.get("/v1/kb/articles", as_=owner).json == {"items": [article], "next_cursor": None}


@pytest.mark.parametrize("body, field", [({"body": "x"}, "title"), ({"title": "x"}, "body"),
                                         ({**ARTICLE, "status": "published"}, "status"), ({**ARTICLE, "tags": ["a#b"]}, "tags[0]")])
def test_invalid_articles_are_422(api, owner, body, field):
    reply = api.post("/v1/kb/articles", body, as_=owner)
    assert reply.status == 422 and field in [error["field"] for error in reply.json["errors"]]


def test_publish_unpublish_and_audit(api, owner, article):
    path = f"/v1/kb/articles/{article['id']}"
    assert api.post(f"{path}/publish", as_=owner, headers={"If-Match": '"9"'}).status == 412
    published = api.post(f"{path}/publish", as_=owner)
    assert published.status == 200 and published.json["status"] == "published" and published.json["published_at"]
    assert published.header("etag") == '"2"'
    assert api.post(f"{path}/publish", as_=owner).status == 409
    assert api.patch(path, {"status": "published"}, as_=owner).status == 422
    draft = api.patch(path, {"status": "draft"}, as_=owner).json
    assert draft["status"] == "draft" and draft["published_at"] is None
    assert history(api, owner, "kb_article", article["id"]) == ["updated", "published", "created"]


def test_viewers_see_published_articles_only(api, login_as, owner, article):
    viewer = login_as("viewer", org_of=owner)
    path = f"/v1/kb/articles/{article['id']}"
    assert api.get(path, as_=viewer).status == 404
    assert api.get("/v1/kb/articles", as_=viewer).json["items"] == []
    assert api.get("/v1/kb/articles?status=draft", as_=viewer).json["items"] == []
    assert api.get("/v1/kb/articles?tag=login", as_=viewer).json["items"] == []
    api.post(f"{path}/publish", as_=owner)
    assert api.get(path, as_=viewer).status == 200
    assert [item["id"] for item in api.get("/v1/kb/articles?tag=login", as_=viewer).json["items"]] == [article["id"]]
    assert [item["id"] for item in api.get("/v1/kb/articles?title_prefix=reset", as_=viewer).json["items"]] == [article["id"]]


def test_search_equals_a_brute_force_filter(api, login_as, owner):
    titles = ["Billing basics", "billing FAQ", "Bill of rights", "Login help", "Logout", "Data export", "data import", "API keys"]
    tag_sets = [["billing"], ["billing", "faq"], [], ["account", "login"], ["account"], ["data"], ["data", "faq"], ["api"]]
    created = []
    for index, (title, tags) in enumerate(zip(titles, tag_sets)):
        item = api.post("/v1/kb/articles", {"title": title, "body": "b", "tags": tags}, as_=owner).json
        if index % 2 == 0:
            item = api.post(f"/v1/kb/articles/{item['id']}/publish", as_=owner).json
        created.append(item)
    api.patch(f"/v1/kb/articles/{created[6]['id']}", {"tags": ["data"]}, as_=owner)
    created[6]["tags"] = ["data"]
    api.delete(f"/v1/kb/articles/{created[5]['id']}", as_=owner)
    live = [item for index, item in enumerate(created) if index != 5]
    api.post("/v1/kb/articles", {"title": "Billing elsewhere", "body": "b", "tags": ["billing"]}, as_=login_as("owner"))
    viewer = login_as("viewer", org_of=owner)
    queries = [{}, {"title_prefix": "bill"}, {"title_prefix": "BILLING"}, {"tag": "faq"}, {"tag": "billing", "title_prefix": "billing"},
               {"status": "published"}, {"status": "draft", "title_prefix": "l"}, {"tag": "account", "status": "draft"},
               {"tag": "data"}, {"title_prefix": "zzz"}]
    for caller, sees_drafts in ((owner, True), (viewer, False)):
        for query in queries:
            def matches(item):
                return (item["title"].lower().startswith(query.get("title_prefix", "").lower())
                        and (query.get("tag") is None or query["tag"] in item["tags"])
                        and item["status"] == query.get("status", item["status"])
                        and (sees_drafts or item["status"] == "published"))

            expected = [item["id"] for item in live if matches(item)]
            found = [item["id"] for item in every_page(api, caller, "&".join(f"{k}={v}" for k, v in query.items()))]
            assert sorted(found) == sorted(expected), (caller.role, query)
            assert len(found) == len(set(found))
            if "tag" not in query and ("title_prefix" in query or "status" in query or not sees_drafts):
                titles_found = [next(i["title"].lower() for i in live if i["id"] == found_id) for found_id in found]
                assert titles_found == sorted(titles_found), "title paths list in title order"


@pytest.mark.parametrize("query", ["author=x", "status=archived", "sort=title"])
def test_bad_filters_are_400(api, owner, query):
    assert api.get(f"/v1/kb/articles?{query}", as_=owner).status == 400


def test_update_delete_restore(api, owner, article):
    path = f"/v1/kb/articles/{article['id']}"
    assert api.put(path, {"title": "T", "body": "B"}, as_=owner).status == 428
    replaced = api.put(path, {"title": "T", "body": "B"}, as_=owner, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and replaced.json["tags"] == []
    assert api.get("/v1/kb/articles?tag=login", as_=owner).json["items"] == []
    assert api.delete(path, as_=owner).status == 204
    assert api.get(path, as_=owner).status == 404
    assert api.get("/v1/kb/articles?title_prefix=t", as_=owner).json["items"] == []
    assert api.post(f"{path}/restore", as_=owner).status == 200
    assert history(api, owner, "kb_article", article["id"]) == ["restored", "deleted", "updated", "created"]


ROUTES = [
    ("GET", "/v1/kb/articles/{id}", None),
    ("PUT", "/v1/kb/articles/{id}", {"title": "Hijacked", "body": "x"}),
    ("PATCH", "/v1/kb/articles/{id}", {"title": "Hijacked"}),
    ("DELETE", "/v1/kb/articles/{id}", None),
    ("POST", "/v1/kb/articles/{id}/restore", None),
    ("POST", "/v1/kb/articles/{id}/publish", None),
]


@pytest.mark.parametrize("method, template, body", ROUTES)
def test_another_organizations_article_is_404(api, login_as, owner, article, method, template, body):
    intruder = login_as("owner")
    reply = api.call(method, template.format(id=article["id"]), body, as_=intruder, headers={"If-Match": '"1"'})
    assert reply.status == 404
    assert api.get(f"/v1/kb/articles/{article['id']}", as_=owner).json == article
    assert api.get("/v1/kb/articles?tag=login", as_=intruder).json["items"] == []


@pytest.mark.parametrize("method, template, body", [("POST", "/v1/kb/articles", ARTICLE)] + ROUTES[1:])
def test_viewers_cannot_write(api, login_as, owner, article, method, template, body):
    viewer = login_as("viewer", org_of=owner)
    reply = api.call(method, template.format(id=article["id"]), body, as_=viewer, headers={"If-Match": '"1"'})
    assert reply.status == 403
    assert api.get(f"/v1/kb/articles/{article['id']}", as_=owner).json == article
