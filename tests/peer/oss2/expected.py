"""The expected-failure list: `<module>.py::<Class>::<test>  # reason`, one test a line.

A reason that starts with `[flaky]` accepts either outcome (a test whose result depends on
timing); every other entry must fail.

Lines that start with `#` before the first entry are the file's header and are kept on rewrite.
"""

from pathlib import Path

TODO = "TODO reason"
KMS = ("KMS: the seeded pick is kms_crypto_bucket, whose data keys come from Alibaba Cloud KMS "
       "(kms.<region>.aliyuncs.com), not from OSS")


def is_flaky(reason):
    return reason.startswith("[flaky]")


def read(path):
    """Test id -> reason."""
    entries = {}
    if not Path(path).exists():
        return entries
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        test_id, _, reason = line.partition("#")
        test_id = test_id.strip()
        if not test_id:
            continue
        if "::" not in test_id or test_id in entries:
            raise SystemExit(f"{path}:{number}: not a new test id: {line!r}")
        entries[test_id] = reason.strip() or TODO
    return entries


def header(path):
    lines = []
    if Path(path).exists():
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                break
            lines.append(line)
    return lines


def write(path, entries, results, modules, order):
    """The list from this run: every test that did not pass, old reasons kept; `[flaky]` entries
    and those of modules that were not run are kept as they are. Sorted by module in `order`."""
    kept = {t: r for t, r in entries.items()
            if t.split(".py::")[0] not in modules or (is_flaky(r) and t in results)}
    for test_id, (outcome, notes) in results.items():
        if outcome != "passed":
            known = KMS if notes.get("bucket") == "kms" else TODO
            kept[test_id] = entries.get(test_id, known)
    rank = lambda test_id: (module_rank(test_id, order), test_id)
    width = max((len(t) for t in kept), default=0)
    body = [f"{t:<{width}}  # {kept[t]}" for t in sorted(kept, key=rank)]
    Path(path).write_text("\n".join(header(path) + body) + "\n", encoding="utf-8")
    todo = sum(reason == TODO for reason in kept.values())
    if todo:
        print(f"{todo} entries need a reason: grep -n '{TODO}' {path}")


def module_rank(test_id, modules):
    module = test_id.split(".py::")[0]
    return modules.index(module) if module in modules else len(modules)
