"""The kerjasosial work flows, driven only through the public gRPC APIs.

Shared by the demo-data loader (scripts/demo/load_demo.py) and the
four-process end-to-end test (tests/stack/stack_e2e_test.py), so the test
exercises exactly the calls that fill the dashboard.

Every mutating call carries a request_id derived from a caller-given key
(`Stack.rid`), so running a flow again with the same keys answers the first
results instead of writing twice: that is what makes the loader's re-runs
idempotent. A refused call raises `Refused`, which carries the server's code,
message, BadRequest field violations and ErrorInfo reason.

Not thread-safe: one Stack per thread.
"""

import datetime
import hashlib
import os
import sys
import time
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))

import kerjasosial_stubs  # noqa: E402

kerjasosial_stubs.load(os.path.join(ROOT, "proto"))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from kerjasosial.cases.v1 import cases_service_pb2 as cpb  # noqa: E402
from kerjasosial.cases.v1 import cases_service_pb2_grpc as cgrpc  # noqa: E402
from kerjasosial.cases.v1 import resources_pb2 as cres  # noqa: E402
from kerjasosial.placements.v1 import placements_service_pb2 as ppb  # noqa: E402
from kerjasosial.placements.v1 import placements_service_pb2_grpc as pgrpc  # noqa: E402
from kerjasosial.placements.v1 import resources_pb2 as pres  # noqa: E402
from kerjasosial.reporting.v1 import reporting_service_pb2 as rpb  # noqa: E402
from kerjasosial.reporting.v1 import reporting_service_pb2_grpc as rgrpc  # noqa: E402
from kerjasosial.supervision.v1 import supervision_service_pb2 as spb  # noqa: E402
from kerjasosial.supervision.v1 import supervision_service_pb2_grpc as sgrpc  # noqa: E402
from kerjasosial.supervision.v1 import resources_pb2 as sres  # noqa: E402
from kerjasosial.common.v1 import common_pb2  # noqa: E402

# The Bapas office every demo case is handed over to; the PK token belongs
# to it (the HANDOVER_OFFICE relation admits it to the case).
BAPAS_OFFICE = "bapas-demo"
PK_ID = "demo-pk"
SITE_STAFF_ID = "demo-site-supervisor"
# (token id, agency, role) of every principal the flows use.
PRINCIPALS = [
    ("demo-jaksa", "kejari-demo", "JAKSA"),
    ("demo-pemda", "pemda-demo", "PEMDA_OFFICER"),
    (PK_ID, BAPAS_OFFICE, "PK_BAPAS"),
    (SITE_STAFF_ID, "pemda-demo", "SITE_SUPERVISOR"),
    ("demo-viewer", "kemenkumham", "NATIONAL_VIEWER"),
    ("demo-admin", "local", "ADMIN"),
]

STATE = cres.CaseState
# The states a case reaches once its first session is credited, and after.
SERVING_OR_LATER = (STATE.CASE_STATE_IN_PROGRESS, STATE.CASE_STATE_COMPLETION_PENDING,
                    STATE.CASE_STATE_COMPLETED, STATE.CASE_STATE_BREACHED,
                    STATE.CASE_STATE_CONVERTED, STATE.CASE_STATE_TRANSFERRED_OUT)


class Refused(Exception):
    """A call the server answered with an error."""

    def __init__(self, method, error):
        self.method = method
        self.code = error.code()
        self.message = error.details()
        self.violations, self.reason = [], ""
        for key, value in error.trailing_metadata() or ():
            if key != "grpc-status-details-bin":
                continue
            for detail in status_pb2.Status.FromString(value).details:
                bad = error_details_pb2.BadRequest()
                if detail.Unpack(bad):
                    self.violations += [(v.field, v.description)
                                        for v in bad.field_violations]
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    self.reason = info.reason
        super().__init__(self.describe())

    def describe(self):
        lines = ["%s: %s: %s%s" % (self.method, self.code.name, self.message,
                                   " [%s]" % self.reason if self.reason else "")]
        lines += ["    field %s: %s" % fv for fv in self.violations]
        return "\n".join(lines)


def regions(root=ROOT):
    """{regency code: (province code, name, IANA zone, WIB/WITA/WIT)}."""
    zones = {}
    with open(os.path.join(root, "data", "regions", "provinces.csv")) as f:
        next(f)
        for line in f:
            code, rest = line.rstrip("\n").split(",", 1)
            _, label, iana = rest.rsplit(",", 2)  # a name may hold a comma
            zones[code] = (label, iana)
    out = {}
    with open(os.path.join(root, "data", "regions", "regencies.csv")) as f:
        next(f)
        for line in f:
            code, province, name = line.rstrip("\n").split(",", 2)
            if province in zones:
                label, iana = zones[province]
                out[code] = (province, name, iana, label)
    return out


def date_dict(d):
    return {"year": d.year, "month": d.month, "day": d.day}


class Stack:
    """Stubs of the four services and the role tokens to call them with."""

    def __init__(self, addresses, tokens, key_prefix, timeout=15.0):
        self.tokens, self.prefix, self.timeout = tokens, key_prefix, timeout
        ch = self.channels = {k: grpc.insecure_channel(v) for k, v in addresses.items()}
        self.cases = cgrpc.CasesStub(ch["cases"])
        self.placements = pgrpc.PlacementsStub(ch["placements"])
        self.supervision = sgrpc.SupervisionStub(ch["supervision"])
        self.reporting = rgrpc.ReportingStub(ch["reporting"])
        self.calls = 0

    def wait_ready(self, timeout=20.0):
        """Waits until every service accepts connections (processes just
        started); raises grpc.FutureTimeoutError after `timeout` s."""
        for channel in self.channels.values():
            grpc.channel_ready_future(channel).result(timeout=timeout)

    def rid(self, key):
        """The request_id of step `key`: stable across runs of one seed."""
        rid = ("%s-%s" % (self.prefix, key)).replace(".", "_").replace(":", "_")
        if len(rid) > 64:  # the contracts' bound: keep it stable, hashed
            rid = rid[:40] + "-" + hashlib.sha256(rid.encode()).hexdigest()[:23]
        return rid

    def call(self, stub, method, request, role, wait_ready=False):
        self.calls += 1
        try:
            return getattr(stub, method)(
                request, timeout=self.timeout, wait_for_ready=wait_ready,
                metadata=(("authorization", "Bearer " + self.tokens[role]),))
        except grpc.RpcError as e:
            raise Refused(method, e) from None

    def get_case(self, name):
        return self.call(self.cases, "GetCase", cpb.GetCaseRequest(name=name),
                         "JAKSA")

    def wait_case(self, name, states, timeout=20.0):
        """Polls GetCase until the case is in one of `states` (the feeds
        between services are asynchronous); raises after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            c = self.get_case(name)
            if c.state in states or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if c.state not in states:
            raise TimeoutError("%s stayed %s" % (name, STATE.Name(c.state)))
        return c


class Catalogue:
    """The regency's agreement in force, activity types and one site."""

    def __init__(self, agreement, adult_activity, child_activity, site):
        self.agreement, self.site = agreement, site
        self.adult_activity, self.child_activity = adult_activity, child_activity


def weekly(days, start, end):
    return {"slots": [{"weekday": d, "start_minute": start, "end_minute": end}
                      for d in days]}


WEEKDAYS = ["WEEKDAY_MONDAY", "WEEKDAY_TUESDAY", "WEEKDAY_WEDNESDAY",
            "WEEKDAY_THURSDAY", "WEEKDAY_FRIDAY"]


def setup_regency(s, regency, name, today, sites=1):
    """Agreement (IN_FORCE), an adult and a child activity type, `sites`
    sites open 07:00-18:00 on weekdays (children only outside school
    hours, so after 15:00)."""
    parent = "regencies/" + regency
    effective = today - datetime.timedelta(days=400)
    a = s.call(s.placements, "CreateCooperationAgreement", ppb.CreateCooperationAgreementRequest(
        parent=parent, request_id=s.rid("agr-" + regency),
        agreement=json_format.ParseDict({
            "agreement_number": "PKS/%s/%d" % (regency, effective.year),
            "title": "Pelaksanaan pidana kerja sosial di " + name,
            "level": "AGREEMENT_LEVEL_REGENCY",
            "parties": [
                {"agency": "AGENCY_PEMDA", "office_name": "Pemerintah " + name},
                {"agency": "AGENCY_KEJAKSAAN", "office_name": "Kejaksaan Negeri " + name}],
            "signed_date": date_dict(effective),
            "effective_date": date_dict(effective),
            "expiry_date": date_dict(effective + datetime.timedelta(days=700)),
        }, ppb.CreateCooperationAgreementRequest().agreement)), "PEMDA_OFFICER")
    if a.state != pres.AGREEMENT_STATE_IN_FORCE:
        a = s.call(s.placements, "ActivateCooperationAgreement",
                   ppb.ActivateCooperationAgreementRequest(
                       name=a.name, etag=a.etag, request_id=s.rid("agr-act-" + regency)),
                   "PEMDA_OFFICER")
    acts = []
    for kind, label, category, children in (
            ("adult", "Kebersihan taman dan fasilitas umum", "ACTIVITY_CATEGORY_PUBLIC_FACILITIES", False),
            ("child", "Membantu perpustakaan daerah", "ACTIVITY_CATEGORY_PUBLIC_FACILITIES", True)):
        req = ppb.CreateActivityTypeRequest(parent=parent, request_id=s.rid("act-%s-%s" % (kind, regency)))
        json_format.ParseDict({"display_name": label, "category": category,
                               "non_commercial_attested": True, "non_degrading_attested": True,
                               "suitable_for_children": children}, req.activity_type)
        acts.append(s.call(s.placements, "CreateActivityType", req, "PEMDA_OFFICER"))
    out = []
    for i in range(sites):
        req = ppb.CreateSiteRequest(parent=parent, request_id=s.rid("site-%d-%s" % (i, regency)))
        json_format.ParseDict({
            "display_name": "Taman Kota %s %d" % (name.split(" ", 1)[-1], i + 1),
            "agreement": a.name, "host_kind": "HOST_KIND_PUBLIC_SPACE",
            "address": "Jl. Merdeka %d, %s" % (i + 1, name),
            "activities": [{"activity_type": t.name, "non_commercial_attested": True,
                            "non_degrading_attested": True} for t in acts],
            "capacity": 400, "accepts_children": True,
            "schedule": weekly(WEEKDAYS, 7 * 60, 18 * 60),
            "staff": [{"principal_id": SITE_STAFF_ID}],
        }, req.site)
        out.append(s.call(s.placements, "CreateSite", req, "PEMDA_OFFICER"))
    return Catalogue(a, acts[0], acts[1], out)


def nik(regency, birth, female, seq):
    day = birth.day + (40 if female else 0)
    return "%s01%02d%02d%02d%04d" % (regency.replace(".", ""), day, birth.month,
                                     birth.year % 100, seq % 10000)


def case_data(regency, today, ago, child, hours, consequence, seq, rng):
    """A final decision whose execution order falls `ago` days before today."""
    decided = today - datetime.timedelta(days=ago + 28)
    female = rng.random() < 0.3
    if child:
        birth = datetime.date(today.year - 15 - rng.randrange(2), rng.randrange(1, 13), rng.randrange(1, 28))
    else:
        birth = datetime.date(today.year - 20 - rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 28))
    first = rng.choice(["Andi", "Budi", "Siti", "Dewi", "Agus", "Rina", "Yohanes", "Made", "Nur", "Putu"])
    last = rng.choice(["Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Kurniawan", "Manuhutu"])
    sentence = {"kind": "SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT" if child
                else "SENTENCE_KIND_ADULT_KERJA_SOSIAL",
                "basis": "SENTENCE_BASIS_PRINCIPAL", "hours": hours,
                "breach_consequence": consequence}
    if child:
        sentence["litmas"] = {"number": "LITMAS-%d/%d" % (seq, decided.year),
                              "date": date_dict(decided - datetime.timedelta(days=18)),
                              "bapas_office_code": BAPAS_OFFICE}
    else:
        sentence["imposed_prison_months"] = 3
        sentence["imposed_fine_rupiah"] = 5000000
    return json_format.ParseDict({
        "person": {"full_name": "%s %s" % (first, last), "nik": nik(regency, birth, female, seq),
                   "birth_date": date_dict(birth), "sex": "SEX_FEMALE" if female else "SEX_MALE",
                   "address": "Jl. Pahlawan %d" % (seq % 200 + 1), "livelihood": "Petani"},
        "decision": {"court_name": "Pengadilan Negeri", "court_level": "COURT_LEVEL_FIRST_INSTANCE",
                     "decision_number": "%d/Pid.%s/%d/PN %s" % (seq, "Sus-Anak" if child else "B",
                                                                 decided.year, regency),
                     "decided_date": date_dict(decided),
                     "final_date": date_dict(decided + datetime.timedelta(days=8)),
                     "considerations": {"consent_given": True}},
        "offence": {"article": "KUHP Pasal 476", "category": rng.choice(["theft", "minor_assault", "property_damage"]),
                    "max_prison_threat_months": 48,
                    "offence_date": date_dict(decided - datetime.timedelta(days=74))},
        "sentence": sentence,
    }, cres.Case())


class CaseFlow:
    """One case through the services; each step returns the new Case."""

    def __init__(self, s, regency, zone, key, today):
        self.s, self.regency, self.key, self.today = s, regency, key, today
        self.zone = zoneinfo.ZoneInfo(zone)
        self.case = self.assignment = self.placement = self.violation = None
        self.ago = 0

    def rid(self, step):
        return self.s.rid("%s-%s" % (self.key, step))

    def create(self, data, ago):
        self.ago = ago
        self.case = self.s.call(self.s.cases, "CreateCase", cpb.CreateCaseRequest(
            parent="regencies/" + self.regency, case_data=data, request_id=self.rid("create")), "JAKSA")
        return self.case

    def order(self):
        c = self.case
        req = cpb.IssueExecutionOrderRequest(name=c.name, etag=c.etag, request_id=self.rid("order"))
        json_format.ParseDict({"order_number": "PRINT-%s/O.4/%d" % (self.key, self.today.year),
                               "issued_date": date_dict(self.today - datetime.timedelta(days=self.ago)),
                               "kejari_code": "kejari-" + self.regency}, req.execution_order)
        self.case = self.s.call(self.s.cases, "IssueExecutionOrder", req, "JAKSA")
        return self.case

    def hand_over(self):
        c = self.case
        req = cpb.HandOverToBapasRequest(name=c.name, etag=c.etag, request_id=self.rid("handover"))
        req.handover.bapas_office_code = BAPAS_OFFICE
        req.handover.handover_date.CopyFrom(json_format.ParseDict(
            date_dict(self.today - datetime.timedelta(days=max(self.ago - 2, 0))), req.handover.handover_date))
        self.case = self.s.call(self.s.cases, "HandOverToBapas", req, "JAKSA")
        return self.case

    def assign_pk(self):
        req = spb.CreatePkAssignmentRequest(parent="regencies/" + self.regency, request_id=self.rid("pk"))
        req.pk_assignment.case_name = self.case.name
        req.pk_assignment.bapas_office_code = BAPAS_OFFICE
        req.pk_assignment.pk_principal_id = PK_ID
        self.assignment = self.s.call(self.s.supervision, "CreatePkAssignment", req, "PK_BAPAS")
        return self.assignment

    def is_child(self):
        return self.case.sentence.kind == common_pb2.SENTENCE_KIND_CHILD_PELAYANAN_MASYARAKAT

    def _placement_input(self, catalogue, site, first_day):
        child = self.is_child()
        deadline = self.today + datetime.timedelta(days=60)
        if self.case.progress.HasField("deadline_time"):
            last = self.case.progress.deadline_time.ToDatetime(datetime.timezone.utc).astimezone(self.zone).date()
            deadline = min(deadline, last - datetime.timedelta(days=1))
        return json_format.ParseDict({
            "case_name": self.case.name, "site": site.name,
            "activity_type": (catalogue.child_activity if child else catalogue.adult_activity).name,
            "period": {"start_date": date_dict(first_day), "end_date": date_dict(deadline)},
            "schedule": weekly(WEEKDAYS, 15 * 60, 18 * 60) if child else weekly(WEEKDAYS, 8 * 60, 12 * 60),
        }, pres.Placement())

    def place(self, catalogue, site=0):
        first = self.today - datetime.timedelta(days=max(self.ago - 3, 0))
        req = ppb.CreatePlacementRequest(parent="regencies/" + self.regency, request_id=self.rid("place"))
        req.placement.CopyFrom(self._placement_input(catalogue, catalogue.site[site], first))
        p = self.s.call(self.s.placements, "CreatePlacement", req, "PEMDA_OFFICER")
        if p.state != pres.PLACEMENT_STATE_ACTIVE:
            p = self.s.call(self.s.placements, "StartPlacement", ppb.StartPlacementRequest(
                name=p.name, etag=p.etag, request_id=self.rid("start")), "PEMDA_OFFICER")
        self.placement = p
        return p

    def reassign(self, catalogue, site):
        """Moves the person to another site from today (ReassignPlacement)."""
        req = ppb.ReassignPlacementRequest(name=self.placement.name, etag=self.placement.etag,
                                           request_id=self.rid("reassign"))
        self.case = self.s.get_case(self.case.name)
        req.successor.CopyFrom(self._placement_input(catalogue, catalogue.site[site], self.today))
        out = self.s.call(self.s.placements, "ReassignPlacement", req, "PEMDA_OFFICER")
        self.placement = out.successor
        if self.placement.state != pres.PLACEMENT_STATE_ACTIVE:
            self.placement = self.s.call(self.s.placements, "StartPlacement", ppb.StartPlacementRequest(
                name=self.placement.name, etag=self.placement.etag, request_id=self.rid("start2")),
                "PEMDA_OFFICER")
        return out

    def session_days(self):
        """Working days from the placement's start to yesterday, oldest first."""
        p = self.placement.period.start_date
        day = datetime.date(p.year, p.month, p.day)
        out = []
        while day < self.today:
            if day.weekday() < 5:
                out.append(day)
            day += datetime.timedelta(days=1)
        return out

    def record_sessions(self, minutes, days=None):
        """Records sessions (4 h for adults, 3 h after school for children)
        on working days until `minutes` are served; returns minutes sent."""
        child = self.is_child()
        start_h, length = (15, 180) if child else (8, 240)
        sent = 0
        for day in (days if days is not None else self.session_days()):
            if sent >= minutes:
                break
            take = min(length, minutes - sent)
            start = datetime.datetime(day.year, day.month, day.day, start_h, tzinfo=self.zone)
            req = spb.RecordWorkSessionRequest(parent="regencies/" + self.regency,
                                               request_id=self.rid("ws-%s" % day.isoformat()))
            w = req.work_session
            w.case_name, w.placement = self.case.name, self.placement.name
            w.start_time.FromDatetime(start.astimezone(datetime.timezone.utc))
            w.end_time.FromDatetime((start + datetime.timedelta(minutes=take)).astimezone(datetime.timezone.utc))
            w.outcome = sres.ATTENDANCE_OUTCOME_ATTENDED_COMPLIED
            self._record(req)
            sent += take
        return sent

    def _record(self, req, timeout=20.0):
        # Supervision learns the placement from placements' feed: retry
        # while it is not known yet, or known only as PLANNED (its
        # PlacementStarted not applied yet: supervision then answers
        # PLACEMENT_NOT_ACTIVE), bounded.
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.s.call(self.s.supervision, "RecordWorkSession", req, "PK_BAPAS")
            except Refused as e:
                if e.reason not in ("PLACEMENT_NOT_YET_KNOWN", "CASE_NOT_YET_KNOWN",
                                    "PLACEMENT_NOT_ACTIVE") or \
                        time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _on_case(self, method, build, attempts=50):
        """Sends build(current case) to cases, re-reading and resending on a
        stale etag: supervision's feed updates the case's progress
        concurrently (read, reapply, resend, as the contract says)."""
        for attempt in range(attempts):
            try:
                self.case = self.s.call(self.s.cases, method, build(self.case), "JAKSA")
                return self.case
            except Refused as e:
                if e.reason != "STALE_ETAG" or attempt == attempts - 1:
                    raise
                time.sleep(0.05)
                self.case = self.s.get_case(self.case.name)

    def confirm(self):
        # COMPLETED too: a re-run replays the confirmation.
        self.case = self.s.wait_case(self.case.name, (STATE.CASE_STATE_COMPLETION_PENDING,
                                                      STATE.CASE_STATE_COMPLETED))
        return self._on_case("ConfirmCompletion", lambda c: cpb.ConfirmCompletionRequest(
            name=c.name, etag=c.etag, request_id=self.rid("confirm")))

    def refer_violation(self):
        """The PK refers the violation of warn() to the prosecutor: cases
        then lists it in the case's progress as a breach candidate."""
        v = self.s.call(self.s.supervision, "GetViolation",
                        spb.GetViolationRequest(name=self.violation), "PK_BAPAS")
        return self.s.call(self.s.supervision, "ReferViolationToProsecutor",
                           spb.ReferViolationToProsecutorRequest(
                               name=v.name, etag=v.etag, request_id=self.rid("refer")), "PK_BAPAS")

    def breach(self):
        """The prosecutor records a breach on the evidence of the PK's
        violation: the one warn() recorded and refer_violation() referred,
        else (no violation recorded) a new one recorded here."""
        if not self.violation:
            self.warn()
        evidence = self.violation
        return self._on_case("RecordBreach", lambda c: cpb.RecordBreachRequest(
            name=c.name, etag=c.etag, request_id=self.rid("breach"),
            reason=cres.BREACH_REASON_ABSENT_WITHOUT_REASON, violations=[evidence]))

    def decide(self, kind):
        """Decides the breach: REPEAT, SERVE_PRISON, PAY_FINE or EXCUSED."""
        outcome = {"kind": "BREACH_OUTCOME_KIND_" + kind, "extent": "OUTCOME_EXTENT_PART",
                   "decided_date": date_dict(self.today)}
        if kind == "REPEAT":
            outcome["repeat"] = {"repeat_hours": 8, "span_days": 60}
            if self.is_child():  # R11: the supervising judge orders a child's repeat
                outcome["repeat"]["judge_order_reference"] = "PEN-%s/Pid.Sus-Anak" % self.key
        elif kind == "SERVE_PRISON":
            outcome["serve_prison"] = {"prison_days": 30}
        elif kind == "PAY_FINE":
            outcome.update(extent="OUTCOME_EXTENT_ALL", pay_fine={"fine_rupiah": 5000000})
        else:
            outcome.update(extent="OUTCOME_EXTENT_ALL", excused={"valid_reason_code": "illness"})
        def build(c):
            req = cpb.DecideBreachOutcomeRequest(name=c.name, etag=c.etag, request_id=self.rid("decide"))
            json_format.ParseDict(outcome, req.outcome)
            return req
        return self._on_case("DecideBreachOutcome", build)

    def transfer(self, destination):
        def build(c):
            req = cpb.TransferCaseRequest(name=c.name, etag=c.etag, request_id=self.rid("transfer"))
            req.transfer.destination_regency_code = destination
            req.transfer.reason_code = "family"
            return req
        return self._on_case("TransferCase", build)

    def cancel(self):
        def build(c):
            req = cpb.CancelCaseRequest(name=c.name, etag=c.etag, request_id=self.rid("cancel"))
            req.cancellation.reason = cres.CANCELLATION_REASON_REGISTRATION_ERROR
            return req
        return self._on_case("CancelCase", build)

    def guidance(self, n):
        """`n` guidance sessions by the PK, one a fortnight back from today."""
        for i in range(n):
            end = datetime.datetime.combine(self.today - datetime.timedelta(days=14 * i + 1),
                                            datetime.time(10), tzinfo=self.zone)
            req = spb.CreateGuidanceSessionRequest(parent="regencies/" + self.regency,
                                                   request_id=self.rid("guid-%d" % i))
            g = req.guidance_session
            g.case_name = self.case.name
            g.interval.start_time.FromDatetime((end - datetime.timedelta(hours=1)).astimezone(datetime.timezone.utc))
            g.interval.end_time.FromDatetime(end.astimezone(datetime.timezone.utc))
            json_format.ParseDict({"mode": "GUIDANCE_MODE_SITE_VISIT" if i % 2 else "GUIDANCE_MODE_AT_BAPAS",
                                   "topics": ["GUIDANCE_TOPIC_WORK_PROGRESS"], "attended": True},
                                  g)
            self.s.call(self.s.supervision, "CreateGuidanceSession", req, "PK_BAPAS")

    def refer(self, program):
        req = spb.CreateReferralRequest(parent="regencies/" + self.regency, request_id=self.rid("ref"))
        req.referral.case_name, req.referral.program = self.case.name, program
        return self.s.call(self.s.supervision, "CreateReferral", req, "PK_BAPAS")

    def warn(self):
        """A violation at the site and the PK's first written warning."""
        when = datetime.datetime.combine(self.today - datetime.timedelta(days=2), datetime.time(9),
                                         tzinfo=self.zone)
        req = spb.RecordViolationRequest(parent="regencies/" + self.regency, request_id=self.rid("viol"))
        req.violation.case_name = self.case.name
        req.violation.kind = sres.VIOLATION_KIND_ABSENT_WITHOUT_REASON
        req.violation.enforceable = True
        req.violation.occur_time.FromDatetime(when.astimezone(datetime.timezone.utc))
        v = self.s.call(self.s.supervision, "RecordViolation", req, "PK_BAPAS")
        self.violation = v.name
        req = spb.IssueWarningRequest(parent="regencies/" + self.regency, request_id=self.rid("warn"))
        req.warning.case_name = self.case.name
        req.warning.violations.append(v.name)
        req.warning.level = 1
        req.warning.respond_by_date.CopyFrom(json_format.ParseDict(
            date_dict(self.today + datetime.timedelta(days=7)), req.warning.respond_by_date))
        return self.s.call(self.s.supervision, "IssueWarning", req, "PK_BAPAS")


def partner_program(s, regency):
    req = spb.CreatePartnerProgramRequest(parent="regencies/" + regency, request_id=s.rid("prog-" + regency))
    json_format.ParseDict({"title": "Pelatihan keterampilan pertanian", "category": "PROGRAM_CATEGORY_AGRIBUSINESS",
                           "partner_name": "Dinas Pertanian", "partner_kind": "PARTNER_KIND_LIVESTOCK_OFFICE",
                           "capacity": 200, "accepts_children": True}, req.partner_program)
    return s.call(s.supervision, "CreatePartnerProgram", req, "PK_BAPAS")


def national_summary(s):
    return s.call(s.reporting, "GetNationalSummary", rpb.GetNationalSummaryRequest(), "NATIONAL_VIEWER")
