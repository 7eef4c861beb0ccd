#!/usr/bin/env bash
# The API as its clients see it: schemathesis generates requests from /api/openapi.json and
# sends them, signed in as the demo admin, to `careline serve --demo`.
#
#   tests/schemathesis/run.sh    (needs schemathesis 4 from PyPI — .ci/run installs it — and
#                                 curl, jq, sqlite3, python3 like the SIP peer scripts)
#
# It starts a CareLine with its own throwaway SQLite database on free loopback ports (the
# helpers of tests/sipp/lib.sh), signs in as admin@demo.careline.test, and runs every
# operation of the document with these checks on every response:
#
#   not_a_server_error           no 5xx, whatever the request
#   status_code_conformance      every status answered is one the operation documents
#   response_schema_conformance  every body matches the schema documented for its status
#                                (so an error is the ErrorBody and a success its type)
#
# in positive and negative modes (valid requests, and requests that break the schema: those
# must be refused with a status the document lists), through schemathesis's coverage, fuzzing
# and stateful phases. Three passes: random ids (as a new user would run it), the demo's own
# ids (so the handlers' logic is reached, not only their 404), and last the two operations
# that end the session. Any failure makes the run exit non-zero.
#
# Not checked: positive_data_acceptance and negative_data_rejection (in schemathesis's
# default `all`). They hold the server to accept every request the schema admits and refuse
# every one it does not, and the schema states types, not every rule: a body or filter of
# the right type that is semantically invalid (an empty `status=`, a date range ending before
# it starts, a name of spaces) is refused with a documented 422/400, which those checks count
# as failures, and a per_page above the int64 the schema declares for a u64 is accepted and
# clamped. They are about how precise the schema is, not about what the server answers.
#
# Settings (environment, besides PEERS_BIN, KEEP of tests/sipp/lib.sh — without PEERS_BIN
# the binary is target/debug/careline, built first if out of date):
#   SCHEMATHESIS_EXAMPLES   examples per operation and phase (default 100: about 3 minutes
#                           on two cores)
#   SCHEMATHESIS_SEED       a seed, to replay a run (schemathesis prints the one it used)
source "$(dirname "$0")/../sipp/lib.sh"

# As a module, so it runs wherever pip put the `st` script (~/.local/bin may not be on PATH).
python3 -c 'import schemathesis' 2>/dev/null ||
  fail "schemathesis is not installed (PyPI): python3 -m pip install 'schemathesis>=4,<5'"
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-100}

BIN=$(careline_bin)
start_node api
API=$NODE_HTTP
for _ in $(seq 1 50); do
  curl -sf "http://$API/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "http://$API/ready" >/dev/null || fail "careline is not ready at http://$API/ready"
TOKEN=$(login "$API" admin@demo.careline.test)

# run_schemathesis NAME CONFIG [ST OPTIONS...]: one schemathesis run over the document, signed
# in as the admin, with the configuration file CONFIG ("" for none); the options choose the
# operations. One worker: with two, Python 3.11's ast.parse (which Hypothesis calls to describe
# its strategies) sometimes fails across threads ("AST constructor recursion depth mismatch"),
# a runtime error of the tool that fails the run without finding anything.
run_schemathesis() {
  local name=$1 config=()
  [ -n "$2" ] && config=(--config-file "$2")
  shift 2
  local seed=()
  [ -n "${SCHEMATHESIS_SEED:-}" ] && seed=(--seed "$SCHEMATHESIS_SEED")
  log "schemathesis ($name): $EXAMPLES examples per operation"
  # From the work directory: schemathesis keeps a cache (.schemathesis/) where it runs.
  (cd "$WORK" && python3 -m schemathesis.cli "${config[@]}" run "http://$API/api/openapi.json" \
    -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report junit,har --report-dir "$WORK/$name" \
    "${seed[@]}" "$@") ||
    fail "schemathesis ($name) found responses that break the document (above; JUnit report and every request (HAR) in $WORK/$name)"
}

# Ids that exist, for a second pass: with random ids nearly every operation on one thing
# answers 404 and its own logic (state transitions, scope, conflicts) is never reached. The
# demo's first patient, user, product, verification request (with a document uploaded here)
# and its shipped order; each operation on one of them gets that id in its path.
PATIENT=$(api "$API" GET /api/v1/patients "$TOKEN" | jq -r '.items[0].id')
USER=$(api "$API" GET '/api/v1/users?role=doctor' "$TOKEN" | jq -r '.items[0].id')
PRODUCT=$(api "$API" GET /api/v1/products "$TOKEN" | jq -r '.items[0].id')
REQUEST=$(api "$API" GET /api/v1/ivrs "$TOKEN" | jq -r '.items[0].id')
ORDER=10000001
DOCUMENT=$(curl -sSf -X POST "http://$API/api/v1/ivrs/$REQUEST/documents?filename=note.txt" \
  -H "authorization: Bearer $TOKEN" -H 'content-type: text/plain' --data 'wound measured 3 cm' |
  jq -r .id) || fail "cannot upload a document to request $REQUEST"
for v in PATIENT USER PRODUCT REQUEST DOCUMENT; do
  [[ "${!v}" =~ ^[0-9a-f-]{36}$ ]] || fail "no demo $v id: '${!v}'"
done
cat >"$WORK/known-ids.toml" <<TOML
[[operations]]
include-path-regex = '^/api/v1/patients/\\{id\\}'
parameters = { "path.id" = "$PATIENT" }

[[operations]]
include-path-regex = '^/api/v1/users/\\{id\\}'
parameters = { "path.id" = "$USER" }

[[operations]]
include-path-regex = '^/api/v1/products/\\{id\\}'
parameters = { "path.id" = "$PRODUCT" }

[[operations]]
include-path-regex = '^/api/v1/ivrs/\\{id\\}'
parameters = { "path.id" = "$REQUEST", "path.doc_id" = "$DOCUMENT" }

[[operations]]
include-path-regex = '^/api/v1/orders/\\{id\\}'
parameters = { "path.id" = "$ORDER" }
TOML

# Signing out (logout) and changing the password end the session whose token every request
# carries; run while the others are, they would turn the rest of the run into 401s and test
# nothing. So they run last, on their own.
LAST=(--include-path /api/v1/auth/logout --include-path /api/v1/auth/change-password)
SESSION_ENDERS=(--exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/change-password)
run_schemathesis all "" "${SESSION_ENDERS[@]}"
run_schemathesis known-ids "$WORK/known-ids.toml" "${SESSION_ENDERS[@]}" \
  --include-path-regex '^/api/v1/(patients|users|products|ivrs|orders)/\{'
run_schemathesis last "" "${LAST[@]}"

log "schemathesis found nothing in $(($(date +%s) - T0)) s"
