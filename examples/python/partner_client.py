#!/usr/bin/env python3
"""A partner system's client of kerjasosial-cases: one case's round trip.

What a partner system (a court or prosecutor case-management system feeding
kerjasosial) has to get right, shown on one case:

  1. a request the server refuses, and the refused fields read from the
     google.rpc.BadRequest in the status details;
  2. CreateCase with a request_id, sent on a connection that is dropped
     before the answer arrives (--simulate_drop), then retried with the SAME request_id on a
     new connection: the server commits once and every retry answers the
     first result (same name, same etag);
  3. GetCase;
  4. UpdateCase with the etag of the version it read, and what a stale etag
     gets (ABORTED: read again, reapply, resend).

Usage:
  partner_client.py --address=127.0.0.1:7101 --token=$KS_TOKEN [--regency=64.01]
                    [--simulate_drop] [--ca_file=roots.pem]
Address and token default to KS_CASES_ADDRESS and KS_TOKEN. The token must
be a JAKSA (or ADMIN) token of the regency. Exit code 0 when every step
behaved as the contract says, 1 otherwise (the reason is printed).
"""

import argparse
import datetime
import os
import sys
import time
import uuid

import flaky_proxy
import kerjasosial_stubs

kerjasosial_stubs.load()

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from google.protobuf import field_mask_pb2  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from kerjasosial.cases.v1 import cases_service_pb2 as cases_pb2  # noqa: E402
from kerjasosial.cases.v1 import cases_service_pb2_grpc as cases_grpc  # noqa: E402
from kerjasosial.cases.v1 import resources_pb2  # noqa: E402

# Codes worth retrying with the same request_id: the request may or may not
# have reached the server; the idempotency key makes resending safe.
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
             grpc.StatusCode.CANCELLED)


class Failure(Exception):
    """A step did not behave as the contract says."""


def details(error):
    """(BadRequest field violations, ErrorInfo) of a grpc.RpcError.

    The server sends a google.rpc.Status in the `grpc-status-details-bin`
    trailer; its details are Any messages.
    """
    violations, info = [], None
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for any_detail in status.details:
            bad = error_details_pb2.BadRequest()
            if any_detail.Unpack(bad):
                violations += [(v.field, v.description)
                               for v in bad.field_violations]
            err = error_details_pb2.ErrorInfo()
            if any_detail.Unpack(err):
                info = err
    return violations, info


def print_error(error):
    print("  server said: %s: %s" % (error.code().name, error.details()))
    violations, info = details(error)
    for field, description in violations:
        print("    field %s: %s" % (field, description))
    if info is not None:
        print("    reason %s %s" % (info.reason, dict(info.metadata)))


def date(d):
    return {"year": d.year, "month": d.month, "day": d.day}


def new_case(today, decision_number):
    """An adult principal sentence of 40 hours replacing 3 months of prison."""
    return json_format.ParseDict({
        "person": {
            "full_name": "Andi Wijaya",
            "nik": "6401011705900001",
            "birth_date": {"year": 1990, "month": 5, "day": 17},
            "sex": "SEX_MALE",
            "address": "Jl. Sudirman 12, Tanah Grogot",
            "livelihood": "Petani",
        },
        "decision": {
            "court_name": "Pengadilan Negeri Tanah Grogot",
            "court_level": "COURT_LEVEL_FIRST_INSTANCE",
            "decision_number": decision_number,
            "decided_date": date(today - datetime.timedelta(days=28)),
            "final_date": date(today - datetime.timedelta(days=20)),
            "considerations": {"consent_given": True},
        },
        "offence": {
            "article": "KUHP Pasal 476",
            "category": "theft",
            "max_prison_threat_months": 48,
            "offence_date": date(today - datetime.timedelta(days=102)),
        },
        "sentence": {
            "kind": "SENTENCE_KIND_ADULT_KERJA_SOSIAL",
            "basis": "SENTENCE_BASIS_PRINCIPAL",
            "hours": 40,
            "imposed_prison_months": 3,
            "breach_consequence": "BREACH_CONSEQUENCE_SERVE_PRISON",
        },
    }, resources_pb2.Case())


class Client:
    def __init__(self, address, token, ca_file=None, timeout=10.0):
        self.address, self.token, self.timeout = address, token, timeout
        self.credentials = None
        if ca_file:
            with open(ca_file, "rb") as f:
                self.credentials = grpc.ssl_channel_credentials(f.read())
        self.connect()

    def connect(self):
        if self.credentials:
            self.channel = grpc.secure_channel(self.address, self.credentials)
        else:
            self.channel = grpc.insecure_channel(self.address)
        self.stub = cases_grpc.CasesStub(self.channel)

    def metadata(self):
        return (("authorization", "Bearer " + self.token),)

    def call(self, method, request):
        return getattr(self.stub, method)(request, metadata=self.metadata(),
                                          timeout=self.timeout)

    def call_with_retries(self, method, request, attempts=6):
        """Sends `request` until it gets an answer that is not transient.

        The request keeps its request_id across attempts: that is what makes
        a retry after a lost answer safe.
        """
        delay = 0.1
        for attempt in range(1, attempts + 1):
            try:
                return self.call(method, request)
            except grpc.RpcError as e:
                if e.code() not in RETRYABLE or attempt == attempts:
                    raise
                print("  attempt %d: %s, retrying with the same request_id"
                      % (attempt, e.code().name))
                self.channel.close()
                self.connect()
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")



def expect(condition, message):
    if not condition:
        raise Failure(message)


def run(client, regency, proxy=None):
    today = datetime.date.today()
    parent = "regencies/" + regency
    decision_number = "PN-TGT/%s/Pid.B/%d" % (uuid.uuid4().hex[:8], today.year)

    print("1. CreateCase with a malformed NIK and no hours")
    bad = new_case(today, decision_number)
    bad.person.nik = "12345"
    bad.sentence.hours = 0
    try:
        client.call("CreateCase", cases_pb2.CreateCaseRequest(
            parent=parent, case_data=bad, request_id=str(uuid.uuid4())))
        raise Failure("an invalid case was accepted")
    except grpc.RpcError as e:
        print_error(e)
        expect(e.code() == grpc.StatusCode.INVALID_ARGUMENT,
               "expected INVALID_ARGUMENT, got " + e.code().name)
        fields = [f for f, _ in details(e)[0]]
        expect("case_data.person.nik" in fields,
               "no violation of case_data.person.nik in %s" % fields)

    print("2. CreateCase, connection dropped before the answer, retried")
    request = cases_pb2.CreateCaseRequest(
        parent=parent, case_data=new_case(today, decision_number),
        request_id=str(uuid.uuid4()))
    print("  request_id " + request.request_id)
    if proxy is not None:
        # The server receives this attempt and commits it; its answer is lost.
        proxy.drop_answers.set()
        try:
            client.call("CreateCase", request)
            raise Failure("the proxy did not drop the answer")
        except grpc.RpcError as e:
            print("  first attempt: %s (answer lost)" % e.code().name)
        finally:
            proxy.drop_answers.clear()
    created = client.call_with_retries("CreateCase", request)
    again = client.call_with_retries("CreateCase", request)
    print("  created %s (etag %s)" % (created.name, created.etag))
    expect(again.name == created.name and again.etag == created.etag,
           "a retry with the same request_id answered another result: %s %s"
           % (again.name, again.etag))
    print("  a second retry answered the same case: committed once")

    print("3. GetCase")
    got = client.call_with_retries(
        "GetCase", cases_pb2.GetCaseRequest(name=created.name))
    print("  %s state %s, %d hours" % (
        got.name, resources_pb2.CaseState.Name(got.state), got.sentence.hours))
    expect(got.etag == created.etag, "GetCase etag differs from CreateCase's")

    print("4. UpdateCase person.address with the etag just read")
    change = resources_pb2.Case(name=got.name)
    change.person.address = "Jl. Gajah Mada 7, Tanah Grogot"
    update = cases_pb2.UpdateCaseRequest(
        case_data=change,
        update_mask=field_mask_pb2.FieldMask(paths=["person.address"]),
        etag=got.etag, request_id=str(uuid.uuid4()))
    updated = client.call_with_retries("UpdateCase", update)
    print("  address now %r, etag %s -> %s"
          % (updated.person.address, got.etag, updated.etag))
    expect(updated.person.address == change.person.address, "not updated")
    expect(updated.etag != got.etag, "the etag did not change")

    print("5. UpdateCase again with the stale etag")
    update.request_id = str(uuid.uuid4())
    try:
        client.call("UpdateCase", update)
        raise Failure("a stale etag was accepted")
    except grpc.RpcError as e:
        print_error(e)
        expect(e.code() == grpc.StatusCode.ABORTED,
               "expected ABORTED, got " + e.code().name)
    print("round trip done: " + created.name)
    return created.name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", default=os.environ.get(
        "KS_CASES_ADDRESS", "127.0.0.1:7101"))
    parser.add_argument("--token", default=os.environ.get("KS_TOKEN", ""))
    parser.add_argument("--regency", default="64.01")
    parser.add_argument("--ca_file", default=os.environ.get("KS_CA_FILE"),
                        help="PEM roots of the server's TLS certificate; "
                             "unset: plaintext (loopback only)")
    parser.add_argument("--simulate_drop", action="store_true",
                        help="connect through a local proxy that loses the "
                             "first CreateCase's answer (flaky_proxy.py)")
    args = parser.parse_args()
    if not args.token:
        parser.error("--token or KS_TOKEN is required")
    proxy = None
    address = args.address
    if args.simulate_drop:
        host, port = args.address.rsplit(":", 1)
        proxy = flaky_proxy.FlakyProxy(host, int(port))
        address = proxy.address
    try:
        run(Client(address, args.token, args.ca_file), args.regency, proxy)
    except (Failure, grpc.RpcError) as e:
        if isinstance(e, grpc.RpcError):
            print_error(e)
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
