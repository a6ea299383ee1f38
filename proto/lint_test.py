#!/usr/bin/python3
"""Lints the kerjasosial contracts: the comments are the API reference.

Compiles every .proto under the proto root with `protoc --include_source_info
--descriptor_set_out` and, for every element of a `kerjasosial.` package,
fails listing:
  * a message, field, enum, enum value, service or rpc without a leading
    comment;
  * an enum whose first value is not `<SOMETHING>_UNSPECIFIED = 0`;
  * a field whose comment does not start with "Required.", "Optional.",
    "Output only." or "Immutable." (a oneof member may start with "One of").

Before linting the tree it lints a small bad contract and checks that every
planted problem is reported and nothing else, so a lint that silently stops
finding problems fails too.

Usage: lint_test.py [--proto_root DIR] [--protoc PATH]
Runs with Debian's /usr/bin/python3 and python3-protobuf.
"""

import argparse
import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

# Field numbers of descriptor.proto used in SourceCodeInfo paths.
FILE_MESSAGE_TYPE = 4
FILE_ENUM_TYPE = 5
FILE_SERVICE = 6
MESSAGE_FIELD = 2
MESSAGE_NESTED_TYPE = 3
MESSAGE_ENUM_TYPE = 4
ENUM_VALUE = 2
SERVICE_METHOD = 2

FIELD_PREFIXES = ("Required.", "Optional.", "Output only.", "Immutable.")
ONEOF_PREFIX = "One of"


def compile_descriptors(protoc, proto_root, files):
    """Returns the FileDescriptorSet of `files` (paths relative to root)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.pb")
        cmd = [protoc, "-I", proto_root, "--include_source_info",
               "--descriptor_set_out=" + out] + files
        proc = subprocess.run(cmd, cwd=proto_root, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError("protoc failed:\n" + proc.stderr)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
        return fds


def comments_by_path(file_proto):
    """Maps a SourceCodeInfo path (tuple) to its stripped leading comment."""
    result = {}
    for loc in file_proto.source_code_info.location:
        result[tuple(loc.path)] = loc.leading_comments.strip()
    return result


def lint_file(fp):
    """Returns a list of problem strings for one FileDescriptorProto."""
    if not (fp.package == "kerjasosial" or
            fp.package.startswith("kerjasosial.")):
        return []
    comments = comments_by_path(fp)
    problems = []

    def where(full_name):
        return "%s: %s" % (fp.name, full_name)

    def need_comment(path, kind, full_name):
        text = comments.get(tuple(path), "")
        if not text:
            problems.append("%s %s has no leading comment" %
                            (where(full_name), kind))
        return text

    def lint_enum(enum, path, prefix):
        full = prefix + enum.name
        need_comment(path, "enum", full)
        if (not enum.value or enum.value[0].number != 0 or
                not enum.value[0].name.endswith("_UNSPECIFIED")):
            problems.append("%s enum's first value is not *_UNSPECIFIED = 0" %
                            where(full))
        for i, value in enumerate(enum.value):
            need_comment(path + [ENUM_VALUE, i], "enum value",
                         full + "." + value.name)

    def lint_message(msg, path, prefix):
        full = prefix + msg.name
        if msg.options.map_entry:
            return  # synthesized for map<,> fields; has no source location
        need_comment(path, "message", full)
        for i, field in enumerate(msg.field):
            fpath = path + [MESSAGE_FIELD, i]
            fname = full + "." + field.name
            text = need_comment(fpath, "field", fname)
            if not text:
                continue
            in_real_oneof = (field.HasField("oneof_index") and
                             not field.proto3_optional)
            if text.startswith(FIELD_PREFIXES):
                continue
            if in_real_oneof and text.startswith(ONEOF_PREFIX):
                continue
            problems.append(
                "%s field comment does not start with Required./Optional./"
                "Output only./Immutable.%s" %
                (where(fname), " (or One of)" if in_real_oneof else ""))
        for i, nested in enumerate(msg.nested_type):
            lint_message(nested, path + [MESSAGE_NESTED_TYPE, i], full + ".")
        for i, enum in enumerate(msg.enum_type):
            lint_enum(enum, path + [MESSAGE_ENUM_TYPE, i], full + ".")

    prefix = fp.package + "."
    for i, msg in enumerate(fp.message_type):
        lint_message(msg, [FILE_MESSAGE_TYPE, i], prefix)
    for i, enum in enumerate(fp.enum_type):
        lint_enum(enum, [FILE_ENUM_TYPE, i], prefix)
    for i, svc in enumerate(fp.service):
        spath = [FILE_SERVICE, i]
        full = prefix + svc.name
        need_comment(spath, "service", full)
        for j, method in enumerate(svc.method):
            need_comment(spath + [SERVICE_METHOD, j], "rpc",
                         full + "." + method.name)
    return problems


def lint_tree(protoc, proto_root):
    files = []
    for dirpath, _, names in os.walk(proto_root):
        for n in names:
            if n.endswith(".proto"):
                files.append(os.path.relpath(os.path.join(dirpath, n),
                                             proto_root))
    files.sort()
    if not files:
        raise RuntimeError("no .proto files under " + proto_root)
    fds = compile_descriptors(protoc, proto_root, files)
    problems = []
    for fp in fds.file:
        problems.extend(lint_file(fp))
    return files, problems


BAD_PROTO = '''syntax = "proto3";
package kerjasosial.linttest.v1;

// Documented.
message Good {
  // Required. Fine.
  string a = 1;
  // One of. Fine in a oneof.
  oneof choice {
    // One of. The first choice.
    string b = 2;
    // Output only. Also fine in a oneof.
    string c = 3;
  }
}

message Undocumented {
  // Says nothing about requiredness.
  string d = 1;
  string e = 2;
  // One of. Not a oneof member.
  string f = 3;
}

// Documented enum with a bad first value.
enum Colour {
  // Documented.
  COLOUR_RED = 0;
  COLOUR_BLUE = 1;
}

service Svc {
  rpc Call(Good) returns (Good);
}
'''

EXPECTED_BAD = sorted([
    "bad.proto: kerjasosial.linttest.v1.Undocumented message has no leading "
    "comment",
    "bad.proto: kerjasosial.linttest.v1.Undocumented.d field comment does "
    "not start with Required./Optional./Output only./Immutable.",
    "bad.proto: kerjasosial.linttest.v1.Undocumented.e field has no leading "
    "comment",
    "bad.proto: kerjasosial.linttest.v1.Undocumented.f field comment does "
    "not start with Required./Optional./Output only./Immutable.",
    "bad.proto: kerjasosial.linttest.v1.Colour enum's first value is not "
    "*_UNSPECIFIED = 0",
    "bad.proto: kerjasosial.linttest.v1.Colour.COLOUR_BLUE enum value has no "
    "leading comment",
    "bad.proto: kerjasosial.linttest.v1.Svc service has no leading comment",
    "bad.proto: kerjasosial.linttest.v1.Svc.Call rpc has no leading comment",
])


def self_test(protoc):
    """Checks that the lint reports exactly the planted problems."""
    with tempfile.TemporaryDirectory() as root:
        with open(os.path.join(root, "bad.proto"), "w") as f:
            f.write(BAD_PROTO)
        _, problems = lint_tree(protoc, root)
    got = sorted(problems)
    if got != EXPECTED_BAD:
        print("SELF-TEST FAILED: the lint does not report the planted "
              "problems.\nexpected:\n  %s\ngot:\n  %s" %
              ("\n  ".join(EXPECTED_BAD), "\n  ".join(got)))
        return False
    return True


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proto_root", default=here)
    parser.add_argument("--protoc", default="protoc")
    args = parser.parse_args()

    if not self_test(args.protoc):
        return 1
    files, problems = lint_tree(args.protoc, os.path.abspath(args.proto_root))
    if problems:
        print("%d contract lint problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("proto lint: %d files, no problems" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
