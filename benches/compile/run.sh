#!/bin/sh
# Cold `cargo build` (dev profile, offline) of the same small callback server written with
# `#[derive(OssCallback)]` + `oss-callback/axum` and with serde's derive + axum alone.
# Each build starts from an empty target directory; the sources must be fetched already
# (`cargo fetch --manifest-path benches/compile/<crate>/Cargo.toml` once).
# Per-crate compile times: add `--timings` (report in the target directory's cargo-timings/).
set -eu
cd "$(dirname "$0")"
for crate in with-oss-callback with-serde; do
    target="../../target/compile-bench/$crate"
    rm -rf "$target"
    /usr/bin/time -f "$crate: %e s wall, %U s user, %S s system" \
        cargo build --offline --quiet --manifest-path "$crate/Cargo.toml" --target-dir "$target" "$@"
done
