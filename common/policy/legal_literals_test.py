#!/usr/bin/python3
"""Fails when a known legal number is written as a literal in C++ code.

DESIGN §7: the legal numbers live only in the versioned policy
(data/policy/default.textproto, read through common/policy). A literal 240 in
a service would keep enforcing KUHP 85(4) after a regulation changed it, so
this test greps the C++ sources of services/ and common/ (except
common/policy itself, tests and test helpers) for the numbers below, after
removing comments, and lists every hit as file:line.

The pattern list is deliberately precise: numbers that are legal parameters
of DESIGN §7 and are rarely anything else in this code base. Small numbers
(8 hours, 6 months, 30 days, 12 and 18 years) are too common to grep without
false alarms; they are guarded by policy_test and by review.

Usage: legal_literals_test.py [--repo DIR]
"""

import argparse
import os
import re
import sys

# number -> the rule it belongs to (shown in the failure message). Digit
# separators (C++14 ') are accepted in the source.
LEGAL_NUMBERS = {
    "240": "R5/R10 adult and fine-substitute maximum hours",
    "120": "R11 child maximum hours",
    "180": "R7 span of 6 Bulan in days",
    "168": "request_id retention hours",
    "50000": "R10 rupiah per hour / KUHP 78(2) minimum fine",
    "1000000": "R2 fine category I",
    "10000000": "R2 fine category II",
    "50000000": "R2 fine category III",
    "200000000": "R2 fine category IV",
    "500000000": "R2 fine category V",
    "2000000000": "R2 fine category VI",
    "5000000000": "R2 fine category VII",
    "50000000000": "R2 fine category VIII",
}

SCANNED_DIRS = ("services", "common")
EXCLUDED_PREFIXES = ("common/policy/", "common/testing/")
EXCLUDED_SUFFIXES = ("_test.cc", "test_util.cc", "test_util.h")

_NUMBER = re.compile(r"(?<![\w.'])(\d(?:'?\d)*)(?![\w.'])")
_LINE_COMMENT = re.compile(r"//.*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def strip_comments(text):
    """Removes /* */ and // comments, keeping line numbers."""
    out = []
    in_block = False
    for line in text.split("\n"):
        result = ""
        i = 0
        while i < len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                else:
                    in_block = False
                    i = end + 2
            else:
                start = line.find("/*", i)
                if start < 0:
                    result += line[i:]
                    i = len(line)
                else:
                    result += line[i:start]
                    in_block = True
                    i = start + 2
        # Strings first, so a "//" inside a string does not cut the line.
        result = _STRING.sub('""', result)
        out.append(_LINE_COMMENT.sub("", result))
    return out


def find_literals(path, text):
    """[(path, line number, number, rule)] of the legal numbers in `text`."""
    hits = []
    for n, line in enumerate(strip_comments(text), start=1):
        for m in _NUMBER.finditer(line):
            digits = m.group(1).replace("'", "")
            if digits in LEGAL_NUMBERS:
                hits.append((path, n, digits, LEGAL_NUMBERS[digits]))
    return hits


def scan(repo):
    hits = []
    for top in SCANNED_DIRS:
        for dirpath, _, names in os.walk(os.path.join(repo, top)):
            for name in sorted(names):
                if not name.endswith((".cc", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, repo)
                if rel.startswith(EXCLUDED_PREFIXES) or rel.endswith(
                        EXCLUDED_SUFFIXES):
                    continue
                with open(path, encoding="utf-8") as f:
                    hits.extend(find_literals(rel, f.read()))
    return sorted(hits)


SELF_TEST = '''\
// A comment may say 240 hours (R5).
/* and a block comment 10000000
   over two lines 120 */
constexpr int kMaxHours = 240;
int64_t fine = 10'000'000;
int x = 1240 + 2401 + kFoo240 + 240.5;
const char* s = "240 in a string is a message, not a rule";
int y = 180; /* 50000 */ int z = 50000;
'''

EXPECTED_SELF = [
    ("self.cc", 4, "240", LEGAL_NUMBERS["240"]),
    ("self.cc", 5, "10000000", LEGAL_NUMBERS["10000000"]),
    ("self.cc", 8, "180", LEGAL_NUMBERS["180"]),
    ("self.cc", 8, "50000", LEGAL_NUMBERS["50000"]),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = parser.parse_args()

    got = find_literals("self.cc", SELF_TEST)
    if got != EXPECTED_SELF:
        print("SELF-TEST FAILED:\nexpected %s\ngot      %s" %
              (EXPECTED_SELF, got))
        return 1
    hits = scan(os.path.abspath(args.repo))
    if hits:
        print("%d legal number(s) written outside the policy; read them from "
              "common/policy (data/policy/default.textproto) instead:" %
              len(hits))
        for path, line, number, rule in hits:
            print("  %s:%d: %s (%s)" % (path, line, number, rule))
        return 1
    print("no legal number outside the policy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
