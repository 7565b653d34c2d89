"""Generation: a story's text (`POST /v1/generate/text`), a page's illustration (`/image`) and a
page's narration (`/audio`), each a job of the jobs platform on its own state machine
(infra/state-machines/story_text|story_image|story_audio.asl.json).

Before anything is queued, the request is checked as the caller's write of the story would be
(generation_context: another family's story or a sibling's private one is 404, a sibling's shared
one 403), and a prompt against the child's age band (a refusal is 422 with the reasons, nothing
queued; the route's quota use is given back). The task then generates (services/generator.py),
checks the generated text against the same band before storing anything (moderation: a refusal
fails the job with the reasons), and stores the result on the story: text as the next pages
(stories' `record_generated_page`), an image or a recording as a file of the files service
attached to the story and named on its page. A job that fails gives the family's quota use back
(`give_back`, the machines' failure path before the platform's `job_failed`).

Each task is idempotent where a retry could repeat it: the text's first page is fixed when the
job is queued, so a retried task writes the same pages again rather than more of them; pages
someone else wrote there since (another generation of the story, a parent's edit) fail the job
rather than being overwritten.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.services import files, jobs, quotas
from chalicelib.platform.services.jobs import JobFailed, TaskJob
from chalicelib.platform.services.roles import Principal
from chalicelib.storyverse.families.services.restrictions import BAND_NAMES, refusals, restrictions_for
from chalicelib.storyverse.generation.services.generator import GeneratorUnavailable, generator, pages_of
from chalicelib.storyverse.stories.services import stories
from chalicelib.storyverse.stories.services.stories import MAX_PAGES, StoryContext

# Files attach to stories as this record type (storyverse/attachables.py).
STORY_RECORD_TYPE = "stories"
MAX_PROMPT_CHARS = 500
# A text generation writes at most this many pages (the offline generator's longest story, and
# what the AWS generator asks for at most): the story must have room for them.
MAX_GENERATED_PAGES = 7


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of generation: its job kind, its state machine and the quota it uses."""

    job_kind: str
    state_machine: str
    action: str


TEXT = Kind("story.text", "story_text", "stories.generate")
IMAGE = Kind("story.image", "story_image", "stories.illustrate")
AUDIO = Kind("story.audio", "story_audio", "stories.narrate")
KINDS = {kind.job_kind: kind for kind in (TEXT, IMAGE, AUDIO)}

_STORY_ID = {"type": "string", "minLength": 1, "maxLength": 64, "description": "The story (GET /v1/stories/{id})."}
TEXT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["story_id"],
    "properties": {
        "story_id": _STORY_ID,
        "prompt": {"type": "string", "minLength": 1, "maxLength": MAX_PROMPT_CHARS,
                   "description": "What the story should be about, in the child's or parent's words."},
    },
}  # fmt: skip
PAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["story_id", "page"],
    "properties": {
        "story_id": _STORY_ID,
        "page": {"type": "integer", "minimum": 0, "maximum": MAX_PAGES - 1,
                 "description": "The page's index in the story's pages (0 is the first); it must have text."},
    },
}  # fmt: skip


# ---------------------------------------------------------------- requests (202 with the job)


def start_text(principal: Principal, body: Any) -> dict[str, Any]:
    request = validate(TEXT_SCHEMA, body)
    context = stories.generation_context(principal, request["story_id"])
    prompt = request.get("prompt")
    if prompt is not None:
        _check_prompt(context, prompt)
    if context.pages + MAX_GENERATED_PAGES > MAX_PAGES:
        raise ValidationFailed(f"The story has {context.pages} pages; a generation adds up to {MAX_GENERATED_PAGES} "
                               f"and a story holds {MAX_PAGES}: start a new story.", [
            {"field": "story_id", "message": "the story has no room for more pages"}])  # fmt: skip
    parameters = {"story_id": context.story_id, "first_page": context.pages, **({"prompt": prompt} if prompt else {})}
    return _start(principal, TEXT, parameters)


def start_image(principal: Principal, body: Any) -> dict[str, Any]:
    return _start_page_job(principal, body, IMAGE)


def start_audio(principal: Principal, body: Any) -> dict[str, Any]:
    return _start_page_job(principal, body, AUDIO)


def _start_page_job(principal: Principal, body: Any, kind: Kind) -> dict[str, Any]:
    request = validate(PAGE_SCHEMA, body)
    context = stories.generation_context(principal, request["story_id"])
    _page_text(principal, context, request["page"], refusal=_page_refusal)
    return _start(principal, kind, {"story_id": context.story_id, "page": request["page"]})


def _start(principal: Principal, kind: Kind, parameters: dict[str, Any]) -> dict[str, Any]:
    return jobs.start(principal, kind.job_kind, kind.state_machine, parameters, {"metered_at": clock.epoch_seconds()})


def _check_prompt(context: StoryContext, prompt: str) -> None:
    reasons = refusals(context.age_band, prompt)
    if reasons:
        count("GenerationPromptRefused")
        raise ValidationFailed(
            f"This prompt is not for {BAND_NAMES[context.age_band]}, the story's reader: " + " ".join(reasons),
            [{"field": "prompt", "message": reason} for reason in reasons],
        )


def _page_refusal(message: str) -> Exception:
    return ValidationFailed(message, [{"field": "page", "message": message}])


def _page_text(principal: Principal, context: StoryContext, page: int, refusal: Any) -> str:
    """The text of the story's page `page`, or `refusal(reason)` when it has none yet."""
    pages = stories.writable_story(principal, context.story_id).pages or []
    if not pages:
        raise refusal("The story has no pages yet; generate its text first.")
    if page >= len(pages):
        raise refusal(f"The story has {len(pages)} pages: page is 0 to {len(pages) - 1}.")
    text = pages[page].text
    if not text:
        raise refusal(f"Page {page} has no text yet; generate or write it first.")
    return text


# ---------------------------------------------------------------- the state machines' tasks


def write_text(event: dict[str, Any]) -> dict[str, Any]:
    """Generate the story's next pages, check them against the child's band, store them."""
    job, context = _task(event)
    first_page = int(job.parameters["first_page"])
    # As when queued: a retry writes the same story, not one that continues the first attempt's pages.
    context = dataclasses.replace(context, pages=first_page)
    restrictions = restrictions_for(context.age_band)
    text = _generated(lambda: generator().text(context, job.parameters.get("prompt"), restrictions))
    pages = pages_of(text)[: MAX_PAGES - first_page]
    _check_unchanged(job, first_page, pages)
    reasons = refusals(context.age_band, " ".join(pages))
    if not pages or reasons:
        count("GeneratedStoryRefused")
        raise JobFailed(
            f"The generated story was not stored: it is not for {BAND_NAMES[context.age_band]}. " + " ".join(reasons)
            if reasons else "The generator wrote no story; try again."
        )  # fmt: skip
    for offset, page_text in enumerate(pages):
        stories.record_generated_page(job.org_id, context.story_id, first_page + offset, text=page_text,
                                      actor_id=job.creator.user_id)  # fmt: skip
    jobs.succeed(job, {"story_id": context.story_id, "pages": list(range(first_page, first_page + len(pages)))},
                 len(pages))  # fmt: skip
    count("StoryTextGenerated")
    return {"job": event["job"]}


def _check_unchanged(job: TaskJob, first_page: int, pages: list[str]) -> None:
    """The story's pages from `first_page` on are none, or this job's own (a retried task's first
    attempt wrote them): anything else was written since the job was queued (another generation,
    a parent's edit), which this job must not overwrite."""
    current = stories.writable_story(job.creator, job.parameters["story_id"]).pages or []
    written = [page.text for page in current[first_page:]]
    if written and written != pages[: len(written)]:
        raise JobFailed(f"The story changed since this generation was asked for (it has {len(current)} pages now, "
                        f"{first_page} then); nothing was written over it. Ask again to continue it.")  # fmt: skip


def draw_image(event: dict[str, Any]) -> dict[str, Any]:
    """Illustrate the page and attach the picture to it."""
    job, context = _task(event)
    page = int(job.parameters["page"])
    page_text = _page_text(job.creator, context, page, refusal=JobFailed)
    picture, content_type = _generated(lambda: generator().image(context, page_text, restrictions_for(context.age_band)))
    return _store_page_file(event, job, context, page, picture, content_type, "image_file_id", "illustration")


def narrate(event: dict[str, Any]) -> dict[str, Any]:
    """Read the page aloud and attach the recording to it."""
    job, context = _task(event)
    page = int(job.parameters["page"])
    page_text = _page_text(job.creator, context, page, refusal=JobFailed)
    recording, content_type = _generated(lambda: generator().audio(page_text))
    return _store_page_file(event, job, context, page, recording, content_type, "audio_file_id", "narration")


def give_back(event: dict[str, Any]) -> dict[str, Any]:
    """A failed job's quota use, given back to the family: what it was charged for was not made.
    The day is the request's (`metered_at`, in the execution's input), when it was counted."""
    job = jobs.task_job(event)
    quotas.give_back_daily(job.org_id, KINDS[job.kind].action, event["metered_at"], job.creator.user_id,
                           per=quotas.PER_ORGANIZATION)  # fmt: skip
    return event


def _store_page_file(
    event: dict[str, Any], job: TaskJob, context: StoryContext, page: int, body: bytes, content_type: str,
    field: str, what: str,
) -> dict[str, Any]:  # fmt: skip
    extension = {"image/png": "png", "audio/wav": "wav", "audio/mpeg": "mp3"}[content_type]
    name = f"{_slug(context.title)}-page-{page + 1}-{what}.{extension}"
    try:
        stored = files.store_file(job.creator, STORY_RECORD_TYPE, context.story_id, name, content_type, body)
    except ValidationFailed as refused:
        raise JobFailed(f"The {what} could not be stored: {refused.detail}") from None
    stories.record_generated_page(job.org_id, context.story_id, page, actor_id=job.creator.user_id, **{field: stored["id"]})
    result = {"story_id": context.story_id, "page": page, "file_id": stored["id"], "content_type": content_type,
              "size": stored["size"]}  # fmt: skip
    jobs.succeed(job, result, 1)
    count("StoryIllustrated" if field == "image_file_id" else "StoryNarrated")
    return {"job": event["job"]}


def _task(event: dict[str, Any]) -> tuple[TaskJob, StoryContext]:
    """The job and its story, read as its creator may now: a story deleted, or no longer theirs to
    write, since the job was queued ends the job with that reason."""
    job = jobs.task_job(event)
    try:
        return job, stories.generation_context(job.creator, job.parameters["story_id"])
    except (NotFound, Forbidden):
        raise JobFailed("The story is gone, or no longer one its requester may write.") from None


def _generated(make: Any) -> Any:
    try:
        return make()
    except GeneratorUnavailable as unavailable:
        raise JobFailed(str(unavailable)) from None


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "story"
