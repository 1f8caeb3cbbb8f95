#include <benchmark/benchmark.h>

#include <string>

#include "danhba/model/event.h"
#include "danhba/model/public.h"
#include "danhba/model/staff_list.h"

namespace danhba::model {
namespace {

std::string Hire(int i) {
  return R"({"id":"hr-2026-)" + std::to_string(i) +
         R"(","type":"hire","decision":{"number":"123/QĐ-SNV","date":"2026-11-20",)"
         R"("issuer":"Sở Nội vụ"},"effective_date":"2026-12-01","person":{"id":"CB)" +
         std::to_string(i) +
         R"(","full_name":"Nguyễn Văn An","birth_date":"1990-05-01","title":"Chuyên viên",)"
         R"("phone":"0251 3822 000","agency":"stttt"}})";
}

std::string Batch(int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) body += (i ? "," : "") + Hire(i);
  return body + "]";
}

// A full batch of the largest size one request may carry.
void BM_ParseEventsBatch(benchmark::State& state) {
  const std::string body = Batch(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto batch = ParseEvents(body);
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_ParseEventsBatch)->Arg(1)->Arg(1000);

void BM_EventToJson(benchmark::State& state) {
  const Event event = ParseEvent(Hire(1)).value();
  for (auto _ : state) benchmark::DoNotOptimize(ToJson(event));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventToJson);

// One page of the people listing (per_page 50), as the public API writes it.
void BM_PersonListingPage(benchmark::State& state) {
  Person p{"annv", "annv@dongnai.gov.vn", "Nguyễn Văn An", "Nguyễn", {"Văn"}, "An",
           "Chuyên viên", {"stttt", "Sở Thông tin và Truyền thông"}, "0251 3822 000"};
  std::string out;
  for (auto _ : state) {
    out.clear();
    out += "{\"items\":[";
    for (int i = 0; i < 50; ++i) {
      if (i) out += ',';
      AppendJson(p, out);
    }
    out += "],\"total\":50,\"page\":1,\"per_page\":50}";
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_PersonListingPage);

void BM_StaffCsv(benchmark::State& state) {
  std::string csv = "Mã cán bộ;Họ và tên;Ngày sinh;Chức vụ;Điện thoại\r\n";
  for (int i = 0; i < 1000; ++i) {
    csv += "CB" + std::to_string(i) + ";NGUYỄN VĂN AN;01/05/1990;Chuyên viên;0251 3822 000\r\n";
  }
  for (auto _ : state) benchmark::DoNotOptimize(ReadStaffCsv(csv));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_StaffCsv);

}  // namespace
}  // namespace danhba::model

BENCHMARK_MAIN();
