mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555" }
  }
  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:111122223333:event-bus/zebros-test" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:111122223333:zebros-test-event-delivery-dlq" }
  }
}

variables {
  name = "zebros-test"
  consumers = {
    deliver_events = {
      role_name  = "zebros-test-deliver_events"
      stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-audit_logs/stream/2026-01-01T00:00:00.000"
    }
  }
}

run "bus_archive_and_queue_are_encrypted_and_kept" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_bus.this.kms_key_identifier == aws_kms_key.events.arn && aws_kms_key.events.enable_key_rotation
    error_message = "The bus is encrypted with the events' key, which rotates."
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this.event_source_arn == aws_cloudwatch_event_bus.this.arn && aws_cloudwatch_event_archive.this.retention_days == 90
    error_message = "The archive keeps every event of the bus for 90 days by default."
  }
  assert {
    condition     = aws_sqs_queue.dead_letter.kms_master_key_id == aws_kms_key.events.arn && aws_sqs_queue.dead_letter.message_retention_seconds == 1209600
    error_message = "The dead-letter queue is encrypted and keeps failed batches 14 days."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_kms_key.events.policy).Statement :
      s.Condition.StringEquals["aws:SourceArn"] == "arn:aws:events:eu-west-1:111122223333:event-bus/zebros-test" if try(s.Principal.Service, "") == "events.amazonaws.com"
    ])
    error_message = "EventBridge may use the key for this bus only."
  }
}

run "a_consumer_gets_its_stream_the_bus_and_the_queue_only" {
  command = apply

  assert {
    condition     = toset(keys(aws_iam_role_policy.consumer)) == toset(["deliver_events"]) && aws_iam_role_policy.consumer["deliver_events"].role == "zebros-test-deliver_events"
    error_message = "Each consumer's role gets one policy."
  }
  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.consumer["deliver_events"].policy).Statement : s.Sid => s.Resource
      } == {
      ReadItsStream                         = var.consumers.deliver_events.stream_arn
      PutEventsOnTheBus                     = "arn:aws:events:eu-west-1:111122223333:event-bus/zebros-test"
      SendFailedBatchesToTheDeadLetterQueue = "arn:aws:sqs:eu-west-1:111122223333:zebros-test-event-delivery-dlq"
      DeadLetterQueueKeyThroughSqs          = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
    }
    error_message = "The consumer reaches its own stream, this bus, this queue and the queue's key, nothing else."
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.consumer["deliver_events"].policy).Statement : s.Condition if s.Sid == "DeadLetterQueueKeyThroughSqs"][0].StringEquals["kms:ViaService"] == "sqs.eu-west-1.amazonaws.com"
    error_message = "The queue's key is usable through SQS only."
  }
  assert {
    condition     = output.stream_arns == { deliver_events = var.consumers.deliver_events.stream_arn } && output.bus_name == "zebros-test"
    error_message = "The package gets each consumer's stream and the bus name."
  }
}

run "archive_retention_must_be_whole_days" {
  command = plan
  variables {
    archive_retention_days = 1.5
  }
  expect_failures = [var.archive_retention_days]
}

run "consumer_stream_must_be_a_stream_arn" {
  command = plan
  variables {
    consumers = { deliver_events = { role_name = "r", stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/zebros-test-audit_logs" } }
  }
  expect_failures = [var.consumers]
}
