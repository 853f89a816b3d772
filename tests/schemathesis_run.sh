#!/bin/sh
# Run Schemathesis against a live local server over the read API (bounded: ~1-2 minutes).
# Usage: tests/schemathesis_run.sh [extra schemathesis options]
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8041}
export JPOA_DATA_DIR=${JPOA_DATA_DIR:-$(mktemp -d /tmp/jpoa-schemathesis.XXXXXX)}
export JPOA_PLAIN_STATIC=1
export DJANGO_SETTINGS_MODULE=tests.schemathesis_settings
"$PY" -m jpoa init >/dev/null
# A published edition, so that the matrix and activity endpoints have something to read.
"$PY" -m jpoa publish --title "Schemathesis edition" >/dev/null
"$PY" -m jpoa serve --port "$PORT" >"$JPOA_DATA_DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && break
  sleep 0.2
done
.venv/bin/schemathesis --config-file tests/schemathesis.toml run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --checks all --include-method GET --max-examples "${MAX_EXAMPLES:-25}" \
  --max-time "${MAX_TIME:-90}" --workers 2 --no-color "$@"
