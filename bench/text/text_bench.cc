// Throughput of the text module beside reference implementations, in one run:
//   fold:    FoldForSearch vs ICU Transliterator "Any-Latin; Latin-ASCII; Lower"
//   decode:  our table decoders vs glibc iconv (TCVN5712-1, VISCII, WINDOWS-1258)
//   sort:    100,000 people by precomputed sort keys vs by Collator::Compare
// A summary table pairing each with its reference is printed at the end.
#include <benchmark/benchmark.h>
#include <iconv.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "danhba/text/collation.h"
#include "danhba/text/legacy.h"
#include "danhba/text/text.h"
#include "unit/text/names.h"

namespace {

using danhba::text::Encoding;

const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = [] {
    const auto table = danhba::text::testing::LoadNameTable();
    return danhba::text::testing::GenerateNames(table, 100000, 2026);
  }();
  return names;
}

std::string ToNfd(const std::string& s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  std::string out;
  nfd->normalize(icu::UnicodeString::fromUTF8(s), status).toUTF8String(out);
  return out;
}

const std::vector<std::string>& NfdNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < 10000; ++i) out.push_back(ToNfd(Names()[i]));
    return out;
  }();
  return names;
}

// --- Folding --------------------------------------------------------------------

void BM_FoldForSearch(benchmark::State& state) {
  const auto& names = Names();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(danhba::text::FoldForSearch(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FoldForSearch);

void BM_FoldForSearchNfd(benchmark::State& state) {
  const auto& names = NfdNames();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(danhba::text::FoldForSearch(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FoldForSearchNfd);

void BM_FoldWordAppend(benchmark::State& state) {
  const auto& names = Names();
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    danhba::text::AppendFoldWord(names[i], out);
    benchmark::DoNotOptimize(out.data());
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FoldWordAppend);

void BM_FoldNaiveTransliterator(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> fold(
      icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
  if (U_FAILURE(status)) {
    state.SkipWithError("no ICU transliterator");
    return;
  }
  const auto& names = Names();
  std::size_t i = 0;
  for (auto _ : state) {
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(names[i]);
    fold->transliterate(text);
    std::string out;
    text.toUTF8String(out);
    benchmark::DoNotOptimize(out);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FoldNaiveTransliterator);

// --- Clean-up ---------------------------------------------------------------------

void BM_CleanNfc(benchmark::State& state) {
  const auto& names = Names();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(danhba::text::Clean(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CleanNfc);

void BM_CleanNfd(benchmark::State& state) {
  const auto& names = NfdNames();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(danhba::text::Clean(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CleanNfd);

void BM_NormalizeIcuOnly(benchmark::State& state) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  const auto& names = Names();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string out;
    nfc->normalize(icu::UnicodeString::fromUTF8(names[i]), status).toUTF8String(out);
    benchmark::DoNotOptimize(out);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeIcuOnly);

void BM_ProperCase(benchmark::State& state) {
  const auto& names = Names();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(danhba::text::ProperCase(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProperCase);

// The text module's share of the naming rule: clean, proper case, fold.
void BM_CleanProperFold(benchmark::State& state) {
  const auto& names = Names();
  std::size_t i = 0;
  std::string key;
  for (auto _ : state) {
    auto clean = danhba::text::Clean(names[i]);
    std::string proper = danhba::text::ProperCase(*clean);
    key.clear();
    danhba::text::AppendFoldForSearch(proper, key);
    benchmark::DoNotOptimize(key.data());
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CleanProperFold);

// --- Legacy decoding ----------------------------------------------------------------

std::string Corpus(Encoding encoding) {
  std::string text;
  for (const auto& name : Names()) {
    if (text.size() > (1 << 20)) break;
    text += name;
    text += '\n';
  }
  auto encoded = danhba::text::Encode(text, encoding);
  return encoded.ok() ? *encoded : std::string();
}

void BM_Decode(benchmark::State& state, Encoding encoding) {
  const std::string corpus = Corpus(encoding);
  for (auto _ : state) {
    auto decoded = danhba::text::Decode(corpus, encoding);
    if (!decoded.ok()) {
      state.SkipWithError(decoded.error().detail.c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
}
BENCHMARK_CAPTURE(BM_Decode, utf8, Encoding::kUtf8);
BENCHMARK_CAPTURE(BM_Decode, tcvn3, Encoding::kTcvn3);
BENCHMARK_CAPTURE(BM_Decode, vni, Encoding::kVni);
BENCHMARK_CAPTURE(BM_Decode, viscii, Encoding::kViscii);
BENCHMARK_CAPTURE(BM_Decode, cp1258, Encoding::kCp1258);
BENCHMARK_CAPTURE(BM_Decode, tcvn3_mojibake, Encoding::kTcvn3AsCp1252);
BENCHMARK_CAPTURE(BM_Decode, vni_mojibake, Encoding::kVniAsCp1252);

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

// Reference: glibc iconv alone (no NFC, no TCVN3 fixes).
void BM_Iconv(benchmark::State& state, Encoding encoding, const char* charset) {
  const std::string corpus = Corpus(encoding);
  iconv_t raw = iconv_open("UTF-8", charset);
  if (raw == reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1))) {
    state.SkipWithError("iconv_open failed");
    return;
  }
  std::unique_ptr<void, IconvCloser> cd(raw);
  std::string out(corpus.size() * 4, '\0');
  for (auto _ : state) {
    iconv(static_cast<iconv_t>(cd.get()), nullptr, nullptr, nullptr, nullptr);
    char* in_ptr = const_cast<char*>(corpus.data());
    std::size_t in_left = corpus.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    iconv(static_cast<iconv_t>(cd.get()), &in_ptr, &in_left, &out_ptr, &out_left);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
}
BENCHMARK_CAPTURE(BM_Iconv, tcvn3, Encoding::kTcvn3, "TCVN5712-1");
BENCHMARK_CAPTURE(BM_Iconv, viscii, Encoding::kViscii, "VISCII");
BENCHMARK_CAPTURE(BM_Iconv, cp1258, Encoding::kCp1258, "WINDOWS-1258");

void BM_DetectColumn(benchmark::State& state) {
  std::vector<std::string> cells;
  for (std::size_t i = 0; i < 20; ++i)
    cells.push_back(*danhba::text::Encode(Names()[i], Encoding::kVni));
  std::vector<std::string_view> views(cells.begin(), cells.end());
  for (auto _ : state) benchmark::DoNotOptimize(danhba::text::DetectEncoding(views));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DetectColumn);

// --- Collation -----------------------------------------------------------------------

struct Person {
  std::string family, middle, given;
};

const std::vector<Person>& People() {
  static const std::vector<Person> people = [] {
    std::vector<Person> out;
    for (const auto& name : Names()) {
      const auto first = name.find(' ');
      const auto last = name.rfind(' ');
      out.push_back(
          {name.substr(0, first), name.substr(first + 1, last - first - 1), name.substr(last + 1)});
    }
    return out;
  }();
  return people;
}

void BM_Sort100kBySortKey(benchmark::State& state) {
  auto collator = danhba::text::Collator::Vietnamese();
  const auto& people = People();
  for (auto _ : state) {
    std::vector<std::pair<std::string, const Person*>> keyed;
    keyed.reserve(people.size());
    for (const auto& p : people)
      keyed.emplace_back(collator->PersonSortKey(p.given, p.middle, p.family), &p);
    std::sort(keyed.begin(), keyed.end());
    benchmark::DoNotOptimize(keyed.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * people.size()));
}
BENCHMARK(BM_Sort100kBySortKey)->Unit(benchmark::kMillisecond);

void BM_Sort100kByCompare(benchmark::State& state) {
  auto collator = danhba::text::Collator::Vietnamese();
  const auto& people = People();
  for (auto _ : state) {
    std::vector<const Person*> order;
    for (const auto& p : people) order.push_back(&p);
    std::sort(order.begin(), order.end(), [&](const Person* a, const Person* b) {
      if (int c = collator->Compare(a->given, b->given); c != 0) return c < 0;
      if (int c = collator->Compare(a->middle, b->middle); c != 0) return c < 0;
      return collator->Compare(a->family, b->family) < 0;
    });
    benchmark::DoNotOptimize(order.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * people.size()));
}
BENCHMARK(BM_Sort100kByCompare)->Unit(benchmark::kMillisecond);

// --- Summary -------------------------------------------------------------------------

class Collecting : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      Result& r = results_[run.benchmark_name()];
      if (auto it = run.counters.find("items_per_second"); it != run.counters.end())
        r.items = it->second;
      if (auto it = run.counters.find("bytes_per_second"); it != run.counters.end())
        r.bytes = it->second;
      r.ms = run.GetAdjustedRealTime();
    }
  }

  void PrintSummary() const {
    std::printf("\n%-34s %16s %-34s %16s %8s\n", "ours", "", "reference", "", "ratio");
    Pair("BM_FoldForSearch", "BM_FoldNaiveTransliterator", Kind::kItems);
    Pair("BM_FoldForSearchNfd", "BM_FoldNaiveTransliterator", Kind::kItems);
    Pair("BM_CleanNfc", "BM_NormalizeIcuOnly", Kind::kItems);
    Pair("BM_Decode/tcvn3", "BM_Iconv/tcvn3", Kind::kBytes);
    Pair("BM_Decode/viscii", "BM_Iconv/viscii", Kind::kBytes);
    Pair("BM_Decode/cp1258", "BM_Iconv/cp1258", Kind::kBytes);
    Pair("BM_Decode/vni", "BM_Iconv/tcvn3", Kind::kBytes);
    Pair("BM_Sort100kBySortKey", "BM_Sort100kByCompare", Kind::kItems);
  }

 private:
  struct Result {
    double items = 0, bytes = 0, ms = 0;
  };
  enum class Kind { kItems, kBytes };

  void Pair(const std::string& ours, const std::string& reference, Kind kind) const {
    auto a = results_.find(ours);
    auto b = results_.find(reference);
    if (a == results_.end() || b == results_.end()) return;
    const double x = kind == Kind::kItems ? a->second.items / 1e6 : a->second.bytes / 1e6;
    const double y = kind == Kind::kItems ? b->second.items / 1e6 : b->second.bytes / 1e6;
    const char* unit = kind == Kind::kItems ? "M items/s" : "MB/s";
    std::printf("%-34s %9.2f %-6s %-34s %9.2f %-6s %7.1fx\n", ours.c_str(), x, unit,
                reference.c_str(), y, unit, y > 0 ? x / y : 0.0);
  }

  std::map<std::string, Result> results_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Collecting reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
