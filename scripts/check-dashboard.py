#!/usr/bin/env python3
"""Checks that the local stack's dashboard shows the demo data, as a person
opening it would see it: headless Chromium renders the dashboard (signed in
with run/tokens/national_viewer.token), and each headline figure on the page
must equal reporting's JSON API and the registered cases must not be zero.
Prints the figures; exit 0 when they match, 1 otherwise.

Usage (after scripts/start-stack.sh):
  scripts/check-dashboard.py [--url=http://127.0.0.1:8080] [--run=run]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HEADLINES = ("cases_registered", "cases_active", "cases_completed",
             "prison_days_averted", "cases_at_risk")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-extensions", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pings",
    # Nothing but loopback: the dashboard must work offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--virtual-time-budget=15000",
]


def api(url, token, path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def rendered(url, token):
    with tempfile.TemporaryDirectory(prefix="ks-dashboard-") as profile:
        out = subprocess.run(
            ["chromium"] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile, "--dump-dom",
                                             url + "/#token=" + token],
            capture_output=True, text=True, timeout=120)
    return out.stdout


def headline(dom, key):
    m = re.search(r'<[^>]*id="headline-%s"[^>]*>' % re.escape(key), dom)
    if not m:
        return None
    v = re.search(r'data-value="([^"]*)"', m.group(0))
    return v.group(1) if v else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--run", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "run"))
    args = ap.parse_args()
    with open(os.path.join(args.run, "tokens", "national_viewer.token")) as f:
        token = f.read().strip()
    # Reporting reads the feeds asynchronously: wait (bounded) until the
    # nation's figures stop moving, then compare the page with them.
    previous, deadline = None, time.monotonic() + 60
    while True:
        totals = api(args.url, token, "/api/v1/nation/summary").get("totals", {})
        if totals == previous or time.monotonic() > deadline:
            break
        previous = totals
        time.sleep(2)
    dom = rendered(args.url, token)
    if 'data-loaded="true"' not in dom:
        print("the dashboard did not finish loading in Chromium", file=sys.stderr)
        return 1
    ok = True
    for key in HEADLINES:
        shown, want = headline(dom, key), str(totals.get(key, "0"))
        match = shown == want
        ok &= match
        print("%-22s page %-10s api %-10s %s" % (key, shown, want, "ok" if match else "DIFFERS"))
    if totals.get("cases_registered", "0") in ("0", 0):
        print("no cases registered: the demo data did not reach reporting", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
