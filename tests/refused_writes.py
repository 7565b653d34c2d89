"""What a refused request may write, by design, for the fuzzers that check a 4xx writes nothing
(tests/api/test_fuzz_routes.py in process, tests/contract/ against a `make run` server).

A wrong password counts towards the lockout (at login, and where a login's password proves the
caller: confirming a sign-up of another organization for a registered email, accepting an
invitation for it; the token endpoint's password grant), and a replayed refresh token revokes its
session (at refresh and the token endpoint's refresh_token grant). Registering checks no
password (its 4xx depend on the body alone). Login, register, forgot-password and the token
endpoint (and a public story link) count every attempt against the client address's per-minute limit
(platform/services/quotas.py), whatever it is answered. A StoryVerse child's wrong PIN counts
towards that child's PIN lockout, the child logins count against the address too, and a device
token's login records the token's use before it opens the session. Anything
else written by a 4xx is a finding.
"""
from __future__ import annotations

_LOCKOUT = {("users", "failed_logins"), ("users", "locked_until")}
_ADDRESS_ATTEMPTS = {("usage", attribute) for attribute in ("scope", "usage_key", "count", "purge_at")}
_PIN_LOCKOUT = {("children", "failed_pins"), ("children", "locked_until")}
# (method, path) -> {(table, attribute)}
WRITES_ALLOWED_ON_REFUSAL = {
    ("POST", "/v1/auth/login"): _LOCKOUT | _ADDRESS_ATTEMPTS,
    ("POST", "/v1/auth/register"): _ADDRESS_ATTEMPTS,
    ("POST", "/v1/auth/password/forgot"): _ADDRESS_ATTEMPTS,
    ("POST", "/v1/auth/register/confirm"): _LOCKOUT,
    ("POST", "/v1/auth/invitations/accept"): _LOCKOUT,
    ("POST", "/v1/auth/refresh"): {("sessions", "revoked_at")},
    ("POST", "/v1/auth/token"): _LOCKOUT | _ADDRESS_ATTEMPTS | {("sessions", "revoked_at")},
    ("POST", "/v1/auth/child-login"): _PIN_LOCKOUT | _ADDRESS_ATTEMPTS,
    ("POST", "/v1/auth/device-login"): _ADDRESS_ATTEMPTS | {("child_devices", "last_used_at")},
    # A public story link (storyverse): every attempt counts, so its token cannot be guessed.
    ("GET", "/v1/shared/stories/{token}"): _ADDRESS_ATTEMPTS,
}
