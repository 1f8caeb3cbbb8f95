#include "api/public_page.h"

#include <fmt/format.h>

#include <set>
#include <string>

#include "danhba/base/strings.h"

namespace danhba::api::page {
namespace {

using readmodel::AgencyEntry;
using readmodel::PersonEntry;
using readmodel::Snapshot;

// Results shown on a server-rendered page; the JSON API pages further.
constexpr std::size_t kPageResults = 100;

enum class Lang { kVi, kEn };

struct Words {
  const char* lang;
  const char* title;
  const char* subtitle;
  const char* search_label;
  const char* search_hint;
  const char* search_button;
  const char* agencies;
  const char* results_for;
  const char* no_results;
  const char* more_results;
  const char* staff;
  const char* name;
  const char* position;
  const char* email;
  const char* phone;
  const char* agency;
  const char* head;
  const char* parent;
  const char* sub_units;
  const char* with_sub_units;
  const char* without_sub_units;
  const char* download_vcard;
  const char* download_csv;
  const char* other_language;
  const char* other_language_name;
  const char* not_found;
  const char* back;
  const char* people_count;
};

constexpr Words kVietnamese = {
    "vi", "Danh bạ điện tử", "Hệ thống thư điện tử các cơ quan nhà nước tỉnh Đồng Nai", "Tìm cán bộ, công chức",
    "Họ tên (có hoặc không dấu), địa chỉ thư hoặc chức vụ", "Tìm", "Cơ quan, đơn vị", "Kết quả cho", "Không tìm thấy ai.",
    "Còn nhiều kết quả; hãy gõ cụ thể hơn.", "Cán bộ, công chức", "Họ và tên", "Chức vụ", "Thư điện tử",
    "Điện thoại", "Cơ quan", "Thủ trưởng", "Trực thuộc", "Đơn vị trực thuộc", "Gồm cả đơn vị trực thuộc",
    "Chỉ cơ quan này", "Tải vCard", "Tải danh sách (CSV)", "en", "English", "Không tìm thấy trang này.",
    "Về trang chủ", "người"};

constexpr Words kEnglish = {
    "en", "Electronic directory", "Mail system of the state agencies of Đồng Nai province", "Find a civil servant",
    "Name (with or without diacritics), mail address or title", "Search", "Agencies", "Results for", "Nobody found.",
    "More results; type more precisely.", "Staff", "Name", "Title", "Email", "Phone", "Agency", "Head", "Part of",
    "Sub-units", "Include sub-units", "This agency only", "Download vCard", "Download the list (CSV)", "vi",
    "Tiếng Việt", "This page does not exist.", "Back to the home page", "people"};

Lang LangOf(const http::Request& request) {
  auto lang = request.Query("lang");
  return lang && *lang == "en" ? Lang::kEn : Lang::kVi;
}

const Words& W(Lang lang) { return lang == Lang::kEn ? kEnglish : kVietnamese; }

std::string UrlEncodePath(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '/') {
      out.push_back('/');
    } else {
      out += PercentEncode(std::string_view(&c, 1));
    }
  }
  return out;
}

// "?lang=en" or "&lang=en" when English is chosen.
std::string LangParam(Lang lang, char first) {
  if (lang == Lang::kVi) return {};
  return std::string(1, first) + "lang=en";
}

std::string TelHref(std::string_view phone) {
  std::string out = "tel:";
  for (char c : phone) {
    if ((c >= '0' && c <= '9') || c == '+') out.push_back(c);
  }
  return out;
}

std::string Header(Lang lang, std::string_view title, std::string_view switch_href) {
  const Words& w = W(lang);
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{}</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/app.css\">"
      "<script src=\"/assets/app.js\" defer></script></head><body>"
      "<a class=\"skip\" href=\"#main\">{}</a>"
      "<header><div class=\"bar\"><a class=\"brand\" href=\"/{}\">{}</a>"
      "<a class=\"lang\" href=\"{}\" hreflang=\"{}\" lang=\"{}\">{}</a></div><p>{}</p></header>"
      "<main id=\"main\" data-lang=\"{}\">",
      w.lang, EscapeHtml(title), lang == Lang::kEn ? "Skip to content" : "Bỏ qua đến nội dung", LangParam(lang, '?'),
      w.title, EscapeHtml(switch_href), w.other_language, w.other_language, w.other_language_name, w.subtitle, w.lang);
}

std::string Footer() { return "</main></body></html>\n"; }

// The URL of this page in the other language.
std::string SwitchHref(const http::Request& request, Lang lang) {
  std::string href = request.path.empty() ? "/" : UrlEncodePath(request.path);
  std::string query;
  for (const auto& [name, value] : request.query) {
    if (name == "lang") continue;
    query += (query.empty() ? "?" : "&") + PercentEncode(name) + "=" + PercentEncode(value);
  }
  if (lang == Lang::kVi) query += (query.empty() ? "?" : "&") + std::string("lang=en");
  return href + query;
}

std::string SearchForm(Lang lang, std::string_view q) {
  const Words& w = W(lang);
  return fmt::format(
      "<form class=\"search\" role=\"search\" action=\"/\" method=\"get\">"
      "<label for=\"q\">{}</label><div class=\"row\">"
      "<input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" autocomplete=\"off\" spellcheck=\"false\" "
      "aria-describedby=\"q-hint\" aria-controls=\"results\">{}"
      "<button type=\"submit\">{}</button></div><p id=\"q-hint\" class=\"hint\">{}</p></form>",
      w.search_label, EscapeHtml(q), lang == Lang::kEn ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "",
      w.search_button, w.search_hint);
}

std::string PersonRow(const Snapshot& snapshot, const PersonEntry& p, Lang lang, bool show_agency) {
  std::string row = fmt::format("<tr><th scope=\"row\"><a href=\"/person/{}{}\">{}</a></th><td>{}</td>", p.uid(),
                                LangParam(lang, '?'), EscapeHtml(p.full_name()), p.title() ? EscapeHtml(*p.title()) : "");
  if (show_agency) {
    row += fmt::format("<td><a href=\"/agency/{}{}\">{}</a></td>", p.agency_code(), LangParam(lang, '?'),
                       EscapeHtml(snapshot.AgencyName(p.agency_code())));
  }
  row += fmt::format("<td><a href=\"mailto:{}\">{}</a></td><td>{}</td></tr>", p.email(), p.email(),
                     p.phone() ? fmt::format("<a href=\"{}\">{}</a>", TelHref(*p.phone()), EscapeHtml(*p.phone())) : "");
  return row;
}

std::string PeopleTable(const Snapshot& snapshot, const std::vector<std::uint32_t>& people, Lang lang,
                        bool show_agency, std::string_view caption) {
  const Words& w = W(lang);
  std::string out = fmt::format("<div class=\"table\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>"
                                "<th scope=\"col\">{}</th>",
                                EscapeHtml(caption), w.name, w.position);
  if (show_agency) out += fmt::format("<th scope=\"col\">{}</th>", w.agency);
  out += fmt::format("<th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>", w.email, w.phone);
  for (std::size_t i = 0; i < people.size() && i < kPageResults; ++i) {
    out += PersonRow(snapshot, *snapshot.people()[people[i]], lang, show_agency);
  }
  out += "</tbody></table></div>";
  if (people.size() > kPageResults) out += fmt::format("<p class=\"hint\">{}</p>", w.more_results);
  return out;
}

void AppendTree(const Snapshot& snapshot, const AgencyEntry& agency, Lang lang, std::set<std::string_view>& seen,
                std::string& out) {
  if (!seen.insert(agency.code).second) return;
  out += fmt::format("<li><a href=\"/agency/{}{}\">{}</a>", agency.code, LangParam(lang, '?'), EscapeHtml(agency.name));
  auto children = snapshot.Children(agency.code);
  if (!children.empty()) {
    out += "<ul>";
    for (const AgencyEntry* child : children) AppendTree(snapshot, *child, lang, seen, out);
    out += "</ul>";
  }
  out += "</li>";
}

http::Response Html(int status, std::string body) {
  auto response = http::Response::Text(status, std::move(body), "text/html; charset=utf-8");
  response.headers.Set("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; "
                       "form-action 'self'");
  response.headers.Set("Referrer-Policy", "same-origin");
  return response;
}

}  // namespace

http::Response Home(const http::Request& request, const Snapshot& snapshot, std::string_view domain) {
  Lang lang = LangOf(request);
  const Words& w = W(lang);
  std::string q(request.Query("q").value_or(""));
  if (q.size() > 200) q.resize(200);
  std::string body = Header(lang, w.title, SwitchHref(request, lang));
  body += SearchForm(lang, q);
  body += "<section id=\"results\" aria-live=\"polite\">";
  if (!q.empty()) {
    auto found = snapshot.Search({.text = q, .agency = std::nullopt, .sub_units = false}, domain);
    if (found.empty()) {
      body += fmt::format("<p>{}</p>", w.no_results);
    } else {
      body += PeopleTable(snapshot, found, lang, true,
                          fmt::format("{} “{}”: {} {}", w.results_for, q, found.size(), w.people_count));
    }
  }
  body += "</section>";
  body += fmt::format("<section class=\"tree\" aria-labelledby=\"tree-title\"><h2 id=\"tree-title\">{}</h2><ul>",
                      w.agencies);
  std::set<std::string_view> seen;
  for (const auto& agency : snapshot.agencies()) {
    if (!agency.parent || snapshot.FindAgency(*agency.parent) == nullptr) AppendTree(snapshot, agency, lang, seen, body);
  }
  for (const auto& agency : snapshot.agencies()) AppendTree(snapshot, agency, lang, seen, body);  // cycles
  body += "</ul></section>";
  body += Footer();
  return Html(200, std::move(body));
}

http::Response Agency(const http::Request& request, const Snapshot& snapshot, const AgencyEntry& agency) {
  Lang lang = LangOf(request);
  const Words& w = W(lang);
  bool sub_units = request.Query("sub_units") == std::optional<std::string_view>("true");
  std::string body = Header(lang, agency.name, SwitchHref(request, lang));
  // Breadcrumbs: the agencies above, top first.
  std::vector<const AgencyEntry*> above;
  std::set<std::string_view> seen{agency.code};
  for (auto parent = agency.parent; parent;) {
    const AgencyEntry* p = snapshot.FindAgency(*parent);
    if (p == nullptr || !seen.insert(p->code).second) break;
    above.insert(above.begin(), p);
    parent = p->parent;
  }
  body += "<nav aria-label=\"breadcrumb\" class=\"crumbs\"><ol>";
  for (const AgencyEntry* a : above) {
    body += fmt::format("<li><a href=\"/agency/{}{}\">{}</a></li>", a->code, LangParam(lang, '?'), EscapeHtml(a->name));
  }
  body += fmt::format("<li aria-current=\"page\">{}</li></ol></nav>", EscapeHtml(agency.name));
  body += fmt::format("<h1>{}</h1><dl class=\"facts\">", EscapeHtml(agency.name));
  if (!agency.email.empty()) {
    body += fmt::format("<dt>{}</dt><dd><a href=\"mailto:{}\">{}</a></dd>", w.email, agency.email, agency.email);
  }
  if (agency.head_uid) {
    if (const PersonEntry* head = snapshot.FindPerson(*agency.head_uid, {})) {
      body += fmt::format("<dt>{}</dt><dd><a href=\"/person/{}{}\">{}</a>{}</dd>", w.head, head->uid(),
                          LangParam(lang, '?'), EscapeHtml(head->full_name()),
                          head->title() ? ", " + EscapeHtml(*head->title()) : "");
    }
  }
  if (!above.empty()) {
    body += fmt::format("<dt>{}</dt><dd><a href=\"/agency/{}{}\">{}</a></dd>", w.parent, above.back()->code,
                        LangParam(lang, '?'), EscapeHtml(above.back()->name));
  }
  body += "</dl>";
  auto children = snapshot.Children(agency.code);
  if (!children.empty()) {
    body += fmt::format("<h2>{}</h2><ul class=\"units\">", w.sub_units);
    for (const AgencyEntry* child : children) {
      body += fmt::format("<li><a href=\"/agency/{}{}\">{}</a></li>", child->code, LangParam(lang, '?'),
                          EscapeHtml(child->name));
    }
    body += "</ul>";
  }
  auto people = snapshot.Search({.text = {}, .agency = agency.code, .sub_units = sub_units}, {});
  body += "<p class=\"actions\">";
  if (!children.empty()) {
    body += sub_units ? fmt::format("<a href=\"/agency/{}{}\">{}</a>", agency.code, LangParam(lang, '?'),
                                    w.without_sub_units)
                      : fmt::format("<a href=\"/agency/{}?sub_units=true{}\">{}</a>", agency.code,
                                    LangParam(lang, '&'), w.with_sub_units);
  }
  std::string sub = sub_units ? "?sub_units=true" : "";
  body += fmt::format("<a href=\"/api/v1/agencies/{}/people.vcf{}\" download>{}</a>"
                      "<a href=\"/api/v1/agencies/{}/people.csv{}\" download>{}</a></p>",
                      agency.code, sub, w.download_vcard, agency.code, sub, w.download_csv);
  body += PeopleTable(snapshot, people, lang, sub_units,
                      fmt::format("{}: {} {}", w.staff, people.size(), w.people_count));
  body += Footer();
  return Html(200, std::move(body));
}

http::Response Person(const http::Request& request, const Snapshot& snapshot, const PersonEntry& p) {
  Lang lang = LangOf(request);
  const Words& w = W(lang);
  std::string body = Header(lang, p.full_name(), SwitchHref(request, lang));
  body += fmt::format("<article class=\"card\" aria-labelledby=\"name\"><h1 id=\"name\">{}</h1>", EscapeHtml(p.full_name()));
  if (p.title()) body += fmt::format("<p class=\"position\">{}</p>", EscapeHtml(*p.title()));
  body += "<dl class=\"facts\">";
  body += fmt::format("<dt>{}</dt><dd><a href=\"/agency/{}{}\">{}</a></dd>", w.agency, p.agency_code(),
                      LangParam(lang, '?'), EscapeHtml(snapshot.AgencyName(p.agency_code())));
  body += fmt::format("<dt>{}</dt><dd><a href=\"mailto:{}\">{}</a></dd>", w.email, p.email(), p.email());
  if (p.phone()) {
    body += fmt::format("<dt>{}</dt><dd><a href=\"{}\">{}</a></dd>", w.phone, TelHref(*p.phone()), EscapeHtml(*p.phone()));
  }
  body += fmt::format("</dl><p class=\"actions\"><a href=\"/api/v1/people/{}.vcf\" download>{}</a></p></article>",
                      p.uid(), w.download_vcard);
  body += Footer();
  return Html(200, std::move(body));
}

http::Response NotFoundPage(const http::Request& request) {
  Lang lang = LangOf(request);
  const Words& w = W(lang);
  std::string body = Header(lang, w.not_found, SwitchHref(request, lang));
  body += fmt::format("<h1>{}</h1><p><a href=\"/{}\">{}</a></p>", w.not_found, LangParam(lang, '?'), w.back);
  body += Footer();
  return Html(404, std::move(body));
}

}  // namespace danhba::api::page
