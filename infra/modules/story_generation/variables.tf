variable "provider_name" {
  description = "Who generates StoryVerse's stories: \"offline\" (templates, a drawn PNG, espeak-ng; no AWS service, no grant) or \"aws\" (Amazon Bedrock and Amazon Polly, granted below)."
  type        = string
  default     = "offline"

  validation {
    condition     = contains(["offline", "aws"], var.provider_name)
    error_message = "provider_name must be offline or aws."
  }
}

variable "region" {
  description = "Region of the Bedrock foundation models the tasks invoke (their ARNs scope the grants)."
  type        = string
}

variable "text_model_id" {
  description = "Bedrock foundation model that writes stories (Converse API), e.g. anthropic.claude-3-haiku-20240307-v1:0."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]+\\.[A-Za-z0-9.:_-]+$", var.text_model_id))
    error_message = "text_model_id must be a Bedrock model id (<provider>.<model>)."
  }
}

variable "image_model_id" {
  description = "Bedrock foundation model that illustrates pages (Titan Image Generator's TEXT_IMAGE request), e.g. amazon.titan-image-generator-v2:0."
  type        = string

  validation {
    condition     = can(regex("^amazon\\.titan-image-generator-[A-Za-z0-9.:_-]+$", var.image_model_id))
    error_message = "image_model_id must be an Amazon Titan Image Generator model id: the task sends its request format."
  }
}

variable "role_names" {
  description = "Roles of the generation task functions: text (writes stories), image (illustrates pages), audio (narrates pages)."
  type = object({
    text  = string
    image = string
    audio = string
  })
}
