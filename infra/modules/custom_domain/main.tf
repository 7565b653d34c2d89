locals {
  websocket = var.websocket_enabled ? { (var.websocket_domain_name) = true } : {}
  names     = concat([var.domain_name], var.websocket_enabled ? [var.websocket_domain_name] : [])
}

resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = slice(local.names, 1, length(local.names))
  validation_method         = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
    precondition {
      condition     = !var.websocket_enabled || (var.websocket_domain_name != null && var.websocket_api_id != null)
      error_message = "websocket_enabled needs websocket_domain_name and websocket_api_id."
    }
  }
}

# Keyed by the configured names (known at plan), not by domain_validation_options (known only
# once the certificate request exists).
resource "aws_route53_record" "validation" {
  for_each = toset(local.names)

  zone_id         = var.zone_id
  name            = one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_name if o.domain_name == each.key])
  type            = one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_type if o.domain_name == each.key])
  records         = [one([for o in aws_acm_certificate.this.domain_validation_options : o.resource_record_value if o.domain_name == each.key])]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

# ------------------------------------------------------------------ REST API

resource "aws_api_gateway_domain_name" "rest" {
  domain_name              = var.domain_name
  regional_certificate_arn = aws_acm_certificate_validation.this.certificate_arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags
}

resource "aws_api_gateway_base_path_mapping" "rest" {
  api_id      = var.rest_api_id
  stage_name  = var.stage_name
  domain_name = aws_api_gateway_domain_name.rest.domain_name
  base_path   = var.base_path == "" ? null : var.base_path
}

resource "aws_route53_record" "rest" {
  for_each = toset(["A", "AAAA"])

  zone_id = var.zone_id
  name    = aws_api_gateway_domain_name.rest.domain_name
  type    = each.key

  alias {
    name                   = aws_api_gateway_domain_name.rest.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.rest.regional_zone_id
    evaluate_target_health = false
  }
}

# ------------------------------------------------------------------ WebSocket API

resource "aws_apigatewayv2_domain_name" "websocket" {
  for_each = local.websocket

  domain_name = each.key

  domain_name_configuration {
    certificate_arn = aws_acm_certificate_validation.this.certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }

  tags = var.tags
}

resource "aws_apigatewayv2_api_mapping" "websocket" {
  for_each = local.websocket

  api_id      = var.websocket_api_id
  domain_name = aws_apigatewayv2_domain_name.websocket[each.key].id
  stage       = var.websocket_stage_name
}

resource "aws_route53_record" "websocket" {
  for_each = { for pair in setproduct(keys(local.websocket), ["A", "AAAA"]) : "${pair[0]}/${pair[1]}" => { name = pair[0], type = pair[1] } }

  zone_id = var.zone_id
  name    = aws_apigatewayv2_domain_name.websocket[each.value.name].domain_name
  type    = each.value.type

  alias {
    name                   = aws_apigatewayv2_domain_name.websocket[each.value.name].domain_name_configuration[0].target_domain_name
    zone_id                = aws_apigatewayv2_domain_name.websocket[each.value.name].domain_name_configuration[0].hosted_zone_id
    evaluate_target_health = false
  }
}
