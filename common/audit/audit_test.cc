#include "common/audit/audit.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/redis_server.h"
#include "gtest/gtest.h"

namespace ks::audit {
namespace {

using kerjasosial::common::v1::AuditEntry;

constexpr absl::string_view kPrefix = "ks:{test}:";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    redis::Options o;
    o.host = server_.host();
    o.port = server_.port();
    o.command_timeout = absl::Seconds(10);
    pool_ = std::make_unique<redis::Pool>(o);
  }

  Record MakeRecord(int i) {
    Record r;
    r.principal_id = absl::StrCat("user-", i);
    r.role = "JAKSA";
    r.agency = "kejari-64.01";
    r.method = "/kerjasosial.cases.v1.Cases/UpdateCase";
    // Separators and non-ASCII bytes inside fields must not confuse the
    // encoding.
    r.resource_name =
        absl::StrCat("regencies/64.01/cases/c", i, ":,", "\xc3\xa9");
    r.time = absl::FromUnixSeconds(1700000000 + i) + absl::Nanoseconds(i * 7);
    r.peer = "ipv4:127.0.0.1:5555";
    r.request_id = absl::StrCat("req-", i);
    return r;
  }

  void AppendN(int n) {
    for (int i = 1; i <= n; ++i) {
      absl::StatusOr<AuditEntry> e = Append(*pool_, kPrefix, MakeRecord(i));
      ASSERT_TRUE(e.ok()) << e.status();
      ASSERT_EQ(e->sequence(), i);
    }
  }

  // Rewrites the whole log (same ids) with `edit` applied to each entry's
  // field list: what someone with write access to Redis could do.
  void RewriteLog(
      const std::function<void(int64_t, std::vector<std::string>&)>& edit) {
    absl::StatusOr<redis::Reply> all =
        pool_->Command({"XRANGE", LogKey(kPrefix), "-", "+"});
    ASSERT_TRUE(all.ok());
    ASSERT_TRUE(pool_->Command({"DEL", LogKey(kPrefix)}).ok());
    int64_t seq = 0;
    for (const redis::Reply& e : all->elements) {
      ++seq;
      std::vector<std::string> fields;
      for (const redis::Reply& f : e.elements[1].elements) {
        fields.push_back(f.str);
      }
      edit(seq, fields);
      std::vector<std::string> cmd = {"XADD", LogKey(kPrefix),
                                      e.elements[0].str};
      cmd.insert(cmd.end(), fields.begin(), fields.end());
      ASSERT_TRUE(pool_->Command(cmd).ok());
    }
  }

  static void SetField(std::vector<std::string>& fields, absl::string_view name,
                       std::string value) {
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i] == name) fields[i + 1] = std::move(value);
    }
  }
  static std::string GetField(const std::vector<std::string>& fields,
                              absl::string_view name) {
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i] == name) return fields[i + 1];
    }
    return "";
  }

  ks::testing::RedisServer server_;
  std::unique_ptr<redis::Pool> pool_;
};

TEST_F(AuditTest, LuaSha256EqualsOpenSsl) {
  const redis::Script script(
      absl::StrCat(LuaLibrary(), "\nreturn ks_sha256(ARGV[1])"));
  std::vector<std::string> inputs = {"", "abc"};
  for (int n : {1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000}) {
    inputs.push_back(std::string(n, 'a' + n % 26));
  }
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  inputs.push_back(all_bytes);
  std::string long_input;
  for (int i = 0; i < 100000; ++i)
    long_input.push_back(static_cast<char>(i * 31));
  inputs.push_back(long_input);
  for (const std::string& input : inputs) {
    absl::StatusOr<redis::Reply> r = pool_->Eval(script, {}, {input});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->str, Sha256Hex(input)) << "input length " << input.size();
  }
  // FIPS 180-4 reference values, so both sides are not wrong together.
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CanonicalEncodingTest, LinksPreviousHashContentDigestAndSequence) {
  AuditEntry e;
  e.set_sequence(12);
  e.set_principal_id("p1");
  e.set_role("JAKSA");
  e.set_agency("");
  e.set_method("/m");
  e.set_resource_name("a:b,c");
  e.mutable_time()->set_seconds(1700000000);
  e.mutable_time()->set_nanos(5);
  e.set_peer("ipv4:1.2.3.4:5");
  e.set_request_id("r");
  e.set_previous_hash(std::string(64, 'a'));
  const std::string content_digest = Sha256Hex(
      "2:p1,5:JAKSA,0:,2:/m,5:a:b,c,20:1700000000.000000005,"
      "14:ipv4:1.2.3.4:5,1:r,");
  EXPECT_EQ(
      CanonicalEncoding(e),
      std::string(32, '\xaa') + absl::HexStringToBytes(content_digest) + "12");
}

TEST(CanonicalEncodingTest, RecordArgsCarryTheContentDigest) {
  Record r{"p1",
           "JAKSA",
           "",
           "/m",
           "a:b,c",
           absl::FromUnixNanos(1700000000000000005),
           "ipv4:1.2.3.4:5",
           "r"};
  std::vector<std::string> args = RecordArgs(r);
  ASSERT_EQ(args.size(), static_cast<size_t>(kRecordArgCount));
  EXPECT_EQ(args[8],
            Sha256Hex("2:p1,5:JAKSA,0:,2:/m,5:a:b,c,"
                      "20:1700000000.000000005,14:ipv4:1.2.3.4:5,1:r,"));
}

TEST_F(AuditTest, ChainOfWritesVerifiesAndLists) {
  AppendN(25);
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->entries_checked, 25);
  EXPECT_EQ(report->first_broken_sequence, 0);
  EXPECT_EQ(report->reason, "");

  absl::StatusOr<std::vector<AuditEntry>> listed =
      List(*pool_, kPrefix, 0, 100);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 25u);
  std::string previous(64, '0');
  for (int i = 0; i < 25; ++i) {
    const AuditEntry& e = (*listed)[i];
    EXPECT_EQ(e.sequence(), i + 1);
    EXPECT_EQ(e.principal_id(), absl::StrCat("user-", i + 1));
    EXPECT_EQ(e.time().seconds(), 1700000000 + i + 1);
    EXPECT_EQ(e.time().nanos(), (i + 1) * 7);
    EXPECT_EQ(e.previous_hash(), previous);
    // The hash made in Lua equals OpenSSL's over the documented encoding.
    EXPECT_EQ(e.hash(), Sha256Hex(CanonicalEncoding(e)));
    previous = e.hash();
  }
  listed = List(*pool_, kPrefix, 20, 3);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].sequence(), 21);
  EXPECT_EQ((*listed)[2].sequence(), 23);
  EXPECT_EQ(server_.Cli("HGET ks:{test}:audit:head seq"), "25\n");
}

TEST_F(AuditTest, EmptyTrailIsIntact) {
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 0);
  EXPECT_EQ(report->first_broken_sequence, 0);
}

TEST_F(AuditTest, TamperedFieldIsReportedAtThatEntry) {
  AppendN(10);
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq == 7) SetField(f, "principal_id", "someone-else");
  });
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 7);
  EXPECT_EQ(report->entries_checked, 6);
  EXPECT_EQ(report->reason, "entry 7 does not match its hash");
}

TEST_F(AuditTest, TamperedEntryWithRecomputedHashBreaksTheNextLink) {
  AppendN(10);
  RewriteLog([](int64_t seq, std::vector<std::string>& f) {
    if (seq != 4) return;
    SetField(f, "method", "/kerjasosial.cases.v1.Cases/GetCase");
    AuditEntry e;
    e.set_sequence(seq);
    e.set_principal_id(GetField(f, "principal_id"));
    e.set_role(GetField(f, "role"));
    e.set_agency(GetField(f, "agency"));
    e.set_method(GetField(f, "method"));
    e.set_resource_name(GetField(f, "resource_name"));
    std::string t = GetField(f, "time");
    e.mutable_time()->set_seconds(std::stoll(t.substr(0, t.find('.'))));
    e.mutable_time()->set_nanos(std::stoi(t.substr(t.find('.') + 1)));
    e.set_peer(GetField(f, "peer"));
    e.set_request_id(GetField(f, "request_id"));
    e.set_previous_hash(GetField(f, "previous_hash"));
    SetField(f, "hash", Sha256Hex(CanonicalEncoding(e)));
  });
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 5);
  EXPECT_EQ(report->reason, "entry 5 does not link to the previous entry");
}

TEST_F(AuditTest, DeletedEntryIsReported) {
  AppendN(10);
  EXPECT_EQ(server_.Cli("XDEL ks:{test}:audit:log 5-0"), "1\n");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_broken_sequence, 5);
  EXPECT_EQ(report->entries_checked, 4);
  EXPECT_TRUE(absl::StartsWith(report->reason, "entry 5 is missing"))
      << report->reason;
}

TEST_F(AuditTest, DeletedLastEntryIsReportedByTheHead) {
  AppendN(10);
  EXPECT_EQ(server_.Cli("XDEL ks:{test}:audit:log 10-0"), "1\n");
  absl::StatusOr<VerifyReport> report = Verify(*pool_, kPrefix);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_checked, 9);
  EXPECT_EQ(report->first_broken_sequence, 10);
  EXPECT_EQ(report->reason, "entries 10..10 are missing");
}

TEST_F(AuditTest, WrongTypeIsReportedBeforeAnyWrite) {
  ASSERT_TRUE(pool_->Command({"SET", LogKey(kPrefix), "x"}).ok());
  absl::StatusOr<AuditEntry> e = Append(*pool_, kPrefix, MakeRecord(1));
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(e.status().message(), "holds a string"))
      << e.status();
  EXPECT_EQ(server_.Cli("EXISTS ks:{test}:audit:head"), "0\n");
}

}  // namespace
}  // namespace ks::audit
