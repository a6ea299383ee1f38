#!/usr/bin/env python3
"""End to end over the whole stack (issue #13): four service processes and
four redis-server processes on free ports, driven only through the gRPC API
with the demo loader's flows (scripts/demo/ks_flows.py):

  - an adult case (WITA) and a child case (WIT) served to completion, the
    adult with guidance sessions and a referral to a partner program;
  - a breach with each outcome: REPEAT, SERVE_PRISON, PAY_FINE, EXCUSED,
    each on a violation the PK warned about and referred to the prosecutor
    (seen by cases as a breach candidate);
  - a transfer to another regency;
  - a reassignment to another site;

and the results checked in each service (cases' states, supervision's
ledgers, placements' placements) and in reporting's national numbers, which
are polled (bounded) until reporting has caught up with the three feeds.

Usage (ctest passes the paths from CMake):
  stack_e2e_test.py --cases=BIN --placements=BIN --supervision=BIN
                    --reporting=BIN --token_tool=BIN
"""

import argparse
import datetime
import os
import random
import sys
import time
import unittest
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "demo"))

import ks_flows  # noqa: E402
import local_stack  # noqa: E402
from ks_flows import STATE, cres, pres, spb  # noqa: E402

ARGS = None
WITA, WIT = "Asia/Makassar", "Asia/Jayapura"


def local_today(zone):
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()


class StackE2eTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        local_stack.start_for_test_class(cls, ARGS, ks_flows.PRINCIPALS, "e2e", ks_flows)
        cls.cat = {
            "64.01": ks_flows.setup_regency(cls.s, "64.01", "Kabupaten Paser", local_today(WITA), sites=2),
            "91.71": ks_flows.setup_regency(cls.s, "91.71", "Kota Jayapura", local_today(WIT)),
        }

    def run(self, result=None):
        # On a failure, show the services' logs: the cause is often there.
        before = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > before:
            for name in local_stack.SERVICES:
                print("---- %s log (tail)\n%s" % (name, self.stack.log(name)[-3000:]), file=sys.stderr)
        return out

    def started(self, key, regency, zone, child, hours, consequence="BREACH_CONSEQUENCE_REPEAT",
                ago=40):
        """A case handed over, its PK assigned and placed `ago` days back."""
        today = local_today(zone)
        flow = ks_flows.CaseFlow(self.s, regency, zone, key, today)
        flow.create(ks_flows.case_data(regency, today, ago, child, hours, consequence,
                                       len(key) * 97 + ord(key[-1]), random.Random(key)), ago)
        self.assertEqual(flow.case.state, STATE.CASE_STATE_REGISTERED)
        flow.order()
        self.assertEqual(flow.case.state, STATE.CASE_STATE_EXECUTION_ORDERED)
        flow.hand_over()
        self.assertEqual(flow.case.state, STATE.CASE_STATE_HANDED_OVER)
        flow.assign_pk()
        flow.place(self.cat.get(regency) or self.cat["64.01"])
        self.assertEqual(flow.placement.state, pres.PLACEMENT_STATE_ACTIVE)
        return flow

    def ledger(self, flow):
        return self.s.call(self.s.supervision, "GetHoursLedger",
                           spb.GetHoursLedgerRequest(name=flow.assignment.ledger), "PK_BAPAS")

    def in_progress(self, flow, minutes):
        flow.record_sessions(minutes)
        return self.s.wait_case(flow.case.name, (STATE.CASE_STATE_IN_PROGRESS,))

    def test_stack(self):
        # Completion: adult in WITA, child in WIT (after school, 3 h a day).
        adult = self.started("adult", "64.01", WITA, False, 16)
        self.assertEqual(adult.record_sessions(16 * 60), 16 * 60)
        # The PK's guidance and a referral to a partner program, in supervision.
        adult.guidance(2)
        program = ks_flows.partner_program(self.s, "64.01")
        referral = adult.refer(program.name)
        self.assertEqual(referral.case_name, adult.case.name)
        listed = self.s.call(self.s.supervision, "ListGuidanceSessions",
                             spb.ListGuidanceSessionsRequest(parent="regencies/64.01", page_size=100),
                             "PK_BAPAS")
        self.assertEqual(sum(g.case_name == adult.case.name for g in listed.guidance_sessions), 2)
        adult.confirm()
        self.assertEqual(adult.case.state, STATE.CASE_STATE_COMPLETED)
        self.assertTrue(adult.case.completion.certificate_number)
        self.assertEqual(self.ledger(adult).credited_minutes, 16 * 60)

        child = self.started("child", "91.71", WIT, True, 9)
        child.record_sessions(9 * 60)
        child.confirm()
        self.assertEqual(child.case.state, STATE.CASE_STATE_COMPLETED)
        self.assertEqual(child.case.sentence.kind, ks_flows.common_pb2.SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT)
        self.assertEqual(self.ledger(child).credited_minutes, 9 * 60)

        # A breach with each outcome.
        expected_state = {"REPEAT": STATE.CASE_STATE_IN_PROGRESS,
                          "SERVE_PRISON": STATE.CASE_STATE_CONVERTED,
                          "PAY_FINE": STATE.CASE_STATE_CONVERTED,
                          "EXCUSED": STATE.CASE_STATE_IN_PROGRESS}
        for kind, state in expected_state.items():
            consequence = "BREACH_CONSEQUENCE_" + (kind if kind in ("SERVE_PRISON", "PAY_FINE") else "REPEAT")
            flow = self.started("breach-" + kind, "64.01", WITA, False, 40, consequence)
            self.in_progress(flow, 8 * 60)
            # The PK's violation, its warning and its referral: cases lists
            # the referred violation as the breach candidate it cites.
            flow.warn()
            flow.refer_violation()
            deadline = time.monotonic() + 20
            while flow.violation not in self.s.get_case(flow.case.name).progress.referred_violations:
                self.assertLess(time.monotonic(), deadline, "referral not seen by cases")
                time.sleep(0.1)
            flow.breach()
            self.assertEqual(flow.case.state, STATE.CASE_STATE_BREACHED)
            flow.decide(kind)
            self.assertEqual(flow.case.state, state, kind)
            self.assertEqual(flow.case.breaches[-1].outcome.kind,
                             cres.BreachOutcomeKind.Value("BREACH_OUTCOME_KIND_" + kind))

        # A transfer from 64.01 to 71.01 keeps the credited minutes.
        moved = self.started("transfer", "64.01", WITA, False, 24)
        self.in_progress(moved, 8 * 60)
        moved.transfer("71.01")
        self.assertEqual(moved.case.state, STATE.CASE_STATE_TRANSFERRED_OUT)
        self.assertEqual(moved.case.transfer.credited_minutes, 8 * 60)
        received = self.s.get_case(moved.case.transfer.destination_case)
        self.assertEqual(received.regency_code, "71.01")
        self.assertEqual(received.transferred_from, moved.case.name)

        # A reassignment to the regency's second site: the first placement
        # ends, the successor is ACTIVE, and sessions go on there.
        cat = self.cat["64.01"]
        flow = self.started("reassign", "64.01", WITA, False, 16)
        self.in_progress(flow, 4 * 60)
        first = flow.placement.name
        out = flow.reassign(cat, 1)
        self.assertEqual(out.ended.state, pres.PLACEMENT_STATE_ENDED)
        self.assertEqual(flow.placement.site, cat.site[1].name)
        self.assertEqual(flow.placement.state, pres.PLACEMENT_STATE_ACTIVE)
        ended = self.s.call(self.s.placements, "GetPlacement",
                            ks_flows.ppb.GetPlacementRequest(name=first), "PEMDA_OFFICER")
        self.assertEqual(ended.state, pres.PLACEMENT_STATE_ENDED)

        # Reporting's national figures, once it has caught up with the feeds.
        want_states = {
            (STATE.CASE_STATE_COMPLETED, "SENTENCE_KIND_ADULT_KERJA_SOSIAL"): 1,
            (STATE.CASE_STATE_COMPLETED, "SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT"): 1,
            (STATE.CASE_STATE_CONVERTED, "SENTENCE_KIND_ADULT_KERJA_SOSIAL"): 2,
            (STATE.CASE_STATE_TRANSFERRED_OUT, "SENTENCE_KIND_ADULT_KERJA_SOSIAL"): 1,
        }
        want_outcomes = {k: 1 for k in expected_state}
        deadline = time.monotonic() + 30
        while True:
            summary = ks_flows.national_summary(self.s)
            states = {(c.state, ks_flows.common_pb2.SentenceKind.Name(c.kind)): c.count
                      for c in summary.cases_by_state}
            outcomes = {}
            for b in summary.breaches_by_outcome:
                name = cres.BreachOutcomeKind.Name(b.kind)[len("BREACH_OUTCOME_KIND_"):]
                outcomes[name] = outcomes.get(name, 0) + b.count
            got = {k: states.get(k, 0) for k in want_states}
            if (got == want_states and outcomes == want_outcomes) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(got, want_states, summary)
        self.assertEqual(outcomes, want_outcomes, summary)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    for name in local_stack.SERVICES + ("token_tool",):
        ap.add_argument("--" + name, required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
