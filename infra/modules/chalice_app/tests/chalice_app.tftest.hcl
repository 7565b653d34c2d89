mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/apigateway/zebros-test/access" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/zebros-test-apigateway-cloudwatch" }
  }
}

variables {
  name                   = "zebros-test"
  rest_api_id            = "a1b2c3d4e5"
  deployment_id          = "dep123"
  data_kms_key_arn       = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  signing_key_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:zebros-test/jwt-signing-key-AbCdEf"
  table_arns = {
    users    = "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-users"
    sessions = "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions"
  }
  ses_identity_arns = ["arn:aws:ses:eu-west-1:111122223333:identity/zebroscrm.com"]
  functions = {
    api_handler    = { function_name = "zebros-test", arn = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test", role_name = "zebros-test-api_handler", role_arn = "arn:aws:iam::111122223333:role/zebros-test-api_handler", kind = "api" }
    jwt_authorizer = { function_name = "zebros-test-jwt_authorizer", arn = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test-jwt_authorizer", role_name = "zebros-test-jwt_authorizer", role_arn = "arn:aws:iam::111122223333:role/zebros-test-jwt_authorizer", kind = "api" }
    nightly        = { function_name = "zebros-test-nightly", arn = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test-nightly", role_name = "zebros-test-nightly", role_arn = "arn:aws:iam::111122223333:role/zebros-test-nightly", kind = "data" }
  }
  function_grants = {
    api_handler    = { dynamodb = true, signing_key = true, ses = true }
    jwt_authorizer = { signing_key = true, read_tables = ["sessions"] }
  }
  gateway_responses = jsondecode(file("../../../chalicelib/platform/routes/gateway_responses.json"))
}

run "stage_traces_logs_and_throttles" {
  command = apply

  assert {
    condition     = aws_api_gateway_stage.this.stage_name == "api" && aws_api_gateway_stage.this.xray_tracing_enabled
    error_message = "The explicit stage must be named api and traced."
  }
  assert {
    condition     = one(aws_api_gateway_stage.this.access_log_settings).destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "Access logs must go to the module's log group."
  }
  assert {
    condition     = jsondecode(one(aws_api_gateway_stage.this.access_log_settings).format).requestId == "$context.requestId"
    error_message = "Access logs must be JSON with the request id."
  }
  assert {
    condition     = aws_cloudwatch_log_group.access.retention_in_days == 365 && aws_cloudwatch_log_group.access.kms_key_id == var.data_kms_key_arn
    error_message = "Access logs must be retained and encrypted."
  }
  assert {
    condition     = aws_cloudwatch_log_group.execution.name == "API-Gateway-Execution-Logs_a1b2c3d4e5/api"
    error_message = "The execution log group must be the one API Gateway writes to."
  }
  assert {
    condition = alltrue([
      aws_api_gateway_method_settings.all.method_path == "*/*",
      one(aws_api_gateway_method_settings.all.settings).metrics_enabled,
      one(aws_api_gateway_method_settings.all.settings).logging_level == "ERROR",
      one(aws_api_gateway_method_settings.all.settings).throttling_rate_limit == 100,
      one(aws_api_gateway_method_settings.all.settings).throttling_burst_limit == 200,
      !one(aws_api_gateway_method_settings.all.settings).data_trace_enabled,
    ])
    error_message = "Method settings must enable metrics, logging and throttling for every method."
  }
  assert {
    condition     = aws_cloudwatch_log_group.function["jwt_authorizer"].name == "/aws/lambda/zebros-test-jwt_authorizer"
    error_message = "Every function gets its retained log group."
  }
  assert {
    condition     = length(aws_api_gateway_account.this) == 0
    error_message = "Account settings are opt-in."
  }
}

run "functions_get_only_what_they_are_granted" {
  command = plan

  assert {
    condition = toset([for s in local.function_statements["api_handler"] : s.Sid]) == toset([
      "XRayTraces", "OwnLogGroup", "AppTables", "TableEncryptionKeyThroughDynamoDB", "JwtSigningKey", "PasswordResetMail",
    ])
    error_message = "The API handler needs its logs, tables, the signing key and SES."
  }
  assert {
    condition = toset([for s in local.function_statements["jwt_authorizer"] : s.Sid]) == toset([
      "XRayTraces", "OwnLogGroup", "JwtSigningKey", "ReadTablesByKey", "ReadTablesKeyThroughDynamoDB",
    ])
    error_message = "The authorizer verifies tokens and reads their sessions: signing key, GetItem on sessions."
  }
  assert {
    condition = one([for s in local.function_statements["jwt_authorizer"] : s if s.Sid == "ReadTablesByKey"]) == {
      Sid      = "ReadTablesByKey"
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]
      Resource = ["arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions"]
    }
    error_message = "The authorizer may read by key (GetItem, BatchGetItem) on the sessions table only: no other table, index or action."
  }
  assert {
    condition = one([for s in local.function_statements["jwt_authorizer"] : s if s.Sid == "ReadTablesKeyThroughDynamoDB"]) == {
      Sid       = "ReadTablesKeyThroughDynamoDB"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = var.data_kms_key_arn
      Condition = { StringEquals = { "kms:ViaService" = "dynamodb.eu-west-1.amazonaws.com" } }
    }
    error_message = "Reading an encrypted table needs Decrypt on its key, through DynamoDB only."
  }
  assert {
    condition     = toset([for s in local.function_statements["nightly"] : s.Sid]) == toset(["XRayTraces", "OwnLogGroup"])
    error_message = "An ungranted function gets nothing beyond its logs and X-Ray."
  }
  assert {
    condition = alltrue([for name, statements in local.function_statements : alltrue([
      for s in statements : s.Action == ["logs:CreateLogStream", "logs:PutLogEvents"] if s.Sid == "OwnLogGroup"
    ])])
    error_message = "Functions write to their log group; Terraform creates the groups (no logs:CreateLogGroup)."
  }
  assert {
    condition = toset(flatten([for s in local.function_statements["api_handler"] : s.Resource if s.Sid == "AppTables"])) == toset([
      "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-users",
      "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-users/index/*",
      "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions",
      "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions/index/*",
    ])
    error_message = "Table access is limited to the app's tables and their indexes."
  }
  assert {
    condition     = aws_iam_role_policy.function["api_handler"].role == "zebros-test-api_handler"
    error_message = "The policy must attach to the function's own role."
  }
}

run "log_access_is_scoped_to_the_functions_own_group" {
  command = apply

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.function["jwt_authorizer"].policy).Statement : s.Resource if s.Sid == "OwnLogGroup"]) == [
      aws_cloudwatch_log_group.function["jwt_authorizer"].arn, "${aws_cloudwatch_log_group.function["jwt_authorizer"].arn}:*",
    ]
    error_message = "Each function may write to its own log group only."
  }
}

run "reading_an_unknown_table_is_rejected" {
  command = plan
  variables {
    function_grants = { jwt_authorizer = { read_tables = ["sesions"] } }
  }
  expect_failures = [aws_iam_role_policy.function["jwt_authorizer"]]
}

run "gateway_responses_are_problem_json" {
  command = plan

  assert {
    condition     = output.openapi_gateway_responses["UNAUTHORIZED"].statusCode == "401"
    error_message = "A non-null status sets the response status code."
  }
  assert {
    condition     = !contains(keys(output.openapi_gateway_responses["DEFAULT_4XX"]), "statusCode")
    error_message = "A null status keeps API Gateway's own status code."
  }
  assert {
    condition     = output.openapi_gateway_responses["THROTTLED"].responseParameters["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    error_message = "Gateway responses must be served as application/problem+json."
  }
  assert {
    condition = jsondecode(output.openapi_gateway_responses["INVALID_API_KEY"].responseTemplates["application/json"]) == {
      type   = "/docs/errors#403-forbidden"
      title  = "Forbidden"
      status = 403
      detail = "A valid API key is required in the x-api-key header."
    }
    error_message = "The body must be the problem document from gateway_responses.json."
  }
  assert {
    condition = output.openapi_gateway_responses["AUTHORIZER_FAILURE"].statusCode == "503" && (
      output.openapi_gateway_responses["AUTHORIZER_FAILURE"].responseParameters["gatewayresponse.header.Retry-After"] == "'1'"
    )
    error_message = "A failing authorizer (DynamoDB throttled past its retries) is a 503 the client retries after Retry-After."
  }
  assert {
    condition     = length(output.openapi_gateway_responses) == length(var.gateway_responses)
    error_message = "Every declared gateway response is emitted."
  }
}

run "account_settings_when_owned" {
  command = apply

  variables {
    api_gateway_account_enabled = true
  }

  assert {
    condition     = aws_api_gateway_account.this[0].cloudwatch_role_arn == aws_iam_role.apigateway_cloudwatch[0].arn
    error_message = "The account's CloudWatch role must be the module's role."
  }
}

run "unknown_logging_level_is_rejected" {
  command = plan
  variables {
    logging_level = "DEBUG"
  }
  expect_failures = [var.logging_level]
}

run "a_function_granted_named_tables_reaches_those_and_their_key_only" {
  command = apply
  variables {
    function_grants = { nightly = { tables = ["sessions"] } }
  }

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.function["nightly"].policy).Statement : s.Sid => s.Resource if s.Sid != "OwnLogGroup"
      } == {
      XRayTraces                    = "*"
      NamedTables                   = ["arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions", "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions/index/*"]
      NamedTablesKeyThroughDynamoDB = var.data_kms_key_arn
    }
    error_message = "tables grants the named tables (and their indexes) and the table key through DynamoDB, nothing else."
  }
}

run "an_unknown_named_table_is_rejected" {
  command = plan
  variables {
    function_grants = { nightly = { tables = ["sesions"] } }
  }
  expect_failures = [aws_iam_role_policy.function["nightly"]]
}

run "query_indexes_and_api_keys_grant_those_only" {
  command = apply
  variables {
    function_grants = { nightly = { query_indexes = ["sessions/user_sessions"], api_keys = true } }
  }

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.function["nightly"].policy).Statement : s.Sid => [s.Action, s.Resource] if s.Sid != "OwnLogGroup"
      } == {
      XRayTraces                   = [["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"]
      QueryNamedIndexes            = [["dynamodb:Query"], ["arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-sessions/index/user_sessions"]]
      ReadTablesKeyThroughDynamoDB = [["kms:Decrypt"], var.data_kms_key_arn]
      OrganizationApiKeys = [["apigateway:GET", "apigateway:POST", "apigateway:DELETE"], [
        "arn:aws:apigateway:eu-west-1::/apikeys",
        "arn:aws:apigateway:eu-west-1::/apikeys/*",
        "arn:aws:apigateway:eu-west-1::/usageplans",
        "arn:aws:apigateway:eu-west-1::/usageplans/*/keys",
        "arn:aws:apigateway:eu-west-1::/usageplans/*/keys/*",
      ]]
    }
    error_message = "query_indexes grants Query on the named index only; api_keys grants API Gateway's key and usage plan key paths."
  }
}

run "an_index_of_an_unknown_table_is_rejected" {
  command = plan
  variables {
    function_grants = { nightly = { query_indexes = ["sesions/user_sessions"] } }
  }
  expect_failures = [aws_iam_role_policy.function["nightly"]]
}
