"""Amazon Polly: a page read aloud (`polly:SynthesizeSpeech`), as MP3."""
from __future__ import annotations

from chalicelib.aws.sessions import client

# SynthesizeSpeech takes at most 3,000 billed characters a request; a page is far shorter.
MAX_TEXT_CHARS = 3000


def synthesize(text: str, voice_id: str) -> bytes:
    """`text` spoken by `voice_id` with the neural engine, as MP3 bytes."""
    response = client("polly").synthesize_speech(
        Text=text[:MAX_TEXT_CHARS], VoiceId=voice_id, OutputFormat="mp3", Engine="neural", TextType="text"
    )
    with response["AudioStream"] as stream:
        return stream.read()
