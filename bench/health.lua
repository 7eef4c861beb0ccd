-- wrk script: GET /health, the HTTP floor (no authentication, no database, no audit).
package.path = (os.getenv("BENCH_DIR") or "bench") .. "/?.lua;" .. package.path
require("common").install(_ENV or getfenv())

wrk.method = "GET"
wrk.path = "/health"
