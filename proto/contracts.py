"""Reads the kerjasosial contracts as descriptors, with their custom options.

Shared by proto/lint_test.py (the contract lint) and scripts/gen_access_doc.py
(docs/access.md), so both see the same compiled contracts and the same
reading of `(kerjasosial.common.v1.access)` and `(...taxonomy)`.

The option extensions are made readable by compiling access.proto (and what it
imports) to Python in a temporary directory with the same protoc, so no
generated code is committed. Runs with Debian's /usr/bin/python3 and
python3-protobuf.
"""

import importlib
import os
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf import text_format

ACCESS_PROTO = "kerjasosial/common/v1/access.proto"
POLICY_PROTO = "kerjasosial/common/v1/policy.proto"


def list_protos(proto_root):
    """Every .proto under `proto_root`, relative and sorted."""
    files = []
    for dirpath, _, names in os.walk(proto_root):
        for n in names:
            if n.endswith(".proto"):
                files.append(os.path.relpath(os.path.join(dirpath, n),
                                             proto_root))
    files.sort()
    if not files:
        raise RuntimeError("no .proto files under " + proto_root)
    return files


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


class Options:
    """The generated Python modules of access.proto and policy.proto."""

    _cache = {}

    def __init__(self, access_pb2, policy_pb2):
        self.access_pb2 = access_pb2
        self.policy_pb2 = policy_pb2

    @classmethod
    def load(cls, protoc, proto_root):
        """Compiles access.proto and policy.proto (with their imports) once."""
        key = (protoc, os.path.abspath(proto_root))
        if key in cls._cache:
            return cls._cache[key]
        out = tempfile.mkdtemp(prefix="ks_contracts_py_")
        cmd = [protoc, "-I", proto_root, "--python_out=" + out,
               ACCESS_PROTO, POLICY_PROTO,
               "kerjasosial/common/v1/common.proto", "google/type/date.proto"]
        proc = subprocess.run(cmd, cwd=proto_root, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError("protoc --python_out failed:\n" + proc.stderr)
        sys.path.insert(0, out)
        access = importlib.import_module("kerjasosial.common.v1.access_pb2")
        policy = importlib.import_module("kerjasosial.common.v1.policy_pb2")
        cls._cache[key] = cls(access, policy)
        return cls._cache[key]

    def access_rule(self, method):
        """The AccessRule of a MethodDescriptorProto, or None when absent."""
        opts = descriptor_pb2.MethodOptions()
        opts.ParseFromString(method.options.SerializeToString())
        ext = self.access_pb2.access
        if not opts.HasExtension(ext):
            return None
        return opts.Extensions[ext]

    def taxonomy(self, field):
        """The taxonomy a FieldDescriptorProto names, or ""."""
        opts = descriptor_pb2.FieldOptions()
        opts.ParseFromString(field.options.SerializeToString())
        return opts.Extensions[self.access_pb2.taxonomy]

    def policy_taxonomies(self, policy_path):
        """Taxonomy names present in EVERY version of the policy file.

        "valid_reason" (PolicyVersion.valid_reasons) counts when the version
        has at least one valid reason.
        """
        policy = self.policy_pb2.Policy()
        with open(policy_path) as f:
            text_format.Parse(f.read(), policy)
        names = None
        for v in policy.versions:
            these = {t.name for t in v.taxonomies}
            if v.valid_reasons.reasons:
                these.add("valid_reason")
            names = these if names is None else names & these
        return names or set()
