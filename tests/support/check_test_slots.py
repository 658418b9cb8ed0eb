#!/usr/bin/python3
"""Checks that Qt Test runs every test function its sources define.

Qt Test calls only the private slots of a test class; a `void testX()`
written outside `private slots:` (under `private:` or `public:`) compiles and
silently never runs. For each executable this lists its functions with
`-functions` and compares them with the `void testX()` definitions in its
sources (`*_data()` rows are not test functions of their own).

usage: check_test_slots.py NAME=EXECUTABLE=SOURCE[,SOURCE...] ...
Exit 1, naming each test function that does not run.
"""
import re
import subprocess
import sys

DEFINED = re.compile(r"\bvoid\s+(test\w*)\s*\(\s*\)")


def main(specs):
    problems = []
    checked = 0
    for spec in specs:
        name, exe, sources = spec.split("=", 2)
        defined = set()
        for src in sources.split(","):
            with open(src, encoding="utf-8") as f:
                defined |= {m for m in DEFINED.findall(f.read()) if not m.endswith("_data")}
        try:
            out = subprocess.run([exe, "-functions"], capture_output=True, text=True,
                                 timeout=60).stdout
        except OSError as e:
            problems.append(f"{name}: cannot run {exe}: {e}")
            continue
        listed = {line.strip().removesuffix("()") for line in out.splitlines() if line.strip()}
        for fn in sorted(defined - listed):
            problems.append(f"{name}: {fn}() is defined but is not a slot Qt Test runs "
                            "(move it under `private slots:`)")
        checked += len(defined)
    print(f"{len(specs)} test executables, {checked} test functions, {len(problems)} problem(s)")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
