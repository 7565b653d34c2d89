"""Benchmarks of the Zebros API, run side by side by `make bench` (`python -m tests.benchmarks`).

Each figure is a ratio against a baseline measured in the same run, or an absolute budget, so a
regression shows up as a FAIL however fast or slow the machine is:

- cold start to first response as in Lambda (tracing on): import + first GET /v1/customers/{id}
  through the handler, in fresh interpreters, against a bare Chalice + PynamoDB handler;
- warm latency: GET /v1/customers/{id} through the Lambda handler against a minimal Chalice app;
- DynamoDB calls per request for every route (and no Scan anywhere);
- peak memory of one process after 1,000 mixed requests.

Everything that talks to DynamoDB does so through a moto server on 127.0.0.1 that the run starts
and stops. Timing is never asserted in pytest: shared CI machines make such tests flaky.
"""
