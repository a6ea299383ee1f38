#!/usr/bin/python3
"""Lints the kerjasosial contracts: the comments are the API reference.

Compiles every .proto under the proto root with `protoc --include_source_info
--descriptor_set_out` and, for every element of a `kerjasosial.` package,
fails listing:
  * a message, field, enum, enum value, service or rpc without a leading
    comment;
  * an enum whose first value is not `<SOMETHING>_UNSPECIFIED = 0`;
  * a field whose comment does not start with "Required.", "Optional.",
    "Output only." or "Immutable." (a oneof member may start with "One of");
  * an rpc without the `(kerjasosial.common.v1.access)` option, or whose rule
    has no grant, a grant without a role or a scope, a relation on a grant
    whose scope is not ACCESS_SCOPE_RELATION, or an ACCESS_SCOPE_RELATION
    grant without a relation;
  * a mutating request without `request_id`, a non-create mutation without
    `etag`, a List without `page_size`/`page_token` in its request or
    `next_page_token` in its response (see METHOD RULES below);
  * a `(kerjasosial.common.v1.taxonomy)` field option naming a taxonomy that
    is not in every version of data/policy/default.textproto, or set on a
    field that is not a string.

METHOD RULES. A method is a read when its name starts with one of READ_VERBS
(Get, List, Stream, Suggest, Compare, Rank, Export, Search, Verify, Plan):
reads carry no `request_id`. Every other method mutates and its request carries
`request_id`. A mutation is a create when its request addresses a collection
(it has no `name` and no `update_mask` field); every other mutation addresses
an existing resource and carries `etag`.

Before linting the tree it lints a small bad contract and checks that every
planted problem is reported and nothing else, so a lint that silently stops
finding problems fails too.

Usage: lint_test.py [--proto_root DIR] [--protoc PATH] [--policy FILE]
Runs with Debian's /usr/bin/python3 and python3-protobuf.
"""

import argparse
import os
import shutil
import sys
import tempfile

from google.protobuf import descriptor_pb2

import contracts

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
READ_VERBS = ("Get", "List", "Stream", "Suggest", "Compare", "Rank", "Export",
              "Search", "Verify", "Plan")
TYPE_STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
ONEOF_PREFIX = "One of"


def comments_by_path(file_proto):
    """Maps a SourceCodeInfo path (tuple) to its stripped leading comment."""
    result = {}
    for loc in file_proto.source_code_info.location:
        result[tuple(loc.path)] = loc.leading_comments.strip()
    return result


def verb(method_name):
    """The leading CamelCase word of a method name ("ListCases" -> "List")."""
    for i in range(1, len(method_name)):
        if method_name[i].isupper():
            return method_name[:i]
    return method_name


def lint_access(rule, opts, where_rpc):
    """Problems of one rpc's AccessRule (None when the option is missing)."""
    if rule is None:
        return ["%s has no (kerjasosial.common.v1.access) option" % where_rpc]
    problems = []
    a = opts.access_pb2
    if not rule.grants:
        problems.append("%s access rule has no grant" % where_rpc)
    for i, g in enumerate(rule.grants):
        at = "%s access grant %d" % (where_rpc, i)
        if not g.roles:
            problems.append(at + " has no role")
        if g.scope == a.ACCESS_SCOPE_UNSPECIFIED:
            problems.append(at + " has no scope")
        if g.scope == a.ACCESS_SCOPE_RELATION:
            if g.relation == a.ACCESS_RELATION_UNSPECIFIED:
                problems.append(at + " has scope RELATION but no relation")
        elif g.relation != a.ACCESS_RELATION_UNSPECIFIED:
            problems.append(at + " has a relation but scope is not RELATION")
    return problems


def lint_method_shape(method, messages, where_rpc):
    """request_id / etag / pagination problems of one rpc."""
    problems = []
    request = messages.get(method.input_type)
    response = messages.get(method.output_type)
    if request is None:
        return problems  # a message of another package (e.g. Empty)
    fields = {f.name for f in request.field}
    v = verb(method.name)
    if v not in READ_VERBS:
        if "request_id" not in fields:
            problems.append("%s mutates but %s has no request_id" %
                            (where_rpc, method.input_type.lstrip(".")))
        is_create = "name" not in fields and "update_mask" not in fields
        if not is_create and "etag" not in fields:
            problems.append("%s changes an existing resource but %s has no "
                            "etag" % (where_rpc, method.input_type.lstrip(".")))
    if v == "List":
        for need in ("page_size", "page_token"):
            if need not in fields:
                problems.append("%s lists but %s has no %s" %
                                (where_rpc, method.input_type.lstrip("."),
                                 need))
        if response is not None and "next_page_token" not in {
                f.name for f in response.field}:
            problems.append("%s lists but %s has no next_page_token" %
                            (where_rpc, method.output_type.lstrip(".")))
    return problems


def lint_file(fp, opts, messages, taxonomies):
    """Returns a list of problem strings for one FileDescriptorProto.

    `messages` maps ".pkg.Message" to every DescriptorProto of the set;
    `taxonomies` is the set of taxonomy names of the policy.
    """
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
            tax = opts.taxonomy(field)
            if tax and tax not in taxonomies:
                problems.append("%s names taxonomy \"%s\", which the policy "
                                "does not define" % (where(fname), tax))
            if tax and field.type != TYPE_STRING:
                problems.append("%s has a taxonomy option but is not a "
                                "string" % where(fname))
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
            rpc = full + "." + method.name
            need_comment(spath + [SERVICE_METHOD, j], "rpc", rpc)
            problems.extend(lint_access(opts.access_rule(method), opts,
                                        where(rpc) + " rpc"))
            problems.extend(lint_method_shape(method, messages,
                                              where(rpc) + " rpc"))
    return problems


def index_messages(fds):
    """Maps ".package.Message" (nested too) to its DescriptorProto."""
    out = {}

    def add(prefix, msg):
        out[prefix + msg.name] = msg
        for nested in msg.nested_type:
            add(prefix + msg.name + ".", nested)

    for fp in fds.file:
        for msg in fp.message_type:
            add("." + fp.package + ".", msg)
    return out


def lint_tree(protoc, proto_root, opts, taxonomies):
    files = contracts.list_protos(proto_root)
    fds = contracts.compile_descriptors(protoc, proto_root, files)
    messages = index_messages(fds)
    problems = []
    for fp in fds.file:
        problems.extend(lint_file(fp, opts, messages, taxonomies))
    return files, problems


BAD_PROTO = '''syntax = "proto3";
package kerjasosial.linttest.v1;

import "kerjasosial/common/v1/access.proto";

// Documented.
message Good {
  // Required. Fine.
  string a = 1 [(kerjasosial.common.v1.taxonomy) = "known"];
  // One of. Fine in a oneof.
  oneof choice {
    // One of. The first choice.
    string b = 2;
    // Output only. Also fine in a oneof.
    string c = 3 [(kerjasosial.common.v1.taxonomy) = "unknown"];
  }
  // Optional. A taxonomy on a number.
  int32 g = 4 [(kerjasosial.common.v1.taxonomy) = "known"];
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

// A mutation of an existing resource.
message SetThingRequest {
  // Required. Resource name.
  string name = 1;
}

// A list request without a page token.
message ListThingsRequest {
  // Optional. Page size.
  int32 page_size = 1;
}

// A list response without a next page token.
message ListThingsResponse {
  // Output only. Things.
  repeated Good things = 1;
}

// A create with its request_id.
message CreateThingRequest {
  // Required. Parent.
  string parent = 1;
  // Required. Idempotency key.
  string request_id = 2;
}

service Svc {
  rpc Call(Good) returns (Good);
}

// Documented service.
service Documented {
  // No grant.
  rpc GetThing(Good) returns (Good) {
    option (kerjasosial.common.v1.access) = { personal_data: true };
  }
  // A grant without role, a relation without RELATION scope.
  rpc SetThing(SetThingRequest) returns (Good) {
    option (kerjasosial.common.v1.access) = {
      grants { scope: ACCESS_SCOPE_RESOURCE_REGENCY relation: ACCESS_RELATION_SITE_STAFF }
    };
  }
  // RELATION without a relation, and no scope.
  rpc ListThings(ListThingsRequest) returns (ListThingsResponse) {
    option (kerjasosial.common.v1.access) = {
      grants { roles: [ROLE_JAKSA] scope: ACCESS_SCOPE_RELATION }
      grants { roles: [ROLE_JAKSA] }
    };
  }
  // Correct in every respect.
  rpc CreateThing(CreateThingRequest) returns (Good) {
    option (kerjasosial.common.v1.access) = {
      grants { roles: [ROLE_PK_BAPAS] scope: ACCESS_SCOPE_RELATION relation: ACCESS_RELATION_ASSIGNED_PK }
    };
  }
}
'''

_B = "bad.proto: kerjasosial.linttest.v1."
EXPECTED_BAD = sorted([
    _B + "Good.c names taxonomy \"unknown\", which the policy does not "
    "define",
    _B + "Good.g has a taxonomy option but is not a string",
    _B + "Undocumented message has no leading comment",
    _B + "Undocumented.d field comment does not start with Required./"
    "Optional./Output only./Immutable.",
    _B + "Undocumented.e field has no leading comment",
    _B + "Undocumented.f field comment does not start with Required./"
    "Optional./Output only./Immutable.",
    _B + "Colour enum's first value is not *_UNSPECIFIED = 0",
    _B + "Colour.COLOUR_BLUE enum value has no leading comment",
    _B + "Svc service has no leading comment",
    _B + "Svc.Call rpc has no leading comment",
    _B + "Svc.Call rpc has no (kerjasosial.common.v1.access) option",
    _B + "Svc.Call rpc mutates but kerjasosial.linttest.v1.Good has no "
    "request_id",
    _B + "Documented.GetThing rpc access rule has no grant",
    _B + "Documented.SetThing rpc access grant 0 has no role",
    _B + "Documented.SetThing rpc access grant 0 has a relation but scope is "
    "not RELATION",
    _B + "Documented.SetThing rpc mutates but "
    "kerjasosial.linttest.v1.SetThingRequest has no request_id",
    _B + "Documented.SetThing rpc changes an existing resource but "
    "kerjasosial.linttest.v1.SetThingRequest has no etag",
    _B + "Documented.ListThings rpc access grant 0 has scope RELATION but no "
    "relation",
    _B + "Documented.ListThings rpc access grant 1 has no scope",
    _B + "Documented.ListThings rpc lists but "
    "kerjasosial.linttest.v1.ListThingsRequest has no page_token",
    _B + "Documented.ListThings rpc lists but "
    "kerjasosial.linttest.v1.ListThingsResponse has no next_page_token",
])


def self_test(protoc, proto_root, opts):
    '''Checks that the lint reports exactly the planted problems.

    The planted contract imports the real access.proto (copied with what it
    imports), and its taxonomy set is {"known"}.
    '''
    with tempfile.TemporaryDirectory() as root:
        for rel in (contracts.ACCESS_PROTO,
                    "kerjasosial/common/v1/common.proto",
                    "google/type/date.proto"):
            os.makedirs(os.path.join(root, os.path.dirname(rel)),
                        exist_ok=True)
            shutil.copy(os.path.join(proto_root, rel), os.path.join(root, rel))
        with open(os.path.join(root, "bad.proto"), "w") as f:
            f.write(BAD_PROTO)
        _, problems = lint_tree(protoc, root, opts, {"known"})
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
    parser.add_argument("--policy", default=os.path.join(
        here, "..", "data", "policy", "default.textproto"))
    args = parser.parse_args()

    root = os.path.abspath(args.proto_root)
    opts = contracts.Options.load(args.protoc, root)
    if not self_test(args.protoc, root, opts):
        return 1
    taxonomies = opts.policy_taxonomies(args.policy)
    files, problems = lint_tree(args.protoc, root, opts, taxonomies)
    if problems:
        print("%d contract lint problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("proto lint: %d files, no problems" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
