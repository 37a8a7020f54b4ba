"""Schemathesis hooks for .ci/fuzz (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

# POST /api/v1/imports takes NDJSON, documented as a string body: send it as
# text, as the built-in text/plain serializer does.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
