#include <unicode/uchar.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "danhba/text/legacy.h"
#include "danhba/text/syllable.h"
#include "text/utf8.h"

namespace danhba::text {
namespace {

constexpr std::size_t kMaxCells = 1000;
constexpr int kMinEvidence = 3;     // words with a Vietnamese letter under the winner
constexpr double kMinScore = 0.7;   // share of the winner's words that are syllables
constexpr double kMinMargin = 0.2;  // over the best candidate that reads differently

struct Tally {
  Encoding encoding;
  int words = 0;
  int valid = 0;
  int vietnamese = 0;  // words holding a letter outside ASCII
  int failed_cells = 0;
  std::size_t fingerprint = 0;
  double Score() const { return words == 0 ? 0 : static_cast<double>(valid) / words; }
};

bool HasHighByte(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

int RawWordCount(std::string_view s) {
  int words = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words > 0 ? words : 1;
}

void CountWords(std::string_view text, Tally& tally) {
  std::size_t start = std::string_view::npos;
  bool non_ascii = false;
  auto finish = [&](std::size_t end) {
    if (start == std::string_view::npos) return;
    ++tally.words;
    if (non_ascii) ++tally.vietnamese;
    if (IsVietnameseSyllable(text.substr(start, end - start))) ++tally.valid;
    start = std::string_view::npos;
    non_ascii = false;
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = internal::DecodeUtf8(text, i, cp);
    if (n == 0) n = 1;
    const auto c = static_cast<UChar32>(cp);
    const bool word_char = u_isalpha(c) || u_charType(c) == U_NON_SPACING_MARK;
    if (word_char) {
      if (start == std::string_view::npos) start = i;
      non_ascii = non_ascii || cp >= 0x80;
    } else {
      finish(i);
    }
    i += n;
  }
  finish(text.size());
}

std::string Describe(const Tally& t) {
  return std::string(EncodingName(t.encoding)) + " (" + std::to_string(t.valid) + " of " +
         std::to_string(t.words) + " words are Vietnamese syllables" +
         (t.failed_cells > 0 ? ", " + std::to_string(t.failed_cells) + " cells unreadable" : "") +
         ")";
}

}  // namespace

Detection DetectEncoding(std::span<const std::string_view> cells) {
  std::vector<std::string_view> sample;
  for (std::string_view cell : cells) {
    if (HasHighByte(cell)) sample.push_back(cell);
    if (sample.size() == kMaxCells) break;
  }
  Detection result;
  if (sample.empty()) {
    result.encoding = Encoding::kUtf8;
    result.confidence = 1.0;
    result.decided = true;
    result.reason = "every cell is ASCII, which all encodings read the same way";
    return result;
  }

  std::vector<Tally> tallies;
  for (Encoding encoding : AllEncodings()) {
    Tally tally{encoding};
    std::hash<std::string> hasher;
    for (std::string_view cell : sample) {
      auto decoded = Decode(cell, encoding);
      if (!decoded.ok()) {
        ++tally.failed_cells;
        tally.words += RawWordCount(cell);
        tally.fingerprint = tally.fingerprint * 31 + 1;
        continue;
      }
      CountWords(*decoded, tally);
      tally.fingerprint = tally.fingerprint * 1000003 ^ hasher(*decoded);
    }
    tallies.push_back(tally);
  }

  // Highest score wins; ties go to the earlier (more common) encoding.
  const Tally* best = &tallies.front();
  for (const Tally& t : tallies) {
    if (t.Score() > best->Score()) best = &t;
  }
  const Tally* runner_up = nullptr;
  for (const Tally& t : tallies) {
    if (&t == best || t.fingerprint == best->fingerprint) continue;  // reads the same
    if (runner_up == nullptr || t.Score() > runner_up->Score()) runner_up = &t;
  }
  const double score = best->Score();
  const double margin = score - (runner_up != nullptr ? runner_up->Score() : 0.0);

  result.encoding = best->encoding;
  const double evidence = std::min(1.0, best->vietnamese / 10.0);
  result.confidence = std::max(0.0, std::min(1.0, score * evidence * std::min(1.0, margin / 0.4)));
  result.reason = "best " + Describe(*best);
  if (runner_up != nullptr) result.reason += "; next " + Describe(*runner_up);

  if (best->vietnamese < kMinEvidence) {
    result.reason = "too little text to tell: " + std::to_string(best->vietnamese) +
                    " words with Vietnamese letters (need " + std::to_string(kMinEvidence) + "); " +
                    result.reason;
  } else if (score < kMinScore) {
    result.reason = "no encoding reads this as Vietnamese: " + result.reason;
  } else if (margin < kMinMargin) {
    result.reason = "two encodings read this almost equally well: " + result.reason;
  } else {
    result.decided = true;
  }
  return result;
}

}  // namespace danhba::text
