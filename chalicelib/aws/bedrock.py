"""Amazon Bedrock (runtime): a story's text through the Converse API, a page's illustration
through InvokeModel on an Amazon Titan Image Generator model. Both are authorized as
`bedrock:InvokeModel` on the foundation model's ARN (infra: story_generation grants exactly the
configured ones).

Converse rather than InvokeModel for text: one request shape for every text model Bedrock serves,
so the model id is a setting, not code (InvokeModel's body differs per model family).
"""
from __future__ import annotations

import base64
import json

from chalicelib.aws.sessions import client

# Titan Image Generator: a prompt of at most 512 characters, an image of at most 1408 px a side.
IMAGE_PROMPT_CHARS = 512
IMAGE_SIDE = 512


class ModelRefused(Exception):
    """The model declined (its own guardrails) or returned nothing usable; the message says which."""


def converse_text(model_id: str, system: str, prompt: str, max_tokens: int) -> str:
    """The model's answer to `prompt` under the `system` instructions, as plain text."""
    response = client("bedrock-runtime").converse(
        modelId=model_id,
        system=[{"text": system}],
        messages=[{"role": "user", "content": [{"text": prompt}]}],
        inferenceConfig={"maxTokens": max_tokens, "temperature": 0.7},
    )
    if response.get("stopReason") == "content_filtered":
        raise ModelRefused("The text model's own content filter declined this story.")
    parts = response["output"]["message"]["content"]
    text = "".join(part.get("text", "") for part in parts).strip()
    if not text:
        raise ModelRefused("The text model returned no text.")
    return text


def generate_image(model_id: str, prompt: str, negative_prompt: str, seed: int) -> bytes:
    """A PNG of `prompt` (Titan Image Generator's TEXT_IMAGE task); `seed` makes it repeatable."""
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": prompt[:IMAGE_PROMPT_CHARS], "negativeText": negative_prompt[:IMAGE_PROMPT_CHARS]},
        "imageGenerationConfig": {"numberOfImages": 1, "width": IMAGE_SIDE, "height": IMAGE_SIDE, "cfgScale": 8.0,
                                  "seed": seed % 2147483647},
    }  # fmt: skip
    response = client("bedrock-runtime").invoke_model(
        modelId=model_id, body=json.dumps(body), contentType="application/json", accept="application/json"
    )
    answer = json.loads(response["body"].read())
    if answer.get("error") or not answer.get("images"):
        raise ModelRefused(f"The image model made no picture: {answer.get('error') or 'no image returned'}.")
    return base64.b64decode(answer["images"][0])
