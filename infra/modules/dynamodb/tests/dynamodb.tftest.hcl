mock_provider "aws" {}

variables {
  name_prefix = "zebros-test-"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  tables = {
    customers = {
      hash_key   = "org_id"
      range_key  = "customer_id"
      attributes = [{ name = "org_id", type = "S" }, { name = "customer_id", type = "S" }, { name = "email", type = "S" }]
      global_secondary_indexes = [
        { name = "by_email", hash_key = "email", range_key = null, projection_type = "KEYS_ONLY" },
      ]
      ttl_attribute    = "expires_at"
      stream_view_type = "NEW_AND_OLD_IMAGES"
    }
    organizations = {
      hash_key                 = "org_id"
      range_key                = null
      attributes               = [{ name = "org_id", type = "S" }]
      global_secondary_indexes = []
      ttl_attribute            = null
      stream_view_type         = null
    }
  }
}

run "tables_follow_the_declared_schema" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.this["customers"].name == "zebros-test-customers"
    error_message = "Physical name must be prefix + logical name."
  }
  assert {
    condition     = aws_dynamodb_table.this["customers"].billing_mode == "PAY_PER_REQUEST"
    error_message = "Tables must be on-demand."
  }
  assert {
    condition     = aws_dynamodb_table.this["customers"].hash_key == "org_id" && aws_dynamodb_table.this["customers"].range_key == "customer_id"
    error_message = "Keys must match the declaration."
  }
  assert {
    condition     = one(aws_dynamodb_table.this["customers"].global_secondary_index).name == "by_email"
    error_message = "The declared GSI must exist."
  }
  assert {
    condition     = one(aws_dynamodb_table.this["customers"].ttl).attribute_name == "expires_at"
    error_message = "TTL must use the declared attribute."
  }
  assert {
    condition     = aws_dynamodb_table.this["customers"].stream_enabled && aws_dynamodb_table.this["customers"].stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "The declared stream must be enabled."
  }
  assert {
    condition     = !aws_dynamodb_table.this["organizations"].stream_enabled && length(aws_dynamodb_table.this["organizations"].ttl) == 0
    error_message = "No stream and no TTL where none is declared."
  }
  assert {
    condition     = aws_dynamodb_table.this["organizations"].range_key == null
    error_message = "A hash-only table has no range key."
  }
  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : t.point_in_time_recovery[0].enabled && t.server_side_encryption[0].enabled && t.deletion_protection_enabled])
    error_message = "PITR, SSE and deletion protection must be on by default."
  }
}

run "deletion_protection_can_be_off_outside_prod" {
  command = plan

  variables {
    deletion_protection_enabled = false
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.this : !t.deletion_protection_enabled])
    error_message = "deletion_protection_enabled = false must reach every table."
  }
}

run "undeclared_attribute_is_rejected" {
  command = plan

  variables {
    tables = {
      bad = {
        hash_key   = "id"
        attributes = [{ name = "id", type = "S" }, { name = "unused", type = "S" }]
      }
    }
  }

  expect_failures = [var.tables]
}

run "committed_tables_json_is_accepted" {
  command = plan

  variables {
    tables = jsondecode(file("../../tables.json"))
  }

  assert {
    condition     = length(aws_dynamodb_table.this) == length(jsondecode(file("../../tables.json")))
    error_message = "Every table of infra/tables.json must be planned."
  }
}
