"""Fake APIs for tests: a threaded HTTP server on 127.0.0.1 with fault injection, and
OneRoster REST, Ed-Fi ODS/API and Canvas shapes on top of it."""

# The credentials the fakes accept by default, as the environment variables test
# configurations name them (secrets come from the environment, never the configuration).
SECRETS = {"OR_CLIENT_ID": "or-id", "OR_CLIENT_SECRET": "or-secret", "EDFI_KEY": "edfi-key",
           "EDFI_SECRET": "edfi-secret", "CANVAS_TOKEN": "canvas-token-123456",
           "OR_KEY": "consumer-key", "OR_SECRET": "consumer-secret-1"}
