# Scheduled reports (chalicelib/aws/schedules.py): the app keeps one EventBridge Scheduler schedule
# per scheduled report in this group, each invoking the report-running function with this role.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_scheduler_schedule_group" "reports" {
  name = "${var.name}-reports"
}

data "aws_iam_policy_document" "assume_by_scheduler" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    # Only this account's schedules of this group may use the role (confused deputy).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = ["${local.schedules_arn_prefix}*"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-report-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume_by_scheduler.json
}

data "aws_iam_policy_document" "invoke_target" {
  statement {
    actions   = ["lambda:InvokeFunction"]
    resources = [var.target_function_arn]
  }
}

resource "aws_iam_role_policy" "invoke_target" {
  name   = "invoke-report-function"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.invoke_target.json
}

locals {
  schedules_arn_prefix = "arn:${data.aws_partition.current.partition}:scheduler:${var.region}:${data.aws_caller_identity.current.account_id}:schedule/${aws_scheduler_schedule_group.reports.name}/"
}

# What the functions that write reports may do: create, update and delete the schedules of this
# group, handing them this role and no other.
data "aws_iam_policy_document" "manage_schedules" {
  statement {
    actions   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
    resources = ["${local.schedules_arn_prefix}*"]
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.scheduler.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "manage_schedules" {
  for_each = toset(var.manager_role_names)

  name   = "manage-report-schedules"
  role   = each.value
  policy = data.aws_iam_policy_document.manage_schedules.json
}
