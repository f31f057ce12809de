#!/usr/bin/env python3
"""How much memory `oss-callback emulate` (disk store) takes to receive large objects.

Starts a release `oss-callback emulate` on a fresh data directory, reads its idle RSS from
/proc, uploads with oss2 a 1 GiB object in 16 MiB parts and a 512 MiB object in one PUT (the
bytes are generated as they are sent: this script holds a few MiB), and prints the peak RSS
(VmHWM) and its growth over idle. Issue 20's target: growth under 64 MiB. Exit 1 above it.

Usage: benches/emulator/rss.py [--binary target/release/oss-callback] [--multipart-mib 1024]
                               [--part-mib 16] [--single-mib 512] [--in-memory]
--in-memory runs the memory store instead (bound raised to fit), the baseline to compare with.
Needs python3 with oss2 (e.g. the venv .ci/run makes: target/sdk/venv/bin/python).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import oss2

MIB = 1024 * 1024
TARGET_MIB = 64


class Generated:
    """`size` bytes made as they are read, from one repeated 1 MiB block."""

    BLOCK = bytes((i * 7 + i // 251) % 256 for i in range(MIB))

    def __init__(self, size):
        self.size = size
        self.sent = 0

    def __len__(self):
        return self.size

    def read(self, amount=-1):
        left = self.size - self.sent
        if amount is None or amount < 0 or amount > left:
            amount = left
        amount = min(amount, MIB)
        offset = self.sent % MIB
        block = Generated.BLOCK
        if offset + amount <= MIB:
            chunk = block[offset:offset + amount]
        else:
            chunk = block[offset:] + block[:amount - (MIB - offset)]
        self.sent += len(chunk)
        return chunk


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default="target/release/oss-callback")
    parser.add_argument("--multipart-mib", type=int, default=1024)
    parser.add_argument("--part-mib", type=int, default=16)
    parser.add_argument("--single-mib", type=int, default=512)
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="emulate-rss-", dir=os.environ.get("TMPDIR"))
    store = ["--data-dir", data_dir]
    if args.in_memory:
        bound = (args.multipart_mib + args.single_mib + 1) * MIB
        store = ["--in-memory", "--max-bytes", str(bound)]
    emulator = subprocess.Popen(
        [args.binary, "emulate", "--addr", "127.0.0.1:0", *store],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = emulator.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            sys.exit(f"emulate did not start: {line!r}")
        endpoint = line[len(prefix):]
        time.sleep(0.5)
        idle = status_kib(emulator.pid, "VmRSS")

        peak_sampled = [idle]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak_sampled[0] = max(peak_sampled[0], status_kib(emulator.pid, "VmRSS"))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        # The emulator takes any key; no client CRC (pure-python CRC-64 would be the bottleneck).
        bucket = oss2.Bucket(oss2.Auth("id", "secret"), endpoint, "rss-bench", enable_crc=False)
        started = time.monotonic()
        key = "big-multipart.bin"
        upload_id = bucket.init_multipart_upload(key).upload_id
        parts = []
        part_size = args.part_mib * MIB
        total = args.multipart_mib * MIB
        for number, offset in enumerate(range(0, total, part_size), start=1):
            size = min(part_size, total - offset)
            result = bucket.upload_part(key, upload_id, number, Generated(size))
            parts.append(oss2.models.PartInfo(number, result.etag))
        bucket.complete_multipart_upload(key, upload_id, parts)
        multipart_s = time.monotonic() - started

        started = time.monotonic()
        bucket.put_object("big-single.bin", Generated(args.single_mib * MIB))
        single_s = time.monotonic() - started

        sizes = [bucket.head_object(k).content_length for k in (key, "big-single.bin")]
        if sizes != [total, args.single_mib * MIB]:
            sys.exit(f"stored sizes {sizes} differ from those sent")
        done.set()
        sampler.join()
        peak = status_kib(emulator.pid, "VmHWM")
    finally:
        emulator.terminate()
        emulator.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    growth_mib = (peak - idle) / 1024
    print(f"store               {'memory' if args.in_memory else 'disk'}")
    print(f"idle RSS            {idle / 1024:8.1f} MiB")
    print(f"peak RSS (VmHWM)    {peak / 1024:8.1f} MiB (sampled VmRSS peak {peak_sampled[0] / 1024:.1f} MiB)")
    print(f"growth over idle    {growth_mib:8.1f} MiB (target < {TARGET_MIB} MiB)")
    print(f"multipart {args.multipart_mib} MiB in {args.part_mib} MiB parts: {multipart_s:.1f} s "
          f"({args.multipart_mib / multipart_s:.0f} MiB/s)")
    print(f"single PUT {args.single_mib} MiB: {single_s:.1f} s ({args.single_mib / single_s:.0f} MiB/s)")
    sys.exit(0 if growth_mib < TARGET_MIB else 1)


if __name__ == "__main__":
    main()
