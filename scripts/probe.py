#!/usr/bin/python3
"""Asks kerjasosial services whether they are up, the way any gRPC tool would.

For each address: the grpc.health.v1 status of the server, and the services it
lists through gRPC server reflection (grpc.reflection.v1alpha). Uses only
Debian's python3-grpcio: the few protobuf fields involved are encoded by hand,
so no generated stubs are needed.

Usage: scripts/probe.py [--wait SECONDS] [--token FILE] HOST:PORT...
Exit status 0 when every address is SERVING, 1 otherwise.
"""
import argparse
import sys
import time

import grpc

HEALTH_STATES = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


def _varint(data, pos):
    result, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def _fields(data):
    """Yields (field number, wire type, value) of a protobuf message."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield number, wire, value


def health(channel, timeout):
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    # HealthCheckRequest{service: ""} encodes as zero bytes.
    reply = check(b"", timeout=timeout)
    status = 0
    for number, _, value in _fields(reply):
        if number == 1:
            status = value
    return HEALTH_STATES.get(status, str(status))


def reflected_services(channel, timeout):
    info = channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    # ServerReflectionRequest{list_services: "*"}: field 7, length-delimited.
    replies = info(iter([b"\x3a\x01*"]), timeout=timeout)
    names = []
    for reply in replies:
        for number, _, value in _fields(reply):
            if number == 6:  # list_services_response
                for n2, _, service in _fields(value):
                    if n2 == 1:  # ServiceResponse
                        for n3, _, name in _fields(service):
                            if n3 == 1:
                                names.append(name.decode())
        break
    return sorted(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("addresses", nargs="+")
    parser.add_argument("--wait", type=float, default=0,
                        help="keep asking for up to this many seconds until SERVING")
    args = parser.parse_args()
    deadline = time.time() + args.wait
    all_ok = True
    for address in args.addresses:
        channel = grpc.insecure_channel(address)
        state, error = "UNREACHABLE", ""
        while True:
            try:
                state = health(channel, timeout=2)
            except grpc.RpcError as e:
                state, error = "UNREACHABLE", e.code().name
            if state == "SERVING" or time.time() >= deadline:
                break
            time.sleep(0.2)
        services = []
        if state == "SERVING":
            try:
                services = reflected_services(channel, timeout=5)
            except grpc.RpcError as e:
                error = "reflection: " + e.code().name
        ok = state == "SERVING" and bool(services)
        all_ok = all_ok and ok
        print("%-22s %-12s %s%s" % (address, state, " ".join(services),
                                    ("  (" + error + ")") if error else ""))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
