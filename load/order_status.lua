-- wrk script: GET /api/v1/orders/{number}/status as an authenticated user.
-- Environment: BENCH_TOKEN (access token), BENCH_ORDER (order id or number).
package.path = (os.getenv("BENCH_DIR") or "load") .. "/?.lua;" .. package.path
require("common").install(_ENV or getfenv())

local token = assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is not set")
local order = os.getenv("BENCH_ORDER") or "10000001"

wrk.method = "GET"
wrk.path = "/api/v1/orders/" .. order .. "/status"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
