# The environment's public zone: created here (a sub-zone whose parent lives in another account,
# which delegates it with the name_servers output), or the existing zone, by ID or by name.
resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing needs a KMS key in us-east-1 and a DS record in the parent; the parent zebroscrm.com is not signed, so a signed sub-zone would not validate.
  #checkov:skip=CKV2_AWS_39:Query logging needs a us-east-1 log group with a Route 53 resource policy; the zone only answers for the API domain and its ACM validation record.
  count = var.create_enabled ? 1 : 0

  name    = var.zone_name
  comment = "Delegated from its parent zone (NS records in the parent's account)"
  tags    = var.tags
}

data "aws_route53_zone" "existing" {
  count = var.create_enabled ? 0 : 1

  zone_id      = var.existing_zone_id
  name         = var.existing_zone_id == null ? var.zone_name : null
  private_zone = false

  lifecycle {
    postcondition {
      condition     = trimsuffix(self.name, ".") == var.zone_name
      error_message = "existing_zone_id names another zone than zone_name."
    }
  }
}

locals {
  zone_id      = var.create_enabled ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.existing[0].zone_id
  name_servers = var.create_enabled ? aws_route53_zone.this[0].name_servers : data.aws_route53_zone.existing[0].name_servers
}

# Sub-zones held in other accounts (e.g. dev.zebroscrm.com in the dev account).
resource "aws_route53_record" "delegation" {
  for_each = var.delegations

  zone_id = local.zone_id
  name    = each.key
  type    = "NS"
  ttl     = 172800
  records = each.value
}
