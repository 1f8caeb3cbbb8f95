// Helpers shared by the ingest tests (unit, integration) and the benchmark:
// a temporary directory and sample events.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace danhba::api::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("danhba-ingest-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A valid hire into `agency`, effective on `effective_date` (empty: at once).
inline std::string HireJson(const std::string& id, const std::string& agency = "stttt",
                            const std::string& effective_date = {}) {
  std::string json =
      R"({"id":")" + id + R"(","type":"hire",)" +
      R"("decision":{"number":"123/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"},)";
  if (!effective_date.empty()) json += R"("effective_date":")" + effective_date + R"(",)";
  json += R"("person":{"id":"CB-)" + id +
          R"(","full_name":"Nguyễn Văn An","birth_date":"1990-05-01",)" +
          R"("title":"Chuyên viên","agency":")" + agency + R"("}})";
  return json;
}

// A leave of person `person_id`.
inline std::string LeaveJson(const std::string& id, const std::string& person_id) {
  return R"({"id":")" + id + R"(","type":"leave",)" +
         R"("decision":{"number":"9/QĐ-SNV","date":"2026-11-20","issuer":"Sở Nội vụ"},)" +
         R"("person":{"id":")" + person_id + R"("}})";
}

}  // namespace danhba::api::testing
