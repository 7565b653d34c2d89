data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  grants = { for name, f in var.functions : name => lookup(var.function_grants, name, {
    dynamodb      = false
    tables        = []
    read_tables   = []
    signing_key   = false
    ses           = false
    jobs          = false
    query_indexes = []
    api_keys      = false
  }) }
  # StopExecution is authorized on the execution: arn:...:execution:<machine name>:<execution name>.
  job_execution_arns = [for arn in values(var.job_state_machine_arns) : "${replace(arn, ":stateMachine:", ":execution:")}:*"]

  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    ip                 = "$context.identity.sourceIp"
    requestTime        = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    status             = "$context.status"
    protocol           = "$context.protocol"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integrationLatency"
    errorType          = "$context.error.responseType"
    apiKeyId           = "$context.identity.apiKeyId"
    principalId        = "$context.authorizer.principalId"
    wafStatus          = "$context.waf.status"
    xrayTraceId        = "$context.xrayTraceId"
  })

  # Gateway responses as the OpenAPI extension the package merges into the API body: a body
  # PUT replaces the API, so responses created as separate resources would be deleted.
  openapi_gateway_responses = { for type, r in var.gateway_responses : type => merge(
    {
      responseParameters = merge(
        { "gatewayresponse.header.Content-Type" = "'application/problem+json'" },
        { for name, value in r.headers : "gatewayresponse.header.${name}" => "'${value}'" },
      )
      responseTemplates = {
        "application/json" = jsonencode(merge(
          { type = r.type, title = r.title, detail = r.detail },
          r.status == null ? {} : { status = r.status },
        ))
      }
    },
    r.status == null ? {} : { statusCode = tostring(r.status) },
  ) }
}

# ------------------------------------------------------------------ logs

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.data_kms_key_arn
  tags              = var.tags
}

# API Gateway creates this group on first use without retention or encryption; owning it first
# fixes both.
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${var.rest_api_id}/${var.stage_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.data_kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = var.functions

  name              = "/aws/lambda/${each.value.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.data_kms_key_arn
  tags              = var.tags
}

# ------------------------------------------------------------------ stage

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:No response caching: every response depends on the caller's token and organization, so a shared cache would leak data between tenants.
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the only integrations are Lambda proxies.
  #checkov:skip=CKV2_AWS_29:The WAF web ACL is associated with this stage by the waf module, composed in the env roots.
  rest_api_id          = var.rest_api_id
  deployment_id        = var.deployment_id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.xray_tracing_enabled

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.execution, aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:No response caching: responses are per caller and tenant (see the stage).
  rest_api_id = var.rest_api_id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.logging_level
    data_trace_enabled     = false # full request/response logging would write tokens and PII to logs
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    caching_enabled        = false
    cache_data_encrypted   = true
  }
}

# ------------------------------------------------------------------ account settings

resource "aws_iam_role" "apigateway_cloudwatch" {
  count = var.api_gateway_account_enabled ? 1 : 0

  name = "${var.name}-apigateway-cloudwatch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  count = var.api_gateway_account_enabled ? 1 : 0

  role       = aws_iam_role.apigateway_cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.api_gateway_account_enabled ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch[0].arn
}

# ------------------------------------------------------------------ function permissions

locals {
  table_resources = concat(values(var.table_arns), [for a in values(var.table_arns) : "${a}/index/*"])
  table_actions = [
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
    "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems", "dynamodb:TransactGetItems", "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
  ]
  kms_via_dynamodb = { StringEquals = { "kms:ViaService" = "dynamodb.${data.aws_region.current.name}.amazonaws.com" } }

  # Policy documents as plain values (not aws_iam_policy_document) so the module tests can read
  # them under a mock provider.
  function_statements = { for name, g in local.grants : name => [for entry in [
    {
      enabled = true
      statement = {
        Sid      = "XRayTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      }
    },
    {
      # Lambda writes the function's logs with its role. The group exists (Terraform owns it, so
      # no CreateLogGroup); the ":*" form covers its streams.
      enabled = true
      statement = {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [aws_cloudwatch_log_group.function[name].arn, "${aws_cloudwatch_log_group.function[name].arn}:*"]
      }
    },
    {
      enabled = g.dynamodb && length(var.table_arns) > 0
      statement = {
        Sid      = "AppTables"
        Effect   = "Allow"
        Action   = local.table_actions
        Resource = local.table_resources
      }
    },
    {
      enabled = g.dynamodb && length(var.table_arns) > 0
      statement = {
        Sid       = "TableEncryptionKeyThroughDynamoDB"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = var.data_kms_key_arn
        Condition = local.kms_via_dynamodb
      }
    },
    {
      # A function that works on a few tables (a stream consumer, a schedule) gets those only.
      enabled = length(g.tables) > 0
      statement = {
        Sid      = "NamedTables"
        Effect   = "Allow"
        Action   = local.table_actions
        Resource = flatten([for t in g.tables : [var.table_arns[t], "${var.table_arns[t]}/index/*"] if contains(keys(var.table_arns), t)])
      }
    },
    {
      enabled = length(g.tables) > 0 && !g.dynamodb
      statement = {
        Sid       = "NamedTablesKeyThroughDynamoDB"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = var.data_kms_key_arn
        Condition = local.kms_via_dynamodb
      }
    },
    {
      enabled = length(g.read_tables) > 0
      statement = {
        Sid      = "ReadTablesByKey"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]
        Resource = [for t in g.read_tables : var.table_arns[t] if contains(keys(var.table_arns), t)]
      }
    },
    {
      enabled = length(g.query_indexes) > 0
      statement = {
        Sid    = "QueryNamedIndexes"
        Effect = "Allow"
        Action = ["dynamodb:Query"]
        Resource = [for i in g.query_indexes : "${var.table_arns[split("/", i)[0]]}/index/${split("/", i)[1]}"
        if contains(keys(var.table_arns), split("/", i)[0])]
      }
    },
    {
      # DynamoDB decrypts a table under a customer managed key with the caller's permission.
      enabled = length(g.read_tables) + length(g.query_indexes) > 0
      statement = {
        Sid       = "ReadTablesKeyThroughDynamoDB"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = var.data_kms_key_arn
        Condition = local.kms_via_dynamodb
      }
    },
    {
      enabled = g.signing_key && var.signing_key_secret_arn != null
      statement = {
        Sid      = "JwtSigningKey"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = var.signing_key_secret_arn
      }
    },
    {
      # Jobs (chalicelib/platform/services/jobs.py): start an execution of a job's machine, cancel one.
      enabled = g.jobs && length(var.job_state_machine_arns) > 0
      statement = {
        Sid      = "StartJobs"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = values(var.job_state_machine_arns)
      }
    },
    {
      enabled = g.jobs && length(var.job_state_machine_arns) > 0
      statement = {
        Sid      = "CancelJobs"
        Effect   = "Allow"
        Action   = ["states:StopExecution"]
        Resource = local.job_execution_arns
      }
    },
    {
      # Organization API keys (chalicelib/aws/api_gateway.py): create a key, attach it to a usage
      # plan, detach and delete it; list the plans to find a tier's by name. API Gateway's ARNs
      # name no account; a key's and a plan key's ids are API Gateway's, unknown here.
      enabled = g.api_keys
      statement = {
        Sid    = "OrganizationApiKeys"
        Effect = "Allow"
        Action = ["apigateway:GET", "apigateway:POST", "apigateway:DELETE"]
        Resource = [
          "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}::/apikeys",
          "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}::/apikeys/*",
          "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}::/usageplans",
          "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}::/usageplans/*/keys",
          "arn:${data.aws_partition.current.partition}:apigateway:${data.aws_region.current.name}::/usageplans/*/keys/*",
        ]
      }
    },
    {
      enabled = g.ses && length(var.ses_identity_arns) > 0
      statement = {
        Sid      = "PasswordResetMail"
        Effect   = "Allow"
        Action   = ["ses:SendEmail", "ses:SendRawEmail"]
        Resource = var.ses_identity_arns
      }
    },
  ] : entry.statement if entry.enabled] }
}

resource "aws_iam_role_policy" "function" {
  for_each = var.functions

  #checkov:skip=CKV_AWS_290:The only unconstrained write is X-Ray PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions.
  #checkov:skip=CKV_AWS_355:The only "*" resource is X-Ray's trace APIs, which have no resource-level permissions.
  name   = "${var.name}-${each.key}-access"
  role   = each.value.role_name
  policy = jsonencode({ Version = "2012-10-17", Statement = local.function_statements[each.key] })

  lifecycle {
    precondition {
      condition = alltrue([for t in concat(local.grants[each.key].tables, local.grants[each.key].read_tables,
      [for i in local.grants[each.key].query_indexes : split("/", i)[0]]) : contains(keys(var.table_arns), t)])
      error_message = "tables, read_tables or query_indexes of ${each.key} names a table that is not in table_arns."
    }
  }
}
