// Names per second through the whole address rule (clean, NFC, titles, parse,
// fold, build the tencbcc) on one core, beside a naive baseline measured in the
// same run: ICU's "Any-Latin; Latin-ASCII" transliterator on each name, then the
// same split (last word, initials of the others). Target: 1,000,000 names/s.
//
//   naming_bench [names]   (default 200,000 generated names)
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "danhba/naming/address.h"
#include "unit/naming/forms.h"

namespace {

constexpr double kTarget = 1'000'000;

struct Weighted {
  std::string value;
  double weight;
};

// Names drawn by weight from the province's name list: family, middle (men's
// or women's, sometimes two), given.
std::vector<std::string> GenerateNames(std::size_t count) {
  std::ifstream in(DANHBA_SHARED_DIR "/data/vietnamese-names.csv");
  std::vector<Weighted> family, middle_m, middle_f, given_m, given_f;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto c1 = line.find(',');
    const auto c2 = line.find(',', c1 + 1);
    const auto c3 = line.find(',', c2 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    const std::string kind = line.substr(0, c1);
    Weighted w{line.substr(c1 + 1, c2 - c1 - 1),
               std::atof(line.substr(c2 + 1, c3 - c2 - 1).c_str())};
    if (kind == "family") family.push_back(w);
    if (kind == "middle_m") middle_m.push_back(w);
    if (kind == "middle_f") middle_f.push_back(w);
    if (kind == "given_m") given_m.push_back(w);
    if (kind == "given_f") given_f.push_back(w);
  }
  std::mt19937_64 rng(2026);
  auto pick = [&rng](const std::vector<Weighted>& list) -> const std::string& {
    std::vector<double> weights;
    for (const auto& w : list) weights.push_back(w.weight);
    std::discrete_distribution<std::size_t> d(weights.begin(), weights.end());
    return list[d(rng)].value;
  };
  std::vector<std::string> names;
  names.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const bool woman = (rng() & 1) != 0;
    std::string name = pick(family) + " " + pick(woman ? middle_f : middle_m);
    if (rng() % 4 == 0) name += " " + pick(woman ? middle_f : middle_m);
    name += " " + pick(woman ? given_f : given_m);
    names.push_back(std::move(name));
  }
  return names;
}

// Best of `rounds` passes over `names`, in names per second.
template <class F>
double Measure(const std::vector<std::string>& names, int rounds, F&& one) {
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& name : names) one(name);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::max(best, static_cast<double>(names.size()) / took.count());
  }
  return best;
}

// The naive way: transliterate the whole name to ASCII, then split.
class Baseline {
 public:
  Baseline() {
    UErrorCode status = U_ZERO_ERROR;
    transliterator_.reset(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    if (U_FAILURE(status)) {
      std::fprintf(stderr, "ICU transliterator unavailable: %s\n", u_errorName(status));
      std::exit(1);
    }
  }

  std::string LocalPart(const std::string& name) const {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(name);
    transliterator_->transliterate(u);
    std::string ascii;
    u.toUTF8String(ascii);
    std::vector<std::string> words;
    std::string word;
    for (const char c : ascii) {
      if (c == ' ') {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        word.push_back(static_cast<char>(c | 0x20));
      }
    }
    if (!word.empty()) words.push_back(std::move(word));
    if (words.empty()) return "";
    std::string out = words.back();
    for (std::size_t i = 0; i + 1 < words.size(); ++i) out.push_back(words[i][0]);
    return out;
  }

 private:
  std::unique_ptr<icu::Transliterator> transliterator_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
  const auto names = GenerateNames(count);
  std::vector<std::string> nfd;
  nfd.reserve(names.size());
  for (const auto& n : names) nfd.push_back(danhba::naming::testing::ToNfd(n));
  const std::vector<std::string> baseline_names(
      names.begin(), names.begin() + std::min<std::size_t>(names.size(), 20000));

  // The two must agree before their speeds mean anything.
  const Baseline baseline;
  std::size_t mismatches = 0;
  for (const auto& n : baseline_names) {
    auto ours = danhba::naming::AddressFor(n);
    if (!ours.ok() || ours->local_part.value != baseline.LocalPart(n)) ++mismatches;
  }

  std::size_t sink = 0;
  const double full_nfc = Measure(names, 5, [&](const std::string& n) {
    auto r = danhba::naming::AddressFor(n);
    sink += r.ok() ? r->local_part.value.size() : 0;
  });
  std::string out;
  const double append_nfc = Measure(names, 5, [&](const std::string& n) {
    out.clear();
    if (danhba::naming::AppendLocalPart(n, out).ok()) sink += out.size();
  });
  const double append_nfd = Measure(nfd, 5, [&](const std::string& n) {
    out.clear();
    if (danhba::naming::AppendLocalPart(n, out).ok()) sink += out.size();
  });
  const double naive = Measure(baseline_names, 2,
                               [&](const std::string& n) { sink += baseline.LocalPart(n).size(); });

  std::printf("naming_bench: %zu generated names, one core, best of several passes\n\n",
              names.size());
  std::printf("%-46s %14s %10s %10s\n", "what", "names/s", "vs naive", "vs target");
  auto row = [&](const char* what, double rate) {
    std::printf("%-46s %14.0f %9.1fx %9.2fx\n", what, rate, rate / naive, rate / kTarget);
  };
  row("AddressFor (NFC input, full PersonName)", full_nfc);
  row("AppendLocalPart (NFC input)", append_nfc);
  row("AppendLocalPart (NFD input)", append_nfd);
  row("naive: ICU Any-Latin; Latin-ASCII + split", naive);
  std::printf("%-46s %14.0f\n", "target", kTarget);
  std::printf("\nagreement with the naive rule on %zu names: %zu mismatches; checksum %zu\n",
              baseline_names.size(), mismatches, sink);
  return mismatches == 0 ? 0 : 1;
}
