#!/usr/bin/env python3
"""ksctl against the whole stack (issue #13): every command of placements,
supervision and reporting run as a user would, against the real services
(four service processes, four redis-server processes on free ports).
cases' and audit's commands have their own test (tools/ksctl/ksctl_test.cc).

Each command is checked for its exit code, its table for people and, where
a script would use it, its --json against the service's own answer over
gRPC. The case it works on is brought to HANDED_OVER with its PK assigned
through the API (ks_flows); ksctl then suggests a site, places the person,
records sessions one at a time and as a group, and reads the ledger, the
plan, the at-risk list and reporting's figures and CSV.

Usage (ctest passes the paths from CMake):
  ksctl_stack_test.py --cases=BIN --placements=BIN --supervision=BIN
                      --reporting=BIN --token_tool=BIN --ksctl=BIN
"""

import argparse
import csv
import datetime
import io
import json
import os
import random
import subprocess
import sys
import time
import unittest
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "demo"))

import ks_flows  # noqa: E402
import local_stack  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from ks_flows import pres, spb  # noqa: E402

ARGS = None
WITA = "Asia/Makassar"
EXIT_OK, EXIT_REJECTED, EXIT_UNIMPLEMENTED = 0, 3, 8


class KsctlStackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        local_stack.start_for_test_class(cls, ARGS, ks_flows.PRINCIPALS, "ksctl", ks_flows)
        cls.today = datetime.datetime.now(zoneinfo.ZoneInfo(WITA)).date()
        cls.cat = ks_flows.setup_regency(cls.s, "64.01", "Kabupaten Paser", cls.today)

    def ksctl(self, role, *argv, stdin=None):
        """Runs ksctl as `role`: token and addresses from the environment,
        as an operator's shell profile would set them."""
        env = dict(os.environ, KS_TOKEN=self.stack.tokens[role])
        for name, address in self.stack.addresses.items():
            env["KS_%s_ADDRESS" % name.upper()] = address
        p = subprocess.run([ARGS.ksctl] + list(argv), input=stdin, env=env,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def ok(self, role, *argv, stdin=None):
        code, out, err = self.ksctl(role, *argv, stdin=stdin)
        self.assertEqual(code, EXIT_OK, "ksctl %s\n%s%s" % (" ".join(argv), out, err))
        return out

    def handed_over(self, key, hours):
        flow = ks_flows.CaseFlow(self.s, "64.01", WITA, key, self.today)
        flow.create(ks_flows.case_data("64.01", self.today, 30, False, hours,
                                       "BREACH_CONSEQUENCE_REPEAT", 4242 + sum(map(ord, key)),
                                       random.Random(key)), 30)
        flow.order()
        flow.hand_over()
        flow.assign_pk()
        return flow

    def place_with_ksctl(self, flow):
        # placements suggest: the regency's site, with its score explained.
        out = self.ok("PEMDA_OFFICER", "placements", "suggest", "--regency=64.01",
                      "--case=" + flow.case.name, "--json")
        suggestions = json.loads(out)
        self.assertIn(self.cat.site[0].name,
                      [x["site"] for x in suggestions.get("suggestions", [])], out)
        # placements place: the JSON a partner would write, on stdin.
        first = self.today - datetime.timedelta(days=27)
        body = json_format.MessageToJson(flow._placement_input(self.cat, self.cat.site[0], first))
        out = self.ok("PEMDA_OFFICER", "placements", "place", "--regency=64.01", "--file=-",
                      "--json", stdin=body)
        placed = json_format.Parse(out, pres.Placement())
        self.assertEqual(placed.case_name, flow.case.name)
        if placed.state != pres.PLACEMENT_STATE_ACTIVE:
            placed = self.s.call(self.s.placements, "StartPlacement", ks_flows.ppb.StartPlacementRequest(
                name=placed.name, etag=placed.etag, request_id=flow.rid("start")), "PEMDA_OFFICER")
        flow.placement = placed
        return placed

    def record_with_ksctl(self, flow, day, hours):
        """supervision record-session, retried (same --request_id) while
        supervision has not yet read the placement from placements' feed."""
        zone = zoneinfo.ZoneInfo(WITA)
        start = datetime.datetime(day.year, day.month, day.day, 8, tzinfo=zone)
        argv = ["supervision", "record-session", "--regency=64.01", "--case=" + flow.case.name,
                "--placement=" + flow.placement.name, "--start=" + start.isoformat(),
                "--end=" + (start + datetime.timedelta(hours=hours)).isoformat(),
                "--request_id=" + flow.rid("ksctl-%s" % day), "--json"]
        deadline = time.monotonic() + 20
        while True:
            code, out, err = self.ksctl("PK_BAPAS", *argv)
            if code == EXIT_OK:
                return json_format.Parse(out, ks_flows.sres.WorkSession())
            retry = any(r in err for r in ("PLACEMENT_NOT_YET_KNOWN", "PLACEMENT_NOT_ACTIVE",
                                           "CASE_NOT_YET_KNOWN"))
            self.assertTrue(retry and time.monotonic() < deadline, "%d\n%s%s" % (code, out, err))
            time.sleep(0.1)

    def test_placements_supervision_and_reporting_commands(self):
        flow = self.handed_over("ks-one", 40)
        self.place_with_ksctl(flow)
        days = [d for d in flow.session_days()][:3]
        self.assertEqual(len(days), 3)

        # A 10-hour day is credited 8 h (R6); the table says what was not.
        w = self.record_with_ksctl(flow, days[0], 10)
        self.assertEqual((w.credited_minutes, w.excess_minutes), (480, 120))
        self.record_with_ksctl(flow, days[1], 4)
        # The same --request_id again answers the first result, credits once.
        again = self.record_with_ksctl(flow, days[1], 4)
        self.assertEqual(again.credited_minutes, 240)

        # supervision ledger: table and --json agree with GetHoursLedger.
        ledger_name = flow.assignment.ledger
        table = self.ok("PK_BAPAS", "supervision", "ledger", "--name=" + ledger_name, "--days")
        self.assertIn("credited", table)
        self.assertIn("12h", table)
        got = json_format.Parse(self.ok("PK_BAPAS", "supervision", "ledger",
                                        "--name=" + ledger_name, "--json"),
                                ks_flows.sres.HoursLedger())
        want = self.s.call(self.s.supervision, "GetHoursLedger",
                           spb.GetHoursLedgerRequest(name=ledger_name), "PK_BAPAS")
        self.assertEqual(got.credited_minutes, want.credited_minutes)
        self.assertEqual(got.credited_minutes, 12 * 60)

        # supervision plan: the 28 h still owed, at the placement's windows.
        plan = json.loads(self.ok("PK_BAPAS", "supervision", "plan", "--ledger=" + ledger_name,
                                  "--json"))
        planned = sum(int(p.get("creditedMinutes", 0)) for p in plan.get("sessions", []))
        self.assertEqual(planned + int(plan.get("shortfallMinutes", 0)), 28 * 60, plan)
        self.assertIn("owed 28h", self.ok("PK_BAPAS", "supervision", "plan",
                                           "--ledger=" + ledger_name))

        # supervision at-risk: ListHoursLedgers filtered on at_risk; this
        # case is on track (28 h owed, weeks of windows left), so it is not
        # listed, and --json parses.
        out = self.ok("PK_BAPAS", "supervision", "at-risk", "--regency=64.01")
        self.assertIn("CASE", out)
        self.assertNotIn(flow.case.name, out)
        json.loads(self.ok("PK_BAPAS", "supervision", "at-risk", "--regency=64.01",
                           "--pk=" + ks_flows.PK_ID, "--json"))

        # supervision group-session, as the site's supervisor, on the first
        # day: the second person is credited 3 h; the first person already
        # has a session then, so they alone are refused (overlap), with the
        # rule in their result.
        other = self.handed_over("ks-two", 16)
        self.place_with_ksctl(other)
        zone = zoneinfo.ZoneInfo(WITA)
        start = datetime.datetime(days[0].year, days[0].month, days[0].day, 8, tzinfo=zone)
        group = {
            "site": self.cat.site[0].name,
            "startTime": start.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
            "endTime": (start + datetime.timedelta(hours=3)).astimezone(
                datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
            "attendances": [
                {"caseName": other.case.name, "placement": other.placement.name,
                 "outcome": "ATTENDANCE_OUTCOME_ATTENDED_COMPLIED"},
                {"caseName": flow.case.name, "placement": flow.placement.name,
                 "outcome": "ATTENDANCE_OUTCOME_ATTENDED_COMPLIED"},
            ],
        }
        out = self.ok("SITE_SUPERVISOR", "supervision", "group-session", "--regency=64.01",
                      "--file=-", "--json", stdin=json.dumps(group))
        results = json.loads(out)["results"]
        self.assertEqual(int(results[0].get("creditedMinutes", 0)), 180, out)
        self.assertNotIn("refusal", results[0], out)
        self.assertIn("refusal", results[1], out)
        self.assertNotIn("workSession", results[1], out)
        table = self.ok("SITE_SUPERVISOR", "supervision", "group-session", "--regency=64.01",
                        "--file=-", "--request_id=ksctl-group-table", stdin=json.dumps(group))
        self.assertIn("REFUSED", table)
        self.assertIn(other.case.name, table)


        # reporting: national and province summary, and the regency CSV,
        # once reporting has read the feeds (bounded poll): at least the 15 h
        # credited above (8 + 4 + 3), and the cases registered in 64.01.
        want = (8 + 4 + 3) * 60
        deadline = time.monotonic() + 30
        while True:
            national = json.loads(self.ok("NATIONAL_VIEWER", "reporting", "summary", "--json"))
            credited = int(national.get("totals", {}).get("creditedMinutes", 0))
            if credited >= want or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertGreaterEqual(credited, want, national)
        self.assertIn("64", self.ok("NATIONAL_VIEWER", "reporting", "summary", "--province=64"))
        rows = {r["regency"]: r for r in csv.DictReader(io.StringIO(
            self.ok("NATIONAL_VIEWER", "reporting", "regencies", "--csv")))}
        self.assertEqual(len(rows), 514)
        self.assertGreaterEqual(int(rows["64.01"]["registered"]), 2, rows["64.01"])
        self.assertGreaterEqual(int(rows["64.01"]["credited_hours"]), 15, rows["64.01"])
        self.assertEqual(rows["71.01"]["registered"], "0")

    def test_refusals_show_the_field_and_exit_code(self):
        # A session ending before it starts: INVALID_ARGUMENT (exit 3) and
        # the field named, nothing recorded.
        flow = self.handed_over("ks-bad", 8)
        flow.place(self.cat)
        code, out, err = self.ksctl(
            "PK_BAPAS", "supervision", "record-session", "--regency=64.01",
            "--case=" + flow.case.name, "--placement=" + flow.placement.name,
            "--start=2026-11-30T12:00:00+08:00", "--end=2026-11-30T08:00:00+08:00")
        self.assertEqual(code, EXIT_REJECTED, out + err)
        self.assertIn("end_time", err)
        # A bad time on the command line: a usage error, nothing sent.
        code, out, err = self.ksctl("PK_BAPAS", "supervision", "record-session",
                                    "--regency=64.01", "--case=x", "--placement=y",
                                    "--start=yesterday", "--end=today")
        self.assertEqual(code, 2, out + err)
        self.assertIn("--start: 'yesterday' is not an RFC 3339 time", err)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    for name in local_stack.SERVICES + ("token_tool", "ksctl"):
        ap.add_argument("--" + name, required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
