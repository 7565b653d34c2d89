mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  region         = "eu-west-1"
  text_model_id  = "anthropic.claude-3-haiku-20240307-v1:0"
  image_model_id = "amazon.titan-image-generator-v2:0"
  role_names     = { text = "zebros-test-story_write_text", image = "zebros-test-story_draw_image", audio = "zebros-test-story_narrate" }
}

run "offline_grants_nothing" {
  command = plan

  assert {
    condition     = length(aws_iam_role_policy.invoke_model) == 0 && length(aws_iam_role_policy.synthesize_speech) == 0
    error_message = "the offline generator calls no AWS service: no Bedrock or Polly grant"
  }
}

run "aws_grants_each_task_its_model_only" {
  command = plan

  variables {
    provider_name = "aws"
  }

  assert {
    condition     = aws_iam_role_policy.invoke_model["text"].role == "zebros-test-story_write_text" && aws_iam_role_policy.invoke_model["image"].role == "zebros-test-story_draw_image"
    error_message = "the text and image tasks get the model grants"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.invoke_model["text"].policy).Statement[0].Resource == ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    error_message = "the text task may invoke the text model and no other"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.invoke_model["image"].policy).Statement[0].Resource == ["arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-image-generator-v2:0"]
    error_message = "the image task may invoke the image model and no other"
  }
  assert {
    condition     = aws_iam_role_policy.synthesize_speech[0].role == "zebros-test-story_narrate" && jsondecode(aws_iam_role_policy.synthesize_speech[0].policy).Statement[0].Action == ["polly:SynthesizeSpeech"]
    error_message = "only the narration task may synthesize speech"
  }
}

run "refuses_an_unknown_provider" {
  command = plan

  variables {
    provider_name = "openai"
  }
  expect_failures = [var.provider_name]
}

run "refuses_an_image_model_whose_request_the_task_cannot_send" {
  command = plan

  variables {
    image_model_id = "stability.stable-diffusion-xl-v1"
  }
  expect_failures = [var.image_model_id]
}
