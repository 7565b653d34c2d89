mock_provider "aws" {
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:111122223333:certificate/11111111-2222-3333-4444-555555555555"
      domain_validation_options = [
        { domain_name = "api.test.zebroscrm.com", resource_record_name = "_a.api.test.zebroscrm.com.", resource_record_type = "CNAME", resource_record_value = "_a.acm-validations.aws." },
        { domain_name = "ws.test.zebroscrm.com", resource_record_name = "_b.ws.test.zebroscrm.com.", resource_record_type = "CNAME", resource_record_value = "_b.acm-validations.aws." },
      ]
    }
  }
  mock_resource "aws_route53_record" {
    defaults = { fqdn = "_x.api.test.zebroscrm.com" }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:eu-west-1:111122223333:certificate/11111111-2222-3333-4444-555555555555"
    }
  }
}

variables {
  domain_name = "api.test.zebroscrm.com"
  zone_id     = "Z0123456789ABCDEFGHIJ"
  rest_api_id = "a1b2c3d4e5"
  stage_name  = "api"
}

run "rest_domain_with_tls12_alias_and_mapping" {
  command = apply

  assert {
    condition     = aws_acm_certificate.this.validation_method == "DNS"
    error_message = "The certificate is validated through DNS."
  }
  assert {
    condition     = aws_api_gateway_domain_name.rest.security_policy == "TLS_1_2"
    error_message = "The domain must require TLS 1.2."
  }
  assert {
    condition     = aws_api_gateway_domain_name.rest.regional_certificate_arn == aws_acm_certificate_validation.this.certificate_arn
    error_message = "The domain must use the validated certificate."
  }
  assert {
    condition     = aws_api_gateway_base_path_mapping.rest.api_id == "a1b2c3d4e5" && aws_api_gateway_base_path_mapping.rest.stage_name == "api"
    error_message = "The REST API stage is mapped under the domain."
  }
  assert {
    condition     = toset(keys(aws_route53_record.rest)) == toset(["A", "AAAA"])
    error_message = "A and AAAA alias records point at the domain."
  }
  assert {
    condition     = aws_route53_record.validation["api.test.zebroscrm.com"].records == toset(["_a.acm-validations.aws."])
    error_message = "The validation record carries ACM's value for the domain."
  }
  assert {
    condition     = length(aws_apigatewayv2_domain_name.websocket) == 0 && length(aws_acm_certificate.this.subject_alternative_names) == 0
    error_message = "No WebSocket domain unless enabled."
  }
}

run "websocket_domain_on_the_same_certificate" {
  command = apply

  variables {
    websocket_enabled     = true
    websocket_domain_name = "ws.test.zebroscrm.com"
    websocket_api_id      = "ws12345678"
  }

  assert {
    condition     = one(aws_apigatewayv2_domain_name.websocket["ws.test.zebroscrm.com"].domain_name_configuration).security_policy == "TLS_1_2"
    error_message = "The WebSocket domain must set the TLS 1.2 policy (Chalice's omits it)."
  }
  assert {
    condition     = aws_apigatewayv2_api_mapping.websocket["ws.test.zebroscrm.com"].api_id == "ws12345678"
    error_message = "The WebSocket API is mapped under its domain."
  }
  assert {
    condition     = contains(aws_acm_certificate.this.subject_alternative_names, "ws.test.zebroscrm.com")
    error_message = "The certificate covers the WebSocket domain."
  }
  assert {
    condition     = length(aws_route53_record.websocket) == 2
    error_message = "A and AAAA records for the WebSocket domain."
  }
}

run "websocket_without_api_is_rejected" {
  command = plan
  variables {
    websocket_enabled     = true
    websocket_domain_name = "ws.test.zebroscrm.com"
  }
  expect_failures = [aws_acm_certificate.this]
}
