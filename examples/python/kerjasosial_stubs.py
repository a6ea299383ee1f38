"""Python stubs of kerjasosial's contracts, generated from proto/ on first use.

The contracts in proto/ are the API; a partner system should not vendor a
copy of generated code that drifts from them. `load()` compiles the .proto
files it needs into a cache directory with Debian's protoc and
grpc_python_plugin (packages protobuf-compiler and protobuf-compiler-grpc,
the same versions the C++ services are built with), then imports them.

Why not python3-grpc-tools: Debian 12 ships grpc-tools 1.14.1, whose bundled
protoc (3.6) predates proto3 `optional`, which the contracts use. When a
newer grpc_tools is importable it is used instead of the two binaries.
"""

import glob
import hashlib
import importlib
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))


def _sources(proto_root):
    files = []
    for sub in ("kerjasosial", "google"):
        files += glob.glob(os.path.join(proto_root, sub, "**", "*.proto"),
                           recursive=True)
    return sorted(os.path.relpath(f, proto_root) for f in files)


def _fingerprint(proto_root, files):
    h = hashlib.sha256()
    for f in files:
        h.update(f.encode())
        with open(os.path.join(proto_root, f), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def _protoc_command(proto_root, out_dir, files):
    try:
        from grpc_tools import protoc  # noqa: F401 (only probing)
        import grpc_tools
        version = getattr(grpc_tools, "__version__", "0")
        if tuple(int(x) for x in version.split(".")[:2]) >= (1, 32):
            return [sys.executable, "-m", "grpc_tools.protoc",
                    "-I" + proto_root, "--python_out=" + out_dir,
                    "--grpc_python_out=" + out_dir] + files
    except (ImportError, ValueError):
        pass
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if not protoc or not plugin:
        raise RuntimeError(
            "need protoc and grpc_python_plugin: "
            "apt-get install protobuf-compiler protobuf-compiler-grpc")
    return [protoc, "-I" + proto_root, "--python_out=" + out_dir,
            "--grpc_python_out=" + out_dir,
            "--plugin=protoc-gen-grpc_python=" + plugin] + files


def load(proto_root=DEFAULT_PROTO_ROOT, cache_dir=None):
    """Generates (if stale) and puts the stubs on sys.path; returns their dir.

    The cache is keyed by a hash of the .proto files, so a changed contract
    regenerates and two versions never mix.
    """
    files = _sources(proto_root)
    if not files:
        raise RuntimeError("no .proto files under " + proto_root)
    cache_dir = cache_dir or os.environ.get(
        "KS_STUBS_DIR",
        os.path.join(os.path.expanduser("~"), ".cache", "kerjasosial-stubs"))
    out_dir = os.path.join(cache_dir, _fingerprint(proto_root, files))
    if not os.path.exists(os.path.join(out_dir, ".complete")):
        tmp = out_dir + ".tmp%d" % os.getpid()
        os.makedirs(tmp, exist_ok=True)
        subprocess.run(_protoc_command(proto_root, tmp, files), check=True)
        open(os.path.join(tmp, ".complete"), "w").close()
        try:
            os.rename(tmp, out_dir)
        except OSError:  # another process won the race: use its copy
            shutil.rmtree(tmp, ignore_errors=True)
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    importlib.invalidate_caches()
    return out_dir
