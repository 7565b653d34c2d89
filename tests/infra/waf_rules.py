"""What a planned WAFv2 web ACL does with an ordinary request, by body size.

Evaluates the rules of an `aws_wafv2_web_acl` as `terraform show -json` plans it, the way WAF does
(https://docs.aws.amazon.com/waf/latest/developerguide/): rules in priority order, the first
terminating action (Block, Allow) decides, Count goes on; rule action overrides inside a managed
rule group and the group's override action; size constraints on the body with their oversize
handling, against the body inspection limit of an API Gateway association (16 KB unless the web
ACL's association_config raises it, up to 64 KB).

An "ordinary request" is one whose only notable property is its size: no rate limit is reached
(one request) and no signature rule matches. Managed rule groups are opaque in Terraform, so the
body-size rules AWS documents for them are listed here. A statement this module does not model
raises, so a new kind of rule cannot slip past the check unevaluated.
"""
from __future__ import annotations

import operator

# AWS Managed Rules, baseline rule groups: the core rule set's SizeRestrictions_BODY blocks bodies
# over 8 KB (8,192 bytes) whatever the inspection limit is.
MANAGED_BODY_SIZE_RULES = {("AWS", "AWSManagedRulesCommonRuleSet"): {"SizeRestrictions_BODY": 8192}}
# Managed groups with no rule that depends on body size alone (signatures only).
MANAGED_SIGNATURE_ONLY = {("AWS", "AWSManagedRulesKnownBadInputsRuleSet")}

API_GATEWAY_DEFAULT_INSPECTION_LIMIT = 16 * 1024
INSPECTION_LIMITS = {"KB_16": 16 * 1024, "KB_32": 32 * 1024, "KB_48": 48 * 1024, "KB_64": 64 * 1024}
COMPARISONS = {"EQ": operator.eq, "NE": operator.ne, "LE": operator.le, "LT": operator.lt, "GE": operator.ge, "GT": operator.gt}


class NotModelled(Exception):
    """The web ACL holds a statement whose effect on an ordinary request this module cannot tell."""


def _one(blocks: list[dict] | None) -> dict | None:
    return blocks[0] if blocks else None


def _action(block: dict | None) -> str | None:
    """The action named by an action / action_to_use block: "block", "allow", "count", ..."""
    if not block:
        return None
    named = [name for name, value in block.items() if value]
    if len(named) != 1:
        raise NotModelled(f"expected one action in {block}")
    return named[0]


def inspection_limit(web_acl: dict) -> int:
    """Bytes of the body API Gateway forwards to WAF (RequestBodyAssociatedResourceTypeConfig)."""
    request_body = _one((_one(web_acl.get("association_config")) or {}).get("request_body"))
    api_gateway = _one((request_body or {}).get("api_gateway"))
    if api_gateway is None:
        return API_GATEWAY_DEFAULT_INSPECTION_LIMIT
    return INSPECTION_LIMITS[api_gateway["default_size_inspection_limit"]]


def _body_size_seen(field: dict, body_bytes: int, limit: int) -> int | bool:
    """The size a size constraint compares, or True/False when oversize handling decides."""
    component = _one(field.get("body")) or _one(field.get("json_body"))
    if component is None:
        raise NotModelled(f"size constraint on {sorted(k for k, v in field.items() if v)}")
    if body_bytes <= limit:
        return body_bytes
    handling = component.get("oversize_handling") or "CONTINUE"
    if handling == "MATCH":
        return True
    if handling == "NO_MATCH":
        return False
    return limit  # CONTINUE: WAF inspects what it was forwarded


def statement_matches(statement: dict, body_bytes: int, limit: int) -> bool:
    if size := _one(statement.get("size_constraint_statement")):
        transformations = {t["type"] for t in size.get("text_transformation", [])}
        if transformations - {"NONE"}:
            raise NotModelled(f"size constraint after text transformations {sorted(transformations)}")
        seen = _body_size_seen(_one(size["field_to_match"]) or {}, body_bytes, limit)
        if isinstance(seen, bool):
            return seen
        return COMPARISONS[size["comparison_operator"]](seen, size["size"])
    if _one(statement.get("rate_based_statement")):
        return False  # one request does not reach a rate limit
    if nested := _one(statement.get("and_statement")):
        return all(statement_matches(s, body_bytes, limit) for s in nested["statement"])
    if nested := _one(statement.get("or_statement")):
        return any(statement_matches(s, body_bytes, limit) for s in nested["statement"])
    if nested := _one(statement.get("not_statement")):
        return not statement_matches(_one(nested["statement"]) or {}, body_bytes, limit)
    raise NotModelled(f"statement {sorted(k for k, v in statement.items() if v)}")


def _managed_group_action(rule: dict, group: dict, body_bytes: int, limit: int) -> str | None:
    key = (group["vendor_name"], group["name"])
    if key in MANAGED_SIGNATURE_ONLY:
        return None
    if key not in MANAGED_BODY_SIZE_RULES:
        raise NotModelled(f"managed rule group {key}: its body-size rules are not listed")
    if scope_down := _one(group.get("scope_down_statement")):
        if not statement_matches(scope_down, body_bytes, limit):
            return None
    overrides = {o["name"]: _action(_one(o["action_to_use"])) for o in group.get("rule_action_override") or []}
    group_counts = _action(_one(rule.get("override_action"))) == "count"
    for inner, threshold in MANAGED_BODY_SIZE_RULES[key].items():
        if body_bytes > threshold:
            action = "count" if group_counts else overrides.get(inner, "block")
            if action != "count":
                return action
    return None


def body_verdict(web_acl: dict, body_bytes: int) -> tuple[str, str]:
    """("allow" | "block", deciding rule or "default") for an ordinary request of body_bytes."""
    limit = inspection_limit(web_acl)
    for rule in sorted(web_acl["rule"], key=lambda r: r["priority"]):
        statement = _one(rule["statement"]) or {}
        if group := _one(statement.get("managed_rule_group_statement")):
            action = _managed_group_action(rule, group, body_bytes, limit)
        elif statement_matches(statement, body_bytes, limit):
            action = _action(_one(rule.get("action")))
        else:
            action = None
        if action in ("block", "allow"):
            return action, rule["name"]
        if action not in (None, "count"):
            raise NotModelled(f"rule {rule['name']}: action {action}")
    return _action(_one(web_acl["default_action"])) or "allow", "default"
