"""The platform operator's tool for plans and burst grants: what an organization may use is what it
pays for, so neither its owner nor its admins set it through the API; the operator (sales or
support, with the AWS credentials of the stage's tables) does, from a shell:

    .venv/bin/python -m chalicelib.platform.plans show ORG_ID
    .venv/bin/python -m chalicelib.platform.plans set-plan ORG_ID custom --quota records.batch=2000
    .venv/bin/python -m chalicelib.platform.plans grant ORG_ID records.batch --extra 100 \
        --until 2026-12-24T00:00:00Z --by "ops: jane" --reason "year-end import"

It uses the app's settings (TABLE_PREFIX, the region) to reach the stage's tables, as `make run` does.
"""
from __future__ import annotations

import argparse
import json
import sys

from chalicelib.core import clock
from chalicelib.platform.services import quotas


def _quota(text: str) -> tuple[str, int]:
    action, separator, limit = text.partition("=")
    if not separator or not limit.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not ACTION=N")
    return action, int(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.platform.plans", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="the plan, today's quotas and the burst grants")
    show.add_argument("org_id")
    set_plan = commands.add_parser("set-plan", help="basic, premium, or custom with its own quotas")
    set_plan.add_argument("org_id")
    set_plan.add_argument("plan", choices=quotas.PLAN_NAMES)
    set_plan.add_argument("--quota", type=_quota, action="append", default=[], metavar="ACTION=N",
                          help="a custom plan's per-user daily quota of ACTION (repeat)")  # fmt: skip
    grant = commands.add_parser("grant", help="a temporary extra per-user daily quota that expires by itself")
    grant.add_argument("org_id")
    grant.add_argument("action", choices=sorted(quotas.METERED_ACTIONS))
    grant.add_argument("--extra", type=int, required=True, help="uses more per member and day")
    grant.add_argument("--until", required=True, help="when it ends, ISO 8601 (UTC unless a zone is given)")
    grant.add_argument("--by", required=True, help="who grants it (kept with the grant)")
    grant.add_argument("--reason", required=True, help="why (kept with the grant)")
    args = parser.parse_args(argv)
    try:
        if args.command == "set-plan":
            quotas.set_plan(args.org_id, args.plan, dict(args.quota))
        elif args.command == "grant":
            until = int(clock.parse(args.until).timestamp())
            quotas.grant_burst(args.org_id, args.action, args.extra, until, args.by, args.reason)
        print(json.dumps(quotas.describe_plan(args.org_id), indent=2))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
