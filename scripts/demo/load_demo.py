#!/usr/bin/env python3
"""Loads demo data into a running kerjasosial stack through its gRPC APIs.

Never writes Redis: every record is made by the call a user would make, so
the services' rules (hours per day, spans, child rules) hold for the demo
data too. Deterministic from --seed (names, dates, paths and request_ids),
sized by --size (cases per regency). A re-run with the same seed sends the
same request_ids, so the services answer the first results and nothing is
doubled. Dates are relative to today, so that holds for re-runs on the same
day; scripts/start-stack.sh loads once anyway (run/demo.loaded).

A refused call prints the server's code, field violations and reason; the
loader goes on with the next item and counts it. Exit status: 0 when
something loaded (or was there from an earlier run), 1 when nothing did.

Usage:
  load_demo.py --tokens_dir=run/tokens [--seed=1] [--size=12] [--regencies=21]
               [--cases=127.0.0.1:7101 --placements=... --supervision=...
                --reporting=...]
"""

import argparse
import datetime
import os
import random
import sys
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ks_flows  # noqa: E402
from ks_flows import Refused  # noqa: E402

# Paths of a case and their weights: together they reach every CaseState
# and every breach outcome.
PATHS = [("completed", 5), ("completion_pending", 2), ("in_progress", 6),
         ("handed_over", 2), ("ordered", 1), ("registered", 1),
         ("breach_REPEAT", 1), ("breach_SERVE_PRISON", 1), ("breach_PAY_FINE", 1),
         ("breach_EXCUSED", 1), ("breached", 1), ("cancelled", 1),
         ("transferred", 1), ("reassigned", 1)]


def pick_regencies(regions, count, rng):
    """`count` regencies, spread over WIB, WITA and WIT (each at least a
    fifth), deterministic from `rng`."""
    by_zone = {}
    for code in sorted(regions):
        by_zone.setdefault(regions[code][3], []).append(code)
    share = {"WITA": 0.3, "WIT": 0.2}
    out = []
    for zone in ("WITA", "WIT"):
        out += rng.sample(by_zone[zone], max(1, int(count * share[zone])))
    out += rng.sample(by_zone["WIB"], max(1, count - len(out)))
    return sorted(out)


UNIMPLEMENTED_SEEN = set()


def optional(step, *args):
    """Runs a step whose rpc a deployment may not offer yet: UNIMPLEMENTED
    is reported once and skipped; any other refusal propagates."""
    try:
        step(*args)
    except Refused as e:
        if e.code.name != "UNIMPLEMENTED":
            raise
        if e.method not in UNIMPLEMENTED_SEEN:
            UNIMPLEMENTED_SEEN.add(e.method)
            print("  %s is UNIMPLEMENTED on this stack: skipped" % e.method, file=sys.stderr)


def run_case(s, flow, path, cat, program, rng, other_regency, today, seq):
    """Drives one case along `path`; raises Refused on the first refusal.
    `seq` numbers the decision (unique within a run)."""
    child = rng.random() < 0.2
    hours = rng.choice([8, 12, 16, 24]) if child else rng.choice([16, 24, 40, 60])
    consequence = "BREACH_CONSEQUENCE_REPEAT"
    if path.startswith("breach_") and path != "breach_REPEAT" and path != "breach_EXCUSED":
        consequence = "BREACH_CONSEQUENCE_" + path[len("breach_"):]
        child = False  # prison and fine outcomes are adult sentences
    # Adults may serve 8 h a day but a demo session is 4 h; the span (180
    # days) leaves room for every session in the past.
    ago = rng.randrange(20, 170)
    data = ks_flows.case_data(flow.regency, today, ago, child, hours, consequence,
                              seq, rng)
    flow.create(data, ago)
    # A re-run with the same seed: CreateCase answered the first result, and
    # a case already worked on was loaded by an earlier run. Its later steps
    # are not resent (their etags changed since, so they would no longer be
    # the same requests).
    if s.get_case(flow.case.name).state != ks_flows.STATE.CASE_STATE_REGISTERED:
        return "again"
    if path == "registered":
        return
    if path == "cancelled":
        flow.cancel()
        return
    flow.order()
    if path == "ordered":
        return
    flow.hand_over()
    flow.assign_pk()
    flow.place(cat)
    if path == "handed_over":
        return
    total = hours * 60
    target = {"completed": total, "completion_pending": total}.get(path, total // 2)
    flow.record_sessions(target)
    if rng.random() < 0.7:
        optional(flow.guidance, rng.randrange(1, 4))
    if program is not None and rng.random() < 0.3:
        optional(flow.refer, program.name)
    if path == "completed":
        flow.confirm()
    elif path.startswith("breach") or path == "breached":
        flow.s.wait_case(flow.case.name, ks_flows.SERVING_OR_LATER)
        optional(flow.warn)
        if flow.violation:
            optional(flow.refer_violation)
        flow.breach()
        if path != "breached":
            flow.decide(path[len("breach_"):])
    elif path == "transferred":
        flow.s.wait_case(flow.case.name, ks_flows.SERVING_OR_LATER)
        flow.transfer(other_regency)
    elif path == "reassigned":
        flow.reassign(cat, 1 if len(cat.site) > 1 else 0)
    elif path == "in_progress" and rng.random() < 0.2:
        optional(flow.warn)


def mint(args):
    """Mints a token for each principal the flows use (ks_flows.PRINCIPALS,
    the single list of them) into <tokens_dir>/<role>.token, once."""
    import subprocess
    for pid, agency, role in ks_flows.PRINCIPALS:
        path = os.path.join(args.tokens_dir, role.lower() + ".token")
        if os.path.exists(path):
            continue
        token = subprocess.run(
            [args.mint_with, "mint", "--token_file=" + args.token_file, "--id=" + pid,
             "--agency=" + agency, "--role=" + role, "--regencies=*"],
            check=True, capture_output=True, text=True).stdout.strip().splitlines()[0]
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(token + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens_dir", required=True, help="directory of <role>.token files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--size", type=int, default=12, help="cases per regency")
    ap.add_argument("--regencies", type=int, default=21)
    for name, port in (("cases", 7101), ("placements", 7102), ("supervision", 7103), ("reporting", 7104)):
        ap.add_argument("--" + name, default="127.0.0.1:%d" % port)
    ap.add_argument("--mint_with", help="kerjasosial-token binary: first mint the demo "
                    "principals' tokens missing from --tokens_dir into --token_file, then exit")
    ap.add_argument("--token_file", help="the stack's token file (with --mint_with)")
    args = ap.parse_args()
    if args.mint_with:
        return mint(args)

    tokens = {}
    for _, _, role in ks_flows.PRINCIPALS:
        with open(os.path.join(args.tokens_dir, role.lower() + ".token")) as f:
            tokens[role] = f.read().strip()
    s = ks_flows.Stack({k: getattr(args, k) for k in ("cases", "placements", "supervision", "reporting")},
                       tokens, "demo%d" % args.seed)
    rng = random.Random(args.seed)
    regions = ks_flows.regions()
    chosen = pick_regencies(regions, args.regencies, rng)
    ok = failed = again = 0
    catalogues = {}
    for i, code in enumerate(chosen):
        province, name, iana, label = regions[code]
        local_today = datetime.datetime.now(zoneinfo.ZoneInfo(iana)).date()
        try:
            catalogues[code] = (ks_flows.setup_regency(s, code, name, local_today, sites=2), None)
            try:
                catalogues[code] = (catalogues[code][0], ks_flows.partner_program(s, code))
            except Refused as e:
                print("  partner program of %s refused:\n  %s" % (code, e.describe()), file=sys.stderr)
            ok += 1
        except Refused as e:
            failed += 1
            print("  regency %s refused:\n  %s" % (code, e.describe()), file=sys.stderr)
        print("[%d/%d] regency %s %s (%s) set up" % (i + 1, len(chosen), code, name, label), flush=True)
    weights = [w for _, w in PATHS]
    paths = [p for p, _ in PATHS]
    n = 0
    total = len(catalogues) * args.size
    for code, (cat, program) in sorted(catalogues.items()):
        iana = regions[code][2]
        local_today = datetime.datetime.now(zoneinfo.ZoneInfo(iana)).date()
        others = [c for c in catalogues if c != code]
        for k in range(args.size):
            n += 1
            # Every path appears at least once per regency while size allows.
            # One generator per case, seeded by the seed and the case's key:
            # a re-run draws the same values for it whatever earlier cases did.
            crng = random.Random("%d-%s-%d" % (args.seed, code, k))
            path = paths[k] if k < len(paths) else crng.choices(paths, weights)[0]
            flow = ks_flows.CaseFlow(s, code, iana, "%s-%d" % (code, k), local_today)
            try:
                if run_case(s, flow, path, cat, program, crng, crng.choice(others) if others else code,
                            local_today, n) == "again":
                    again += 1
                else:
                    ok += 1
            except (Refused, TimeoutError) as e:
                failed += 1
                print("  case %s-%d (%s) stopped:\n  %s" % (code, k, path, e), file=sys.stderr)
            if n % 10 == 0 or n == total:
                print("[%d/%d] cases loaded (%d refused, %d calls)" % (n, total, failed, s.calls), flush=True)
    print("demo data: %d items loaded, %d already there, %d refused" % (ok, again, failed))
    return 0 if ok + again > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
