"""The story generators behind their one interface: the offline one's text, pictures and
narration, and the AWS one's requests to Bedrock and Polly, checked by botocore's Stubber against
the services' own models (a parameter AWS would refuse fails here), with the answers they give."""
from __future__ import annotations

import base64
import io
import json
import zlib

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from chalicelib.core.settings import get_settings
from chalicelib.storyverse.families.services.restrictions import refusals, restrictions_for
from chalicelib.storyverse.generation.services import generator as generators
from chalicelib.storyverse.generation.services import illustration
from chalicelib.storyverse.generation.services.generator import GeneratorUnavailable, pages_of
from chalicelib.storyverse.generation.services.offline_generator import OfflineGenerator
from chalicelib.storyverse.stories.services.stories import StoryContext

CONTEXT = StoryContext("01STORY", "Luna's Lantern", "01CHILD", "under_7", ("Starfall Bay", "A harbour town of round doors"),
                       [("Luna", "A brave little otter"), ("Bo", "her best friend, a heron")], 0)  # fmt: skip


@pytest.mark.parametrize("age_band, pages", [("under_7", 5), ("7_12", 6), ("13_plus", 7)])
def test_offline_stories_suit_their_band_and_are_told_again_the_same(age_band, pages):
    context = StoryContext(**{**CONTEXT.__dict__, "age_band": age_band})
    text = OfflineGenerator().text(context, "a lantern that sings", restrictions_for(age_band))
    assert len(pages_of(text)) == pages
    assert refusals(age_band, text) == []
    assert "Luna" in text and "Bo" in text and "Starfall Bay" in text and "a lantern that sings" in text
    assert OfflineGenerator().text(context, "a lantern that sings", restrictions_for(age_band)) == text
    # A story that goes on opens on a new day, not with the world again.
    going_on = OfflineGenerator().text(StoryContext(**{**context.__dict__, "pages": 5}), None, restrictions_for(age_band))
    assert pages_of(going_on)[0] != pages_of(text)[0]


def test_offline_pictures_show_the_pages_setting():
    sea = illustration.draw("Luna sailed on the sea.", ["Luna"], "simple", "seed")
    forest = illustration.draw("Luna walked in the forest.", ["Luna"], "simple", "seed")
    assert illustration.scene_of("Luna sailed on the sea at night.") == ("sea", True)
    assert illustration.scene_of("A quiet afternoon.") == ("meadow", False)
    for png, water_expected in ((sea, True), (forest, False)):
        pixels = zlib.decompress(png[png.index(b"IDAT") + 4 :])
        assert (bytes(illustration.WATER) in pixels) is water_expected


def test_an_unknown_generator_setting_is_named(monkeypatch):
    monkeypatch.setenv("STORY_GENERATOR", "cloudy")
    get_settings.cache_clear()
    try:
        with pytest.raises(GeneratorUnavailable, match="offline or aws"):
            generators.generator()
    finally:
        get_settings.cache_clear()


@pytest.fixture
def aws_generator(monkeypatch):
    monkeypatch.setenv("STORY_GENERATOR", "aws")
    monkeypatch.setenv("STORY_TEXT_MODEL_ID", "anthropic.claude-3-haiku-20240307-v1:0")
    monkeypatch.setenv("STORY_IMAGE_MODEL_ID", "amazon.titan-image-generator-v2:0")
    monkeypatch.setenv("STORY_VOICE_ID", "Ivy")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    get_settings.cache_clear()
    yield generators.generator()
    get_settings.cache_clear()


def stubbed(service: str) -> Stubber:
    from chalicelib.aws.sessions import client

    return Stubber(client(service))


def streaming(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def test_bedrock_writes_the_story_with_the_bands_rules_in_its_instructions(aws_generator):
    story = "Luna woke early.\n\nShe found the lantern.\n\nGoodnight, Luna."
    with stubbed("bedrock-runtime") as bedrock:
        bedrock.add_response("converse", {
            "output": {"message": {"role": "assistant", "content": [{"text": story}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 200, "outputTokens": 40, "totalTokens": 240}, "metrics": {"latencyMs": 900},
        })  # fmt: skip
        text = aws_generator.text(CONTEXT, "a lantern that sings", restrictions_for("under_7"))
        bedrock.assert_no_pending_responses()
    assert pages_of(text) == ["Luna woke early.", "She found the lantern.", "Goodnight, Luna."]


def test_bedrock_instructions_name_the_model_and_the_restrictions(aws_generator):
    with stubbed("bedrock-runtime") as bedrock:
        bedrock.add_response("converse", {
            "output": {"message": {"role": "assistant", "content": [{"text": "A page."}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1},
        }, expected_params={
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "system": [{"text": _Containing("Never use these words: blood")}],
            "messages": [{"role": "user", "content": [{"text": _Containing("Characters: Luna: A brave little otter")}]}],
            "inferenceConfig": {"maxTokens": 1500, "temperature": 0.7},
        })  # fmt: skip
        aws_generator.text(CONTEXT, None, restrictions_for("under_7"))
        bedrock.assert_no_pending_responses()


def test_a_model_that_declines_fails_the_job_with_a_reason(aws_generator):
    with stubbed("bedrock-runtime") as bedrock:
        bedrock.add_response("converse", {
            "output": {"message": {"role": "assistant", "content": []}}, "stopReason": "content_filtered",
            "usage": {"inputTokens": 1, "outputTokens": 0, "totalTokens": 1}, "metrics": {"latencyMs": 1},
        })  # fmt: skip
        with pytest.raises(GeneratorUnavailable, match="content filter"):
            aws_generator.text(CONTEXT, None, restrictions_for("under_7"))


def test_titan_paints_the_page_in_the_bands_style(aws_generator):
    png = illustration.draw("Luna by the sea.", ["Luna"], "simple", "seed")
    answer = json.dumps({"images": [base64.b64encode(png).decode()], "error": None}).encode()
    with stubbed("bedrock-runtime") as bedrock:
        bedrock.add_response("invoke_model", {"body": streaming(answer), "contentType": "application/json"})
        picture, content_type = aws_generator.image(CONTEXT, "Luna by the sea.", restrictions_for("under_7"))
        bedrock.assert_no_pending_responses()
    assert (picture, content_type) == (png, "image/png")


def test_titan_request_body_is_a_text_to_image_task(aws_generator, monkeypatch):
    from chalicelib.aws import bedrock as adapter
    from chalicelib.aws.sessions import client

    sent = {}
    original = client("bedrock-runtime").invoke_model

    def recording(**params):
        sent.update(json.loads(params["body"]), modelId=params["modelId"])
        return original(**params)

    answer = json.dumps({"images": [base64.b64encode(b"png").decode()]}).encode()
    with stubbed("bedrock-runtime") as bedrock:
        bedrock.add_response("invoke_model", {"body": streaming(answer), "contentType": "application/json"})
        monkeypatch.setattr(client("bedrock-runtime"), "invoke_model", recording)
        aws_generator.image(CONTEXT, "Luna by the sea.", restrictions_for("under_7"))
    assert sent["modelId"] == "amazon.titan-image-generator-v2:0" and sent["taskType"] == "TEXT_IMAGE"
    assert sent["textToImageParams"]["text"].startswith(restrictions_for("under_7").image_style)
    assert len(sent["textToImageParams"]["text"]) <= adapter.IMAGE_PROMPT_CHARS
    assert "blood" in sent["textToImageParams"]["negativeText"]
    assert sent["imageGenerationConfig"]["numberOfImages"] == 1


def test_polly_reads_the_page_with_the_configured_voice(aws_generator):
    with stubbed("polly") as polly:
        polly.add_response(
            "synthesize_speech", {"AudioStream": streaming(b"ID3 mp3 frames"), "ContentType": "audio/mpeg", "RequestCharacters": 16},
            expected_params={"Text": "Goodnight, Luna.", "VoiceId": "Ivy", "OutputFormat": "mp3", "Engine": "neural", "TextType": "text"},
        )  # fmt: skip
        assert aws_generator.audio("Goodnight, Luna.") == (b"ID3 mp3 frames", "audio/mpeg")
        polly.assert_no_pending_responses()


class _Containing(str):
    """An expected parameter that matches any string containing it."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__
