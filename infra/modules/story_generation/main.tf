# StoryVerse's generation tasks and the AWS services they call when provider_name is "aws": each
# task may invoke exactly its own foundation model (Converse and InvokeModel are both authorized as
# bedrock:InvokeModel), and the narration task may synthesize speech. Offline, no grant exists.

data "aws_partition" "current" {}

locals {
  aws_enabled = var.provider_name == "aws"
  model_arn   = "arn:${data.aws_partition.current.partition}:bedrock:${var.region}::foundation-model/"

  model_grants = local.aws_enabled ? {
    text  = { role = var.role_names.text, model_arn = "${local.model_arn}${var.text_model_id}" }
    image = { role = var.role_names.image, model_arn = "${local.model_arn}${var.image_model_id}" }
  } : {}
}

resource "aws_iam_role_policy" "invoke_model" {
  for_each = local.model_grants

  name = "story-generation-model"
  role = each.value.role
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeTheConfiguredModel"
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel"]
      Resource = [each.value.model_arn]
    }]
  })
}

# SynthesizeSpeech authorizes no resource but lexicons; voices cannot be scoped in IAM, so the
# voice is a setting of the function (STORY_VOICE_ID), not a grant.
resource "aws_iam_role_policy" "synthesize_speech" {
  #checkov:skip=CKV_AWS_355:SynthesizeSpeech names no resource the narration uses (lexicons only, and it uses none), so it cannot be narrowed; only polly:SynthesizeSpeech is allowed.
  count = local.aws_enabled ? 1 : 0

  name = "story-generation-speech"
  role = var.role_names.audio
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "SynthesizeNarration"
      Effect   = "Allow"
      Action   = ["polly:SynthesizeSpeech"]
      Resource = ["*"]
    }]
  })
}
