data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  # Known before the bus exists, for the key policy's encryption-context condition.
  bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/${var.name}"
}

# The events' own key: EventBridge encrypts the bus with it on its own behalf (which the
# environment's data key does not allow), and the dead-letter queue's messages with it.
resource "aws_kms_key" "events" {
  description             = "${var.name}: event bus and event dead-letter queue"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersKeyThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # Only for this bus: the encryption context EventBridge binds to every event it stores.
        Sid       = "EventBridgeEncryptsThisBus"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "aws:SourceArn"                                  = local.bus_arn
            "kms:EncryptionContext:aws:events:event-bus:arn" = local.bus_arn
          }
        }
      },
      {
        Sid       = "EventBridgeDescribesTheKey"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "kms:DescribeKey"
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = local.bus_arn } }
      },
    ]
  })
  tags = var.tags
}

resource "aws_kms_alias" "events" {
  name          = "alias/${var.name}-events"
  target_key_id = aws_kms_key.events.key_id
}

# Domain events for integrations: the stream consumer puts every committed event here (source
# "zebros", detail-type = the event type, detail.id = the event id to deduplicate on).
resource "aws_cloudwatch_event_bus" "this" {
  name               = var.name
  kms_key_identifier = aws_kms_key.events.arn
  tags               = var.tags
}

# Every event the bus receives, kept for replay to a new or repaired integration. Provider 5.100
# cannot set an archive's key (kms_key_identifier arrived later): EventBridge encrypts it with a
# key of its own.
resource "aws_cloudwatch_event_archive" "this" {
  name             = "${var.name}-events"
  description      = "Every domain event of ${var.name}, for replay."
  event_source_arn = aws_cloudwatch_event_bus.this.arn
  retention_days   = var.archive_retention_days
}

# Where the stream's event source mapping sends a batch it gives up on (after its retries and
# halvings): the shard and sequence range, so the entries can be read back from the table and
# delivered again (docs/deploy.md).
resource "aws_sqs_queue" "dead_letter" {
  name                              = "${var.name}-event-delivery-dlq"
  message_retention_seconds         = var.dead_letter_retention_seconds
  kms_master_key_id                 = aws_kms_key.events.arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags
}

# What each stream consumer's role needs beyond the app's tables (chalice_app function_grants):
# Lambda reads the stream and sends failed batches to the queue with the function's role; the
# consumer puts events on the bus.
resource "aws_iam_role_policy" "consumer" {
  for_each = var.consumers

  name = "${var.name}-${each.key}-events"
  role = each.value.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadItsStream"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
        Resource = each.value.stream_arn
      },
      {
        Sid      = "PutEventsOnTheBus"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = aws_cloudwatch_event_bus.this.arn
      },
      {
        Sid      = "SendFailedBatchesToTheDeadLetterQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = aws_sqs_queue.dead_letter.arn
      },
      {
        Sid       = "DeadLetterQueueKeyThroughSqs"
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = aws_kms_key.events.arn
        Condition = { StringEquals = { "kms:ViaService" = "sqs.${local.region}.amazonaws.com" } }
      },
    ]
  })
}
