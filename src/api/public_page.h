// The human side of the public listener: server-rendered HTML pages (they work
// without JavaScript; the script only adds search as you type), the script and
// style they use, and /embed.js for agency portals. Everything is compiled into
// the binary. Internal to the api module.
#pragma once

#include <string_view>

#include "danhba/http/message.h"
#include "danhba/readmodel/snapshot.h"

namespace danhba::api::page {

// GET /?q=&lang=: the search box, results for q, the agency tree.
http::Response Home(const http::Request& request, const readmodel::Snapshot& snapshot, std::string_view domain);
// GET /agency/{code}?sub_units=&lang=: an agency and its staff.
http::Response Agency(const http::Request& request, const readmodel::Snapshot& snapshot,
                      const readmodel::AgencyEntry& agency);
// GET /person/{uid}?lang=: one person's card.
http::Response Person(const http::Request& request, const readmodel::Snapshot& snapshot,
                      const readmodel::PersonEntry& person);
http::Response NotFoundPage(const http::Request& request);
// "embed.js", "app.js", "app.css"; 404 for other names.
http::Response Asset(std::string_view name);

}  // namespace danhba::api::page
