#!/bin/sh
# Small-object PutObject throughput: a release `oss-callback emulate` against moto_server (the pip
# package moto[server], S3 on loopback), in the same run, with the same client for both: wrk,
# 1 thread, CONNS keep-alive connections, unauthenticated PUTs of 4 KiB bodies
# (benches/emulator/put.lua), alternating A B A B (ROUNDS pairs, WRK_SECONDS each). Prints each
# rate and the median ratio. Needs wrk (`apt-get install wrk`) and python3; installs moto in
# target/bench/moto-venv. Then, if benches/emulator/rss.py exists, runs it (RSS of big uploads).
# EMULATE_ARGS picks the emulator's store: empty (the default, as users run it: the disk store,
# each body and record fsynced), `--no-fsync`, or `--in-memory`. SKIP_RSS=1 skips rss.py.
set -eu
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
SECONDS_EACH=${WRK_SECONDS:-5}
CONNS=${CONNS:-16}
EMULATOR=127.0.0.1:19000
MOTO=127.0.0.1:19001
VENV=target/bench/moto-venv
cargo build -q --release -p oss-callback-cli
if [ ! -x "$VENV/bin/moto_server" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "moto[server]"
fi
dir=$(mktemp -d)
target/release/oss-callback emulate --addr $EMULATOR ${EMULATE_ARGS:-} > /dev/null 2> "$dir/emulate.log" &
emulator_pid=$!
"$VENV/bin/moto_server" -H 127.0.0.1 -p 19001 > "$dir/moto.log" 2>&1 &
moto_pid=$!
# moto_server takes a few seconds to stop on SIGTERM: waited for, then killed.
stop() {
    kill "$@" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$@" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$@" 2>/dev/null || true
}
trap 'stop $emulator_pid $moto_pid; rm -rf "$dir"' EXIT
# Both up, the bucket on each, and a PUT stored whole on each before anything is timed.
for _ in $(seq 50); do
    if curl -sf -o /dev/null "http://$EMULATOR/_emulator/api/events" &&
        curl -s -o /dev/null "http://$MOTO/"; then break; fi
    sleep 0.2
done
head -c 4096 /dev/zero | tr '\0' x > "$dir/body"
for server in $EMULATOR $MOTO; do
    # Public-read-write (the ACL of a bucket the emulator creates on a first write): moto refuses
    # an anonymous overwrite otherwise, and the keys cycle.
    curl -sf -o /dev/null -X PUT -H 'x-oss-acl: public-read-write' \
        -H 'x-amz-acl: public-read-write' "http://$server/bench"
    curl -sf -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
        --data-binary @"$dir/body" "http://$server/bench/check"
done
[ "$(curl -sf "http://$EMULATOR/bench/check" | wc -c)" -eq 4096 ] ||
    { echo "the emulator did not store the check object" >&2; exit 1; }
curl -sf "http://$MOTO/moto-api/data.json" | python3 -c '
import json, sys
keys = json.load(sys.stdin)["s3"]["FakeKey"]
sys.exit(0 if any(k["name"] == "check" and k["size"] == 4096 for k in keys) else 1)' ||
    { echo "moto did not store the check object" >&2; exit 1; }
rate() {
    wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" -s benches/emulator/put.lua "http://$1" 2> "$dir/wrk.err" |
        awk -v server="$1" '/^Requests\/sec/ {print $2}
            /Non-2xx|Socket errors/ {print server ":" $0 > "/dev/stderr"; bad = 1} END {exit bad}'
    if [ -s "$dir/wrk.err" ]; then sort "$dir/wrk.err" | uniq -c >&2; exit 1; fi
}
echo "4 KiB PUTs, $CONNS connections, ${SECONDS_EACH} s each, emulate ${EMULATE_ARGS:-(disk store, fsync)}:"
. benches/ab.sh
alternate emulate $EMULATOR moto_server $MOTO
stop $emulator_pid $moto_pid
if [ -z "${SKIP_RSS:-}" ] && [ -f benches/emulator/rss.py ]; then
    python="${OSS_CALLBACK_SDK_PYTHON:-target/sdk/venv/bin/python}"
    [ -x "$python" ] || python=python3
    "$python" benches/emulator/rss.py
fi
