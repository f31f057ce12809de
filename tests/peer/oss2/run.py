#!/usr/bin/env python3
"""The oss2 SDK's own tests (tests/ of the pinned sdist) run against `oss-callback emulate`.

Starts the emulator on a free loopback port with a key, and a stand-in for Alibaba Cloud KMS
(kms_standin.py: the KMS crypto bucket's data keys; KMS is no part of OSS), points the suite at
them through the OSS_TEST_* variables and kms_plugin.py, runs the eleven modules with pytest
(parallel, JUnit XML), and checks the outcome against expected_failures.txt both ways: a failing test that is not listed fails the run,
and so does a listed test that passes (remove it from the list), unless its reason starts with
`[flaky]` (its outcome depends on timing). Run it with the venv's python, which has oss2 and the
test dependencies (see README.md beside this file):

    target/peer/oss2-venv/bin/python tests/peer/oss2/run.py --binary target/debug/oss-callback

`--write-expected` rewrites the list from the run instead of checking it: reasons of entries that
stay are kept, new entries get `# TODO reason` (or the reason the run knows, such as KMS).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import expected  # noqa: E402 (after the line above)
from kms_standin import KmsStandIn  # noqa: E402

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parents[2]
SDIST = "oss2-2.19.1"
# The object-level modules first, then buckets and image processing: 138 + 52 + 7 tests.
MODULES = [
    "test_object", "test_multipart", "test_upload", "test_download", "test_list_objects_v2",
    "test_chinese", "test_headers", "test_iterator", "test_put_object_chunked",
    "test_bucket", "test_image",
]
# What `pytest --collect-only` finds in those modules of the pinned sdist: fewer means a module
# no longer imports, and its tests would vanish from the check unseen.
EXPECTED_TOTAL = 197
ACCESS_KEY = ("oss2-peer-id", "oss2-peer-secret")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = WORKSPACE / "target" / "peer"
    parser.add_argument("--binary", default=os.environ.get("OSS_CALLBACK_BIN"),
                        help="the oss-callback binary (default: $OSS_CALLBACK_BIN)")
    parser.add_argument("--sdist", type=Path, default=target / SDIST,
                        help="the unpacked oss2 sdist (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=target,
                        help="where the JUnit XML and the emulator's log go (default: %(default)s)")
    parser.add_argument("--expected", type=Path, default=HERE / "expected_failures.txt")
    parser.add_argument("--write-expected", action="store_true",
                        help="write the expected-failure list from this run instead of checking")
    parser.add_argument("--workers", type=int, default=4,
                        help="pytest-xdist workers (the tests mostly wait on I/O)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per test")
    parser.add_argument("--total-timeout", type=int, default=900, help="seconds for the suite")
    parser.add_argument("--seed", default="oss-callback",
                        help="seeds `random` per test (the tests pick a bucket kind at random)")
    parser.add_argument("--module", action="append", choices=MODULES,
                        help="run only this module (repeatable); the check covers only these")
    args = parser.parse_args()
    if not args.binary:
        parser.error("give --binary or set OSS_CALLBACK_BIN")
    # pytest runs in its own directory: every path it is given must be absolute.
    for name in ["binary", "sdist", "out", "expected"]:
        setattr(args, name, Path(getattr(args, name)).resolve())
    return args


class Emulator:
    """`oss-callback emulate` on a free loopback port; stopped on exit."""

    def __init__(self, binary, log_path):
        self.log = open(log_path, "wb")
        command = [binary, "emulate", "--addr", "127.0.0.1:0", "--access-key", ":".join(ACCESS_KEY)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log)
        first = self.process.stdout.readline().decode()
        if not first.startswith("listening on http://"):
            self.stop()
            sys.exit(f"the emulator did not start ({first!r}); see {log_path}")
        self.endpoint = first.split()[-1]
        # Keep draining stdout so the emulator never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stdout:
            self.log.write(line)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def workspace(sdist, out):
    """A fresh copy of the suite to run in, with its own HOME and TMPDIR: the tests leave files
    in the working directory, and resumable transfers keep records under ~/.py-oss-*, which a
    later run with the same seeded names would resume from."""
    work = out / "oss2-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(sdist / "tests", work / "tests")
    for directory in ["home", "tmp"]:
        (work / directory).mkdir()
    # The sdist ships only tests/*.py (MANIFEST.in); test_put_object_with_sign_url uploads this
    # file as opaque bytes. The image tests need the real picture, and OSS's encoder, anyway.
    (work / "tests" / "example.jpg").write_bytes(b"stand-in: the oss2 sdist has no example.jpg\n")
    return work


def suite_environment(endpoint, kms_endpoint, seed, work):
    """What tests/common.py reads (only the core four matter to these modules), and where
    kms_plugin.py finds the KMS stand-in."""
    env = dict(os.environ)
    for name in [n for n in env if n.startswith("OSS_TEST_") or n == "TRAVIS"]:
        del env[name]
    env.update({
        "OSS_TEST_ENDPOINT": endpoint,
        "OSS_TEST_ACCESS_KEY_ID": ACCESS_KEY[0],
        "OSS_TEST_ACCESS_KEY_SECRET": ACCESS_KEY[1],
        # A prefix: common.py appends ten random letters per test, one bucket each. The suite's
        # own default, which test_bucket_with_group_id lists buckets by.
        "OSS_TEST_BUCKET": "oss-python-sdk-",
        "OSS_TEST_REGION": "cn-hangzhou",
        "OSS2_PEER_SEED": seed,
        "OSS2_PEER_KMS_ENDPOINT": kms_endpoint,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(work / "home"),
        "TMPDIR": str(work / "tmp"),
    })
    return env


def run_pytest(args, endpoint, kms_endpoint, junit):
    modules = args.module or MODULES
    command = [
        sys.executable, "-m", "pytest", "-q", "-rN", "-p", "no:cacheprovider",
        "-p", "seed_plugin", "-p", "kms_plugin", "-p", "records_plugin",
        "-n", str(args.workers), "--timeout", str(args.timeout),
        "--junitxml", str(junit), "-o", "junit_family=xunit2",
        *[f"tests/{module}.py" for module in modules],
    ]
    print("+", " ".join(command), flush=True)
    started = time.monotonic()
    work = workspace(args.sdist, args.out)
    # cwd: the tests open files by relative path (tests/example.jpg) and write there.
    env = suite_environment(endpoint, kms_endpoint, args.seed, work)
    pytest = subprocess.Popen(command, cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        output, _ = pytest.communicate(timeout=args.total_timeout)
    except subprocess.TimeoutExpired:
        # The whole group: the xdist workers too.
        os.killpg(pytest.pid, signal.SIGKILL)
        pytest.communicate()
        sys.exit(f"the suite ran longer than {args.total_timeout} s and was stopped")
    text = output.decode(errors="replace")
    (args.out / "oss2-pytest.log").write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[-3:]))
    print(f"pytest's output: {args.out / 'oss2-pytest.log'}")
    print(f"pytest: exit {pytest.returncode} after {time.monotonic() - started:.0f} s", flush=True)
    return modules


def outcomes(junit):
    """Test id -> ("passed" | "failed" | "skipped", notes), from pytest's JUnit XML."""
    results = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        if len(parts) < 3:
            test_id = f"<collection> {case.get('name')}"
        else:
            test_id = f"{parts[-2]}.py::{parts[-1]}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcome = "failed" if kinds & {"failure", "error"} else \
            "skipped" if "skipped" in kinds else "passed"
        notes = {p.get("name"): p.get("value") for p in case.iter("property")}
        for child in case:
            if child.tag in ("failure", "error") and child.get("message"):
                notes.setdefault("message", child.get("message"))
        # A test reported twice (call, then teardown) keeps its worst outcome.
        previous = results.get(test_id, ("passed", {}))
        worst = max(previous[0], outcome, key=["passed", "skipped", "failed"].index)
        results[test_id] = (worst, {**previous[1], **notes})
    return results


def summary(results, listed, modules):
    per_module = {module: Counter() for module in modules}
    for test_id, (outcome, _) in results.items():
        kind = "expected" if outcome != "passed" and test_id in listed else outcome
        per_module.setdefault(test_id.split(".py::")[0], Counter())[kind] += 1
    total = sum(per_module.values(), Counter())
    line = lambda c: (f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped, "
                      f"{c['expected']} expected failures")
    for module, counts in per_module.items():
        print(f"  {module:<26} {sum(counts.values()):>3} tests: {line(counts)}")
    print(f"oss2 suite: {sum(total.values())} tests: {line(total)}", flush=True)


def check(results, entries, modules, expected_total):
    """The problems that fail the run: unlisted failures, listed passes, unknown entries."""
    problems = []
    if expected_total is not None and len(results) != expected_total:
        problems.append(f"{len(results)} tests reported, {expected_total} expected "
                        "(did a module fail to import?)")
    for test_id, (outcome, notes) in sorted(results.items()):
        if outcome != "passed" and test_id not in entries:
            # The exception's first line: a CI log then says why without a rerun.
            why = notes.get("message", "").splitlines()[:1]
            problems.append(f"{outcome}, not in the expected-failure list: {test_id}"
                            + "".join(f" ({line[:300]})" for line in why))
        if outcome == "passed" and test_id in entries and not expected.is_flaky(entries[test_id]):
            problems.append(f"passes now, remove it from the expected-failure list: {test_id}")
    for test_id in sorted(entries):
        if test_id.split(".py::")[0] in modules and test_id not in results:
            problems.append(f"listed but not run (renamed?): {test_id}")
    return problems


def main():
    args = arguments()
    if not (args.sdist / "tests" / "common.py").exists():
        sys.exit(f"no oss2 test suite at {args.sdist}: unpack the pinned sdist there (README.md)")
    args.out.mkdir(parents=True, exist_ok=True)
    junit = args.out / "oss2-junit.xml"
    junit.unlink(missing_ok=True)
    emulator = Emulator(args.binary, args.out / "oss2-emulator.log")
    # Alibaba Cloud KMS, which the KMS crypto bucket gets its data keys from, is no part of OSS:
    # a stand-in answers in its place (kms_standin.py).
    kms = KmsStandIn(*ACCESS_KEY)
    try:
        print(f"emulator: {emulator.endpoint} (log: {args.out / 'oss2-emulator.log'})")
        print(f"KMS stand-in: {kms.endpoint}")
        modules = run_pytest(args, emulator.endpoint, kms.endpoint, junit)
    finally:
        kms.stop()
        emulator.stop()
    if not junit.exists():
        sys.exit("pytest wrote no JUnit XML: see its output above")
    results = outcomes(junit)
    entries = expected.read(args.expected)
    if args.write_expected:
        expected.write(args.expected, entries, results, modules, MODULES)
        print(f"wrote {args.expected}")
    summary(results, entries, modules)
    if args.write_expected:
        return 0
    problems = check(results, entries, modules, None if args.module else EXPECTED_TOTAL)
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"JUnit XML: {junit}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
