#include "common/auth/token_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/sha256.h"

namespace ks::auth {
namespace {

constexpr absl::string_view kHeader =
    "# kerjasosial token file — managed by kerjasosial-token.\n"
    "# One token per line, TAB-separated:\n"
    "#   sha256_hex  principal_id  agency  ROLE  regencies\n"
    "# Only the SHA-256 of each token is stored; the token itself is shown\n"
    "# once, when minted. See common/auth/token_file.h.\n";

absl::Status ErrnoError(int err, absl::string_view what,
                        absl::string_view path) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      absl::StrCat(what, " ", path, ": ", std::strerror(err)));
}

// RAII file descriptor: closes on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view data, absl::string_view path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Holds an exclusive flock on "<path>.lock" for the lifetime of the object.
// A separate lock file, because RevokeTokens replaces `path` by rename and a
// lock on the replaced inode would not exclude the next writer.
absl::StatusOr<std::unique_ptr<Fd>> LockTokenFile(const std::string& path) {
  std::string lock_path = path + ".lock";
  auto fd = std::make_unique<Fd>(
      ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd->get() < 0) return ErrnoError(errno, "cannot open", lock_path);
  while (::flock(fd->get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError(errno, "cannot lock", lock_path);
  }
  return fd;
}

bool IsHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

// Strips a trailing CR (a file edited on Windows) and reports whether the
// line carries an entry.
bool IsEntryLine(absl::string_view line) {
  absl::string_view t = absl::StripAsciiWhitespace(line);
  return !t.empty() && t[0] != '#';
}

// Parses one entry line; the error message has no location (the caller adds
// it).
absl::StatusOr<TokenEntry> ParseEntryLine(absl::string_view line) {
  line = absl::StripSuffix(line, "\r");
  std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
  if (fields.size() != 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected 5 TAB-separated fields (sha256_hex principal_id agency ROLE "
        "regencies), found ",
        fields.size()));
  }
  TokenEntry entry;
  if (!IsHex64(fields[0])) {
    return absl::InvalidArgumentError(
        "bad token hash: expected 64 hex digits (SHA-256)");
  }
  entry.sha256_hex = absl::AsciiStrToLower(fields[0]);
  if (!IsValidName(fields[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad principal id '", fields[1],
                     "': expected 1..128 of [A-Za-z0-9._-]"));
  }
  entry.principal.id = std::string(fields[1]);
  if (!IsValidName(fields[2])) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad agency '", fields[2], "': expected 1..128 of [A-Za-z0-9._-]"));
  }
  entry.principal.agency = std::string(fields[2]);
  absl::StatusOr<Role> role = ParseRole(fields[3]);
  if (!role.ok()) return role.status();
  entry.principal.role = *role;
  absl::StatusOr<std::vector<std::string>> scope = ParseRegencyScope(fields[4]);
  if (!scope.ok()) return scope.status();
  entry.principal.regencies = *std::move(scope);
  return entry;
}

absl::Status ValidatePrincipal(const Principal& p) {
  if (!IsValidName(p.id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad principal id '", p.id, "': expected 1..128 of [A-Za-z0-9._-]"));
  }
  if (!IsValidName(p.agency)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad agency '", p.agency, "': expected 1..128 of [A-Za-z0-9._-]"));
  }
  return ParseRegencyScope(p.ScopeString()).status();
}

// Reads `path`; a missing file is an empty token file (the first mint
// creates it).
absl::StatusOr<std::string> ReadIfExists(const std::string& path) {
  absl::StatusOr<std::string> contents = internal::ReadWholeFile(path);
  if (absl::IsNotFound(contents.status())) return std::string();
  return contents;
}

}  // namespace

namespace internal {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError(errno, "cannot open", path);
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace internal

std::string HashToken(absl::string_view token) {
  return crypto::Sha256Hex(token);
}

absl::StatusOr<std::string> GenerateToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("RAND_bytes failed: no secure randomness");
  }
  return absl::StrCat(
      "ks_", absl::WebSafeBase64Escape(absl::string_view(
                 reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<std::vector<TokenEntry>> ParseTokenEntries(
    absl::string_view contents, absl::string_view source) {
  std::vector<TokenEntry> entries;
  absl::flat_hash_map<std::string, int> line_of_hash;
  absl::flat_hash_map<std::string, int> line_of_id;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_no;
    if (!IsEntryLine(line)) continue;
    absl::StatusOr<TokenEntry> entry = ParseEntryLine(line);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_no, ": ", entry.status().message()));
    }
    entry->line = line_no;
    auto [hash_it, new_hash] = line_of_hash.emplace(entry->sha256_hex, line_no);
    if (!new_hash) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", line_no, ": duplicate token hash (also on line ",
          hash_it->second, ")"));
    }
    auto [id_it, new_id] = line_of_id.emplace(entry->principal.id, line_no);
    if (!new_id) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", line_no, ": duplicate principal id '",
          entry->principal.id, "' (also on line ", id_it->second, ")"));
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<TokenEntry>> LoadTokenEntries(
    const std::string& path) {
  absl::StatusOr<std::string> contents = internal::ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  return ParseTokenEntries(*contents, path);
}

std::string FormatTokenEntry(const TokenEntry& entry) {
  return absl::StrCat(entry.sha256_hex, "\t", entry.principal.id, "\t",
                      entry.principal.agency, "\t",
                      RoleName(entry.principal.role), "\t",
                      entry.principal.ScopeString());
}

absl::StatusOr<std::string> MintToken(const std::string& path,
                                      const Principal& principal) {
  absl::Status valid = ValidatePrincipal(principal);
  if (!valid.ok()) return valid;
  absl::StatusOr<std::unique_ptr<Fd>> lock = LockTokenFile(path);
  if (!lock.ok()) return lock.status();

  absl::StatusOr<std::string> contents = ReadIfExists(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<std::vector<TokenEntry>> existing =
      ParseTokenEntries(*contents, path);
  if (!existing.ok()) return existing.status();
  for (const TokenEntry& e : *existing) {
    if (e.principal.id == principal.id) {
      return absl::AlreadyExistsError(absl::StrCat(
          "principal '", principal.id, "' already has a token (line ", e.line,
          "); revoke it first or choose another id"));
    }
  }

  absl::StatusOr<std::string> token = GenerateToken();
  if (!token.ok()) return token.status();
  TokenEntry entry;
  entry.sha256_hex = HashToken(*token);
  entry.principal = principal;

  std::string out;
  if (contents->empty()) absl::StrAppend(&out, kHeader);
  // Never glue the new line onto a last line written without a newline.
  if (!contents->empty() && contents->back() != '\n') out.push_back('\n');
  absl::StrAppend(&out, FormatTokenEntry(entry), "\n");

  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return ErrnoError(errno, "cannot open", path);
  absl::Status written = WriteAll(fd.get(), out, path);
  if (!written.ok()) return written;
  // The token is shown once; it must not be lost to a crash after printing.
  if (::fsync(fd.get()) != 0) return ErrnoError(errno, "cannot fsync", path);
  return token;
}

absl::Status RevokeTokens(const std::string& path,
                          absl::string_view principal_id) {
  absl::StatusOr<std::unique_ptr<Fd>> lock = LockTokenFile(path);
  if (!lock.ok()) return lock.status();
  absl::StatusOr<std::string> contents = internal::ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  // Validate the whole file first: never rewrite a file we do not understand.
  absl::StatusOr<std::vector<TokenEntry>> entries =
      ParseTokenEntries(*contents, path);
  if (!entries.ok()) return entries.status();

  std::string kept;
  bool found = false;
  std::vector<absl::string_view> lines = absl::StrSplit(*contents, '\n');
  // A trailing newline yields one empty last piece; do not double it.
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (absl::string_view line : lines) {
    if (IsEntryLine(line)) {
      absl::StatusOr<TokenEntry> e = ParseEntryLine(line);
      if (e.ok() && e->principal.id == principal_id) {
        found = true;
        continue;
      }
    }
    absl::StrAppend(&kept, line, "\n");
  }
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("no principal '", principal_id, "' in ", path));
  }

  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return ErrnoError(errno, "cannot stat", path);
  std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                 st.st_mode & 07777));
    if (fd.get() < 0) return ErrnoError(errno, "cannot create", tmp);
    absl::Status written = WriteAll(fd.get(), kept, tmp);
    if (written.ok() && ::fsync(fd.get()) != 0) {
      written = ErrnoError(errno, "cannot fsync", tmp);
    }
    if (!written.ok()) {
      ::unlink(tmp.c_str());
      return written;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError(err, "cannot replace", path);
  }
  return absl::OkStatus();
}

}  // namespace ks::auth
