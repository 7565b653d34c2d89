"""Step Functions: start and stop the execution of a job. In AWS the machines are Terraform's
(infra/modules/step_functions); under `make run` and the tests, moto's interpreter runs the same ASL
(chalicelib/localdev/stepfunctions.py, or AWS_ENDPOINT_URL_SFN naming the local server)."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core.settings import get_settings


class ExecutionAlreadyEnded(Exception):
    """StopExecution found the execution finished already."""


def state_machine_arn(name: str) -> str:
    return f"{get_settings().state_machine_arn_prefix}{name}"


def start_execution(state_machine: str, name: str, execution_input: dict[str, Any]) -> str:
    """Start `state_machine` (by name) as execution `name`; its ARN. One execution per name: a
    second start with the same name and input is answered with the first one's ARN."""
    from chalicelib.aws.sessions import client

    response = client("stepfunctions").start_execution(
        stateMachineArn=state_machine_arn(state_machine), name=name,
        input=json.dumps(execution_input, separators=(",", ":")),
    )  # fmt: skip
    return response["executionArn"]


def stop_execution(execution_arn: str, cause: str) -> None:
    from chalicelib.aws.sessions import client

    sfn = client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn, cause=cause)
    except sfn.exceptions.ExecutionDoesNotExist:
        raise ExecutionAlreadyEnded(execution_arn) from None
