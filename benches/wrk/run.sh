#!/bin/sh
# `oss-callback serve` (the example server: verify + parse + log) against a bare axum handler
# that reads the same body and answers the same JSON (runtime/examples/wrk_peer.rs), both
# release builds, with wrk: 1 thread, 64 keep-alive connections, the same simulator-signed
# callback, alternating A B A B (ROUNDS pairs, WRK_SECONDS each). Prints each rate and the median
# ratio. Needs wrk (`apt-get install wrk`).
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
SECONDS_EACH=${WRK_SECONDS:-5}
OURS=127.0.0.1:18080
BARE=127.0.0.1:18081
cargo build -q --release -p oss-callback-cli
cargo build -q --release -p oss-callback --features simulate,axum --example wrk_peer
dir=$(mktemp -d)
target/release/oss-callback serve --addr $OURS > /dev/null 2> "$dir/serve.log" &
ours_pid=$!
target/release/examples/wrk_peer serve $BARE &
bare_pid=$!
trap 'kill $ours_pid $bare_pid 2>/dev/null; rm -rf "$dir"' EXIT
sleep 1
target/release/examples/wrk_peer script "http://$OURS/oss/callback" > "$dir/callback.lua"
rate() {
    wrk -t1 -c64 -d"${SECONDS_EACH}s" -s "$dir/callback.lua" "http://$1" |
        awk '/^Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx answers" > "/dev/stderr"; exit 1}'
}
. benches/ab.sh
alternate serve $OURS "bare axum" $BARE
echo "log lines written by serve: $(wc -l < "$dir/serve.log")"
