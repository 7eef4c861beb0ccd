-- wrk script: GET /health, the HTTP floor (no authentication, no database, no audit).
package.path = (os.getenv("BENCH_DIR") or "load") .. "/?.lua;" .. package.path
require("common").install(_ENV or getfenv())

wrk.method = "GET"
wrk.path = "/health"
