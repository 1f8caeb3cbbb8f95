#include "danhba/ops/report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "danhba/base/clock.h"
#include "danhba/base/strings.h"

namespace danhba::ops {
namespace {

using Json = nlohmann::ordered_json;

bool ActiveAt(const ReportPerson& p, const model::Date& day) {
  // At the end of `day`.
  return p.created && *p.created <= day && (!p.left || *p.left > day);
}

bool In(const model::Date& day, const model::Date& from, const model::Date& to) { return from <= day && day <= to; }

model::Date DayBefore(const model::Date& day) {
  return model::Date::FromSysDays(day.ToSysDays() - std::chrono::days(1));
}

model::Date EndOfMonth(int year, int month) {
  using namespace std::chrono;
  year_month_day_last last{std::chrono::year(year) / std::chrono::month(static_cast<unsigned>(month)) / std::chrono::last};
  return model::Date::FromSysDays(sys_days(last));
}

// The uid of a subject DN: "uid=annv,ou=people,..." gives "annv".
std::string UidOf(const std::string& dn) {
  if (dn.size() < 4) return "";
  if (AsciiLower(dn.substr(0, 4)) != "uid=") return "";
  std::size_t comma = dn.find(',');
  return dn.substr(4, comma == std::string::npos ? std::string::npos : comma - 4);
}

// A rejection reason without what is specific to one event (numbers,
// addresses, quoted values), so that reasons can be counted.
std::string ReasonKind(const std::string& reason) {
  std::string out;
  bool in_quote = false;
  for (std::size_t i = 0; i < reason.size(); ++i) {
    char c = reason[i];
    if (c == '\'' || c == '"') {
      if (!in_quote) out += "…";
      in_quote = !in_quote;
      continue;
    }
    if (in_quote) continue;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || out.back() != 'N') out += 'N';
      continue;
    }
    out += c;
  }
  // Addresses: "annv@dongnai.gov.vn" becomes "…@dongnai.gov.vn".
  for (std::size_t at = out.find('@'); at != std::string::npos; at = out.find('@', at + 4)) {
    std::size_t start = at;
    while (start > 0 && out[start - 1] != ' ' && out[start - 1] != '(') --start;
    out.replace(start, at - start, "…");
    at = start + 3;
  }
  return out;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "–";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

Json FiguresJson(const AgencyFigures& a) {
  Json j;
  if (!a.code.empty()) j["code"] = a.code;
  if (!a.name.empty()) j["name"] = a.name;
  j["mailboxes_start"] = a.mailboxes_start;
  j["mailboxes_end"] = a.mailboxes_end;
  j["created"] = a.created;
  j["transferred"] = a.transferred;
  j["removed"] = a.removed;
  j["renamed"] = a.renamed;
  j["active_now"] = a.active_now;
  j["password_changed"] = a.password_changed;
  j["within_expiry"] = a.within_expiry;
  j["locked"] = a.locked;
  return j;
}

void Add(AgencyFigures& into, const AgencyFigures& a) {
  into.mailboxes_start += a.mailboxes_start;
  into.mailboxes_end += a.mailboxes_end;
  into.created += a.created;
  into.transferred += a.transferred;
  into.removed += a.removed;
  into.renamed += a.renamed;
  into.active_now += a.active_now;
  into.password_changed += a.password_changed;
  into.within_expiry += a.within_expiry;
  into.locked += a.locked;
}

}  // namespace

Result<Report> ComputeReport(const ReportInputs& inputs, const ReportOptions& options) {
  if (options.to < options.from) {
    return InvalidInput("--from " + options.from.ToString() + " is after --to " + options.to.ToString());
  }
  Report report;
  report.from = options.from;
  report.to = options.to;
  report.agency = options.agency;
  report.generated_at = base::FormatUtc(std::chrono::time_point_cast<std::chrono::microseconds>(options.generated_at));

  std::map<std::string, AgencyFigures> by_code;
  for (const ReportAgency& a : inputs.agencies) by_code[a.code] = AgencyFigures{.code = a.code, .name = a.name};
  if (options.agency && !by_code.contains(*options.agency)) {
    return NotFound("no agency with the code '" + *options.agency + "' in the directory");
  }
  auto wanted = [&](const std::string& code) { return !options.agency || code == *options.agency; };

  std::unordered_map<std::string, const ReportPerson*> by_uid;
  for (const ReportPerson& p : inputs.people) by_uid[p.uid] = &p;
  const auto max_age = inputs.password_max_age;
  for (const ReportPerson& p : inputs.people) {
    if (!wanted(p.agency)) continue;
    auto [it, inserted] = by_code.try_emplace(p.agency, AgencyFigures{.code = p.agency});
    AgencyFigures& a = it->second;
    if (ActiveAt(p, DayBefore(options.from))) ++a.mailboxes_start;
    if (ActiveAt(p, options.to)) ++a.mailboxes_end;
    if (p.created && In(*p.created, options.from, options.to)) ++a.created;
    if (p.left && In(*p.left, options.from, options.to)) ++a.removed;
    if (!p.former) {
      ++a.active_now;
      if (!p.must_change_password) ++a.password_changed;
      bool fresh = max_age.count() == 0 ||
                   (p.password_changed && *p.password_changed + max_age > options.generated_at);
      if (fresh) ++a.within_expiry;
      if (p.locked) ++a.locked;
    }
  }

  // Month by month, for the charts.
  for (int y = options.from.year(), m = options.from.month();
       y < options.to.year() || (y == options.to.year() && m <= options.to.month());) {
    MonthFigures month;
    month.month = fmt::format("{:04d}-{:02d}", y, m);
    model::Date end = std::min(EndOfMonth(y, m), options.to);
    for (const ReportPerson& p : inputs.people) {
      if (!wanted(p.agency)) continue;
      if (ActiveAt(p, end)) ++month.mailboxes_end;
      if (p.created && p.created->year() == y && p.created->month() == m && In(*p.created, options.from, options.to)) {
        ++month.created;
      }
      if (p.left && p.left->year() == y && p.left->month() == m && In(*p.left, options.from, options.to)) {
        ++month.removed;
      }
    }
    report.months.push_back(std::move(month));
    if (++m > 12) {
      m = 1;
      ++y;
    }
  }
  auto month_of = [&](const model::Date& day) -> MonthFigures* {
    std::string key = fmt::format("{:04d}-{:02d}", day.year(), day.month());
    for (MonthFigures& month : report.months) {
      if (month.month == key) return &month;
    }
    return nullptr;
  };

  // Transfers and renames, from the decisions; renames of one person count at
  // most as many times as the old addresses kept.
  std::unordered_map<std::string, std::size_t> renames_left;
  for (const ReportPerson& p : inputs.people) renames_left[p.uid] = p.aliases;
  std::vector<const ReportDecision*> decisions;
  for (const ReportDecision& d : inputs.decisions) decisions.push_back(&d);
  std::sort(decisions.begin(), decisions.end(), [](const ReportDecision* a, const ReportDecision* b) {
    return std::tie(a->effective, a->event_id) < std::tie(b->effective, b->event_id);
  });
  for (const ReportDecision* d : decisions) {
    if (!In(d->effective, options.from, options.to)) continue;
    std::size_t subjects_here = 0;
    for (const std::string& subject : d->subject_dns) {
      auto person = by_uid.find(UidOf(subject));
      if (person == by_uid.end()) {
        // An agency decision: counts for the agency it names.
        std::string lower = AsciiLower(subject);
        if (lower.starts_with("ou=") && wanted(subject.substr(3, subject.find(',') - 3))) ++subjects_here;
        continue;
      }
      const ReportPerson& p = *person->second;
      if (!wanted(p.agency)) continue;
      ++subjects_here;
      AgencyFigures& a = by_code[p.agency];
      if (d->type == "transfer") {
        ++a.transferred;
        if (MonthFigures* month = month_of(d->effective)) ++month->transferred;
      } else if (d->type == "update" && renames_left[p.uid] > 0) {
        --renames_left[p.uid];
        ++a.renamed;
        if (MonthFigures* month = month_of(d->effective)) ++month->renamed;
      }
    }
    if (subjects_here == 0 && (options.agency || !d->subject_dns.empty())) continue;
    report.decisions.push_back(DecisionLine{d->number, d->date, d->issuer, d->type, d->effective, subjects_here});
  }

  for (auto& [code, figures] : by_code) {
    if (!wanted(code)) continue;
    Add(report.total, figures);
    report.agencies.push_back(figures);
  }

  std::map<std::string, std::size_t> reasons;
  for (const std::string& reason : inputs.rejection_reasons) ++reasons[ReasonKind(reason)];
  report.rejected = inputs.rejection_reasons.size();
  report.rejection_reasons.assign(reasons.begin(), reasons.end());
  std::stable_sort(report.rejection_reasons.begin(), report.rejection_reasons.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return report;
}

std::string ReportJson(const Report& report) {
  Json j;
  j["from"] = report.from.ToString();
  j["to"] = report.to.ToString();
  if (report.agency) j["agency"] = *report.agency;
  j["generated_at"] = report.generated_at;
  j["total"] = FiguresJson(report.total);
  j["agencies"] = Json::array();
  for (const auto& a : report.agencies) j["agencies"].push_back(FiguresJson(a));
  j["months"] = Json::array();
  for (const auto& m : report.months) {
    j["months"].push_back({{"month", m.month}, {"created", m.created}, {"transferred", m.transferred},
                           {"removed", m.removed}, {"renamed", m.renamed}, {"mailboxes_end", m.mailboxes_end}});
  }
  j["decisions"] = Json::array();
  for (const auto& d : report.decisions) {
    j["decisions"].push_back({{"number", d.number}, {"date", d.date.ToString()}, {"issuer", d.issuer},
                              {"type", d.type}, {"effective_date", d.effective.ToString()}, {"subjects", d.subjects}});
  }
  j["rejected"] = {{"total", report.rejected}, {"reasons", Json::array()}};
  for (const auto& [reason, count] : report.rejection_reasons) {
    j["rejected"]["reasons"].push_back({{"reason", reason}, {"count", count}});
  }
  return j.dump(2) + "\n";
}

std::string ReportCsv(const Report& report) {
  std::string out =
      "agency,name,mailboxes_start,mailboxes_end,created,transferred,removed,renamed,active_now,"
      "password_changed,within_expiry,locked\n";
  auto row = [&](const std::string& code, const std::string& name, const AgencyFigures& a) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", CsvField(code), CsvField(name), a.mailboxes_start,
                       a.mailboxes_end, a.created, a.transferred, a.removed, a.renamed, a.active_now,
                       a.password_changed, a.within_expiry, a.locked);
  };
  for (const auto& a : report.agencies) row(a.code, a.name, a);
  row("TOTAL", "", report.total);
  return out;
}

namespace {

constexpr std::string_view kCreatedColor = "#2e7d32";
constexpr std::string_view kTransferredColor = "#1565c0";
constexpr std::string_view kRemovedColor = "#c62828";
constexpr std::string_view kRenamedColor = "#ef6c00";

std::string LineChart(const Report& report) {
  const double width = 680, height = 220, left = 50, right = 20, top = 20, bottom = 30;
  std::vector<std::pair<std::string, std::size_t>> points;
  points.emplace_back("Đầu kỳ", report.total.mailboxes_start);
  for (const auto& m : report.months) points.emplace_back(m.month, m.mailboxes_end);
  std::size_t max_value = 1;
  for (const auto& [label, value] : points) max_value = std::max(max_value, value);
  auto x = [&](std::size_t i) {
    return left + (width - left - right) * (points.size() == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(points.size() - 1));
  };
  auto y = [&](std::size_t v) {
    return top + (height - top - bottom) * (1.0 - static_cast<double>(v) / static_cast<double>(max_value));
  };
  std::string svg = fmt::format(
      R"(<svg viewBox="0 0 {} {}" role="img" aria-label="Số hộp thư theo thời gian" class="chart">)", width, height);
  svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>)", left, y(0), width - right, y(0));
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>)", left - 4, y(max_value) + 4, max_value);
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="end">0</text>)", left - 4, y(0) + 4);
  std::string path;
  for (std::size_t i = 0; i < points.size(); ++i) path += fmt::format("{}{:.1f},{:.1f} ", i == 0 ? "M" : "L", x(i), y(points[i].second));
  svg += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2"/>)", path, kTransferredColor);
  for (std::size_t i = 0; i < points.size(); ++i) {
    svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"/>)", x(i), y(points[i].second), kTransferredColor);
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="9" text-anchor="middle">{}</text>)", x(i),
                       y(points[i].second) - 6, points[i].second);
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="9" text-anchor="middle">{}</text>)", x(i), height - 12,
                       EscapeHtml(points[i].first));
  }
  return svg + "</svg>";
}

std::string MonthBars(const Report& report) {
  const double width = 680, height = 220, left = 40, top = 10, bottom = 45;
  std::size_t max_value = 1;
  for (const auto& m : report.months) {
    max_value = std::max({max_value, m.created, m.transferred, m.removed, m.renamed});
  }
  const double group = (width - left) / static_cast<double>(std::max<std::size_t>(report.months.size(), 1));
  const double bar = group / 5.0;
  auto h = [&](std::size_t v) { return (height - top - bottom) * static_cast<double>(v) / static_cast<double>(max_value); };
  std::string svg = fmt::format(
      R"(<svg viewBox="0 0 {} {}" role="img" aria-label="Thay đổi theo tháng" class="chart">)", width, height);
  const double base = height - bottom;
  svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>)", left, base, width, base);
  svg += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>)", left - 4, top + 4, max_value);
  for (std::size_t i = 0; i < report.months.size(); ++i) {
    const auto& m = report.months[i];
    double x0 = left + group * static_cast<double>(i) + bar / 2;
    std::pair<std::size_t, std::string_view> bars[] = {
        {m.created, kCreatedColor}, {m.transferred, kTransferredColor}, {m.removed, kRemovedColor}, {m.renamed, kRenamedColor}};
    for (std::size_t b = 0; b < 4; ++b) {
      double x = x0 + bar * static_cast<double>(b);
      svg += fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>)", x,
                         base - h(bars[b].first), bar * 0.9, h(bars[b].first), bars[b].second);
      if (bars[b].first > 0) {
        svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="8" text-anchor="middle">{}</text>)",
                           x + bar * 0.45, base - h(bars[b].first) - 2, bars[b].first);
      }
    }
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="9" text-anchor="middle">{}</text>)", x0 + bar * 2, base + 12, m.month);
  }
  std::pair<std::string_view, std::string_view> legend[] = {
      {"Tạo mới", kCreatedColor}, {"Điều chuyển", kTransferredColor}, {"Thu hồi", kRemovedColor}, {"Đổi địa chỉ", kRenamedColor}};
  for (std::size_t i = 0; i < 4; ++i) {
    double x = left + 130.0 * static_cast<double>(i);
    svg += fmt::format(R"(<rect x="{}" y="{}" width="10" height="10" fill="{}"/>)", x, height - 18, legend[i].second);
    svg += fmt::format(R"(<text x="{}" y="{}" font-size="10">{}</text>)", x + 14, height - 9, legend[i].first);
  }
  return svg + "</svg>";
}

std::string AgencyBars(const Report& report) {
  std::vector<const AgencyFigures*> agencies;
  for (const auto& a : report.agencies) {
    if (a.mailboxes_end > 0 || a.mailboxes_start > 0) agencies.push_back(&a);
  }
  std::sort(agencies.begin(), agencies.end(), [](auto* a, auto* b) {
    return std::tie(b->mailboxes_end, a->code) < std::tie(a->mailboxes_end, b->code);
  });
  constexpr std::size_t kMaxBars = 30;
  std::size_t others = 0;
  if (agencies.size() > kMaxBars) {
    for (std::size_t i = kMaxBars; i < agencies.size(); ++i) others += agencies[i]->mailboxes_end;
    agencies.resize(kMaxBars);
  }
  const double width = 680, row = 16, left = 200, right = 50;
  const double height = row * static_cast<double>(agencies.size() + (others > 0 ? 1 : 0)) + 10;
  std::size_t max_value = 1;
  for (auto* a : agencies) max_value = std::max(max_value, a->mailboxes_end);
  max_value = std::max(max_value, others);
  auto w = [&](std::size_t v) { return (width - left - right) * static_cast<double>(v) / static_cast<double>(max_value); };
  std::string svg = fmt::format(
      R"(<svg viewBox="0 0 {} {}" role="img" aria-label="Số hộp thư theo cơ quan" class="chart">)", width, height);
  auto bar = [&](std::size_t i, const std::string& label, std::size_t value) {
    double y = 5 + row * static_cast<double>(i);
    svg += fmt::format(R"(<text x="{}" y="{:.1f}" font-size="10" text-anchor="end">{}</text>)", left - 6, y + 11, EscapeHtml(label));
    svg += fmt::format(R"(<rect x="{}" y="{:.1f}" width="{:.1f}" height="{}" fill="{}"/>)", left, y + 2, w(value), row - 4, kCreatedColor);
    svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" font-size="10">{}</text>)", left + w(value) + 4, y + 11, value);
  };
  for (std::size_t i = 0; i < agencies.size(); ++i) {
    std::string label = agencies[i]->name.empty() ? agencies[i]->code : agencies[i]->name;
    if (label.size() > 40) label = label.substr(0, 37) + "...";
    bar(i, label, agencies[i]->mailboxes_end);
  }
  if (others > 0) bar(agencies.size(), "Các cơ quan khác", others);
  return svg + "</svg>";
}

std::string TypeName(const std::string& type) {
  static const std::map<std::string, std::string> kNames = {
      {"hire", "Tuyển dụng"},          {"transfer", "Điều chuyển"},        {"update", "Cập nhật"},
      {"leave", "Nghỉ việc"},          {"agency.create", "Thành lập cơ quan"}, {"agency.update", "Đổi tên cơ quan"},
      {"agency.merge", "Sáp nhập"},    {"agency.dissolve", "Giải thể"},    {"agency.head", "Bổ nhiệm thủ trưởng"}};
  auto it = kNames.find(type);
  return it == kNames.end() ? type : it->second;
}

std::string ViDate(const model::Date& d) { return fmt::format("{:02d}/{:02d}/{:04d}", d.day(), d.month(), d.year()); }

}  // namespace

std::string ReportHtml(const Report& report) {
  const AgencyFigures& t = report.total;
  std::string html;
  html += R"(<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Báo cáo sử dụng danh bạ điện tử )" + ViDate(report.from) + " – " + ViDate(report.to) + R"(</title>
<style>
@page { size: A4; margin: 15mm 12mm; }
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 11pt; color: #111; max-width: 180mm; margin: 8mm auto; }
@media print { body { margin: 0 auto; } }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; border-bottom: 1px solid #999; break-after: avoid; }
p.sub { text-align: center; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #999; padding: 2pt 4pt; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
.chart { width: 100%; height: auto; break-inside: avoid; font-family: sans-serif; }
figure { margin: 0 0 8pt; break-inside: avoid; }
figcaption { font-size: 9pt; text-align: center; color: #444; }
.kpi { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4pt; margin-bottom: 8pt; }
.kpi div { border: 1px solid #999; padding: 4pt; text-align: center; }
.kpi b { display: block; font-size: 14pt; }
</style></head><body>
)";
  html += "<h1>BÁO CÁO TÌNH HÌNH SỬ DỤNG HỆ THỐNG THƯ ĐIỆN TỬ</h1>\n";
  html += "<p class=\"sub\">Kỳ báo cáo: từ ngày " + ViDate(report.from) + " đến ngày " + ViDate(report.to);
  if (report.agency) html += " — cơ quan " + EscapeHtml(*report.agency);
  html += "<br>Lập lúc " + EscapeHtml(report.generated_at) + " (UTC)</p>\n";

  html += "<h2>1. Tổng hợp</h2>\n<div class=\"kpi\">";
  auto kpi = [&](std::string_view label, std::string value, std::string_view id) {
    html += fmt::format("<div><b id=\"{}\">{}</b>{}</div>", id, value, label);
  };
  kpi("Hộp thư đầu kỳ", std::to_string(t.mailboxes_start), "mailboxes-start");
  kpi("Hộp thư cuối kỳ", std::to_string(t.mailboxes_end), "mailboxes-end");
  kpi("Tạo mới", std::to_string(t.created), "created");
  kpi("Điều chuyển", std::to_string(t.transferred), "transferred");
  kpi("Thu hồi", std::to_string(t.removed), "removed");
  kpi("Đổi địa chỉ", std::to_string(t.renamed), "renamed");
  kpi("Đã đổi mật khẩu ban đầu", Percent(t.password_changed, t.active_now), "password-changed");
  kpi("Mật khẩu còn hạn", Percent(t.within_expiry, t.active_now), "within-expiry");
  html += "</div>\n";
  html += fmt::format("<p>Tài khoản đang bị khóa: <b id=\"locked\">{}</b>. Sự kiện bị từ chối trong kỳ: <b id=\"rejected\">{}</b>.</p>\n",
                      t.locked, report.rejected);

  html += "<h2>2. Biểu đồ</h2>\n";
  html += "<figure>" + LineChart(report) + "<figcaption>Hình 1. Số hộp thư theo thời gian (cuối mỗi tháng)</figcaption></figure>\n";
  html += "<figure>" + MonthBars(report) + "<figcaption>Hình 2. Thay đổi theo tháng</figcaption></figure>\n";
  html += "<figure>" + AgencyBars(report) + "<figcaption>Hình 3. Số hộp thư cuối kỳ theo cơ quan</figcaption></figure>\n";

  html += "<h2>3. Theo cơ quan</h2>\n<table><thead><tr><th>Mã</th><th>Cơ quan</th><th>Đầu kỳ</th><th>Cuối kỳ</th>"
          "<th>Tạo mới</th><th>Điều chuyển đến</th><th>Thu hồi</th><th>Đổi địa chỉ</th><th>Đã đổi mật khẩu</th>"
          "<th>Còn hạn</th><th>Bị khóa</th></tr></thead><tbody>\n";
  auto row = [&](const AgencyFigures& a, bool total) {
    html += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        total ? " style=\"font-weight:bold\"" : "", EscapeHtml(a.code), EscapeHtml(total ? "Tổng cộng" : a.name),
        a.mailboxes_start, a.mailboxes_end, a.created, a.transferred, a.removed, a.renamed,
        Percent(a.password_changed, a.active_now), Percent(a.within_expiry, a.active_now), a.locked);
  };
  for (const auto& a : report.agencies) row(a, false);
  row(t, true);
  html += "</tbody></table>\n";

  html += "<h2>4. Theo quyết định</h2>\n";
  if (report.decisions.empty()) {
    html += "<p>Không có quyết định nào có hiệu lực trong kỳ.</p>\n";
  } else {
    html += "<table><thead><tr><th>Số quyết định</th><th>Ngày</th><th>Cơ quan ban hành</th><th>Loại</th>"
            "<th>Hiệu lực</th><th>Số đối tượng</th></tr></thead><tbody>\n";
    for (const auto& d : report.decisions) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
                          EscapeHtml(d.number), ViDate(d.date), EscapeHtml(d.issuer), EscapeHtml(TypeName(d.type)),
                          ViDate(d.effective), d.subjects);
    }
    html += "</tbody></table>\n";
  }

  html += "<h2>5. Sự kiện bị từ chối</h2>\n";
  if (report.rejection_reasons.empty()) {
    html += "<p>Không có sự kiện nào bị từ chối trong kỳ.</p>\n";
  } else {
    html += "<table><thead><tr><th>Lý do</th><th>Số sự kiện</th></tr></thead><tbody>\n";
    for (const auto& [reason, count] : report.rejection_reasons) {
      html += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", EscapeHtml(reason), count);
    }
    html += "</tbody></table>\n";
  }
  html += "<p style=\"font-size:9pt;color:#555\">Số liệu tính từ các quyết định lưu trong danh bạ (ou=decisions) và "
          "tài khoản hiện có; mật khẩu và khóa tài khoản theo trạng thái tại thời điểm lập báo cáo.</p>\n";
  html += "</body></html>\n";
  return html;
}

}  // namespace danhba::ops
