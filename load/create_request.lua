-- wrk script: POST /api/v1/ivrs (draft a verification request) as an authenticated doctor.
-- Environment: BENCH_TOKEN (access token), BENCH_BODY (the JSON request body).
package.path = (os.getenv("BENCH_DIR") or "load") .. "/?.lua;" .. package.path
require("common").install(_ENV or getfenv())

local token = assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is not set")
local body = assert(os.getenv("BENCH_BODY"), "BENCH_BODY is not set")

wrk.method = "POST"
wrk.path = "/api/v1/ivrs"
wrk.body = body
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
