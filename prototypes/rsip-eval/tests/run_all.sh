#!/usr/bin/env bash
# Reproduce the evaluation tests. Needs: sipp (sip-tester), python3, nc. Usage: tests/run_all.sh [--long]
set -u
cd "$(dirname "$0")/.." && BIN=$PWD/target/debug/rsip-eval && OUT=${TMPDIR:-/tmp}/rsip-eval-out && mkdir -p $OUT && cd sipp
: > $OUT/pids
start() { local log=$OUT/$1.log; shift; env "$@" $BIN > $log 2>&1 & echo $! >> $OUT/pids; sleep 1; grep -o 'udp=127.0.0.1:[0-9]*' $log | cut -d: -f2; }
res() { grep -E 'Successful call|Failed call' "$1" | awk -v n="$2" '{printf "%s=%s ", $1, $NF} END {print ""}' | sed "s/^/$2: /"; }
P=$(start main BYE_AFTER_MS=2000)
sipp -sn uac 127.0.0.1:$P -m 5 -r 5 -nostdin -timeout 30s -p 5060 > $OUT/uac_udp.out 2>&1; res $OUT/uac_udp.out "uac-udp"
sipp -sn uac 127.0.0.1:$P -t t1 -m 5 -r 5 -nostdin -timeout 30s -p 5062 > $OUT/uac_tcp.out 2>&1; res $OUT/uac_tcp.out "uac-tcp"
sipp -sf full_call.xml 127.0.0.1:$P -m 3 -r 3 -nostdin -timeout 60s -p 5064 > $OUT/full_udp.out 2>&1; res $OUT/full_udp.out "full-udp"
sipp -sf full_call.xml 127.0.0.1:$P -t t1 -m 3 -r 3 -nostdin -timeout 60s -p 5066 > $OUT/full_tcp.out 2>&1; res $OUT/full_tcp.out "full-tcp"
python3 ../tests/raw.py $P basic
printf 'GARBAGE\r\n\r\n' | nc -u -w1 127.0.0.1 $P; python3 ../tests/raw.py $P 2>/dev/null | head -1 | sed 's/^/after nc garbage: /'
P2=$(start ring RING_MS=1000)
sipp -sf cancel.xml 127.0.0.1:$P2 -m 2 -r 1 -nostdin -timeout 40s -p 5068 > $OUT/cancel.out 2>&1; res $OUT/cancel.out "cancel"
python3 ../tests/raw.py $P2 retrans
P3=$(start plain PLAIN_UDP=1); python3 ../tests/raw.py $P3 basic | sed 's/^/plain-rsipstack-udp: /' | grep -E 'FOO|GARBAGE|bad CSeq'
P4=$(start limit TRUSTED=127.0.0.2 MAX_CALLS=0); python3 ../tests/raw.py $P4 503:127.0.0.1 503:127.0.0.2
P5=$(start refer REFER_TO=sip:nurse@10.0.0.1)
for sc in refer_accept refer_reject; do sipp -sf $sc.xml 127.0.0.1:$P5 -m 3 -r 3 -nostdin -timeout 30s -p 5070 > $OUT/$sc.out 2>&1; res $OUT/$sc.out $sc; done
if [ "${1:-}" = "--long" ]; then
  python3 ../tests/raw.py $P noack:40
  P6=$(start load BYE_AFTER_MS=0 MAX_CALLS=5000 RING_MS=50)
  sipp -sn uac 127.0.0.1:$P6 -m 1000 -r 100 -l 1100 -d 15000 -nostdin -timeout 100s -p 5072 > $OUT/load.out 2>&1; res $OUT/load.out "load-1000"
  ps -o rss=,time= -p $(tail -1 $OUT/pids) | sed 's/^/load server rss_kb,cpu: /'
fi
kill $(cat $OUT/pids)
