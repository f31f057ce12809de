#!/bin/sh
# `oss-callback serve` (the example server: verify + replay guard + parse + log) against a bare
# axum handler that reads the same body and answers the same JSON (runtime/examples/wrk_peer.rs),
# both release builds, with wrk: 1 thread, 64 keep-alive connections, alternating A B A B
# (ROUNDS pairs, WRK_SECONDS each). Prints each rate and the median ratio. Needs wrk
# (`apt-get install wrk`).
#
# Then the same bare handler verifying each signature first (`wrk_peer serve-verifying`)
# against the bare one: what verification alone costs, the ceiling of any server that
# verifies (serve also claims, stores and logs each callback); serve against that verifying
# handler comes second: what a callback costs beside its verification.
#
# wrk cycles through a pool of 20,000 distinct simulator-signed callbacks, and `serve` keeps
# each answer 50 ms (`--replay-ttl-ms 50`), less than one trip through the pool: every request
# is a first copy (verified, claimed, handled, logged, its answer stored), never a replay
# answered from the store. The log line count checks it: one per request.
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
SECONDS_EACH=${WRK_SECONDS:-5}
OURS=127.0.0.1:18080
BARE=127.0.0.1:18081
VERIFYING=127.0.0.1:18082
cargo build -q --release -p oss-callback-cli
cargo build -q --release -p oss-callback --features simulate,axum --example wrk_peer
dir=$(mktemp -d)
target/release/oss-callback serve --addr $OURS --replay-ttl-ms 50 > /dev/null 2> "$dir/serve.log" &
ours_pid=$!
target/release/examples/wrk_peer serve $BARE &
bare_pid=$!
target/release/examples/wrk_peer serve-verifying $VERIFYING &
verifying_pid=$!
trap 'kill $ours_pid $bare_pid $verifying_pid 2>/dev/null; rm -rf "$dir"' EXIT
target/release/examples/wrk_peer script "http://$OURS/oss/callback" "$dir/pool" > "$dir/callback.lua"
sleep 1
# Prints "requests/s requests".
rate() {
    wrk -t1 -c64 -d"${SECONDS_EACH}s" -s "$dir/callback.lua" "http://$1" |
        awk '/ requests in / {n = $1} /^Requests\/sec/ {r = $2} /Non-2xx/ {print "non-2xx answers" > "/dev/stderr"; exit 1} END {print r, n}'
}
. benches/ab.sh
alternate serve $OURS "bare axum" $BARE
answered=$served
alternate serve $OURS "bare axum + verify" $VERIFYING
served=$((answered + served))
kill $ours_pid
wait $ours_pid 2>/dev/null || true
logged=$(grep -c ' user [0-9][0-9]*: ' "$dir/serve.log" || true)
echo "requests answered by serve: $served, callbacks handled (log lines): $logged"
if [ "$logged" -lt "$served" ]; then
    echo "fewer callbacks handled than answered: some were replays answered from the store" >&2
    exit 1
fi
alternate "bare axum + verify" $VERIFYING "bare axum" $BARE
