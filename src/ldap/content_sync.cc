#include "danhba/ldap/content_sync.h"

#include <sys/time.h>

#include <cstdio>

#include "danhba/base/strings.h"
#include "danhba/ldap/error.h"
#include "ldap/handles.h"

namespace danhba::ldap {

using internal::BerBufferPtr;
using internal::ToLdapScope;
using internal::BervalPtr;
using internal::ControlsPtr;
using internal::MemPtr;
using internal::MessagePtr;

namespace {

std::string UuidString(const berval& raw) {
  std::string out;
  for (ber_len_t i = 0; i < raw.bv_len; ++i) {
    if (raw.bv_len == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) out.push_back('-');
    AppendHexByte(static_cast<unsigned char>(raw.bv_val[i]), out);
  }
  return out;
}

struct UuidArrayFree {
  void operator()(BerVarray values) const { ber_bvarray_free(values); }
};

}  // namespace

struct ContentSync::Impl {
  explicit Impl(Connection c) : connection(std::move(c)) {}

  Connection connection;
  LDAP* ld = nullptr;  // owned by `connection`
  int msgid = -1;
  bool refresh_done = false;
  bool finished = false;
  std::string cookie;
  std::string what;

  // Reads an optional cookie at the current position of `ber`.
  bool MaybeCookie(BerElement* ber) {
    ber_len_t len = 0;
    if (ber_peek_tag(ber, &len) != LDAP_TAG_SYNC_COOKIE) return true;
    berval value{0, nullptr};
    if (ber_scanf(ber, "m", &value) == LBER_ERROR) return false;
    if (value.bv_val != nullptr) cookie.assign(value.bv_val, value.bv_len);
    return true;
  }

  Status Malformed(std::string_view part) {
    finished = true;
    return Internal(what + ": malformed " + std::string(part) + " from the server");
  }

  Status OnEntry(LDAPMessage* message, const SyncHandler& handler) {
    LDAPControl** raw = nullptr;
    const int rc = ldap_get_entry_controls(ld, message, &raw);
    ControlsPtr controls(raw);
    if (rc != LDAP_SUCCESS) return MakeError(what + ": entry controls", rc);
    LDAPControl* state = ldap_control_find(LDAP_CONTROL_SYNC_STATE, controls.get(), nullptr);
    if (state == nullptr) return Malformed("entry without a sync state control");
    BerBufferPtr ber(ber_init(&state->ldctl_value));
    if (!ber) return Malformed("sync state control");
    ber_int_t kind = -1;
    berval uuid{0, nullptr};
    if (ber_scanf(ber.get(), "{em", &kind, &uuid) == LBER_ERROR || uuid.bv_len == 0 ||
        !MaybeCookie(ber.get())) {
      return Malformed("sync state control");
    }
    SyncChange change;
    switch (kind) {
      case LDAP_SYNC_PRESENT:
        change.kind = SyncChange::Kind::kPresent;
        break;
      case LDAP_SYNC_ADD:
        change.kind = SyncChange::Kind::kAdd;
        break;
      case LDAP_SYNC_MODIFY:
        change.kind = SyncChange::Kind::kModify;
        break;
      case LDAP_SYNC_DELETE:
        change.kind = SyncChange::Kind::kDelete;
        break;
      default:
        return Malformed("sync state");
    }
    change.entry_uuid = UuidString(uuid);
    auto entry = internal::CopyEntry(ld, message);
    if (!entry.ok()) return entry.take_error();
    change.entry = std::move(*entry);
    return handler.on_change ? handler.on_change(std::move(change)) : Ok();
  }

  Status OnIntermediate(LDAPMessage* message, const SyncHandler& handler) {
    char* oid_raw = nullptr;
    berval* data_raw = nullptr;
    const int rc = ldap_parse_intermediate(ld, message, &oid_raw, &data_raw, nullptr, 0);
    MemPtr oid(oid_raw);
    BervalPtr data(data_raw);
    if (rc != LDAP_SUCCESS) return MakeError(what + ": intermediate response", rc);
    if (!oid || std::string_view(oid.get()) != LDAP_SYNC_INFO || !data) return Ok();
    BerBufferPtr ber(ber_init(data.get()));
    if (!ber) return Malformed("sync info");
    ber_len_t len = 0;
    const ber_tag_t tag = ber_peek_tag(ber.get(), &len);
    switch (tag) {
      case LDAP_TAG_SYNC_NEW_COOKIE: {
        berval value{0, nullptr};
        if (ber_scanf(ber.get(), "m", &value) == LBER_ERROR) return Malformed("new cookie");
        if (value.bv_val != nullptr) cookie.assign(value.bv_val, value.bv_len);
        return Ok();
      }
      case LDAP_TAG_SYNC_REFRESH_DELETE:
      case LDAP_TAG_SYNC_REFRESH_PRESENT: {
        if (ber_scanf(ber.get(), "{") == LBER_ERROR || !MaybeCookie(ber.get())) {
          return Malformed("refresh info");
        }
        ber_int_t done = 1;  // refreshDone DEFAULT TRUE
        if (ber_peek_tag(ber.get(), &len) == LDAP_TAG_REFRESHDONE &&
            ber_scanf(ber.get(), "b", &done) == LBER_ERROR) {
          return Malformed("refreshDone");
        }
        if (done) refresh_done = true;
        return handler.on_phase_end
                   ? handler.on_phase_end(tag == LDAP_TAG_SYNC_REFRESH_PRESENT, done != 0)
                   : Ok();
      }
      case LDAP_TAG_SYNC_ID_SET: {
        if (ber_scanf(ber.get(), "{") == LBER_ERROR || !MaybeCookie(ber.get())) {
          return Malformed("syncIdSet");
        }
        ber_int_t deletes = 0;  // refreshDeletes DEFAULT FALSE
        if (ber_peek_tag(ber.get(), &len) == LDAP_TAG_REFRESHDELETES &&
            ber_scanf(ber.get(), "b", &deletes) == LBER_ERROR) {
          return Malformed("refreshDeletes");
        }
        BerVarray raw_uuids = nullptr;
        const ber_tag_t scanned = ber_scanf(ber.get(), "[W]}", &raw_uuids);
        std::unique_ptr<berval, UuidArrayFree> uuids_owner(raw_uuids);
        if (scanned == LBER_ERROR) return Malformed("syncUUIDs");
        std::vector<std::string> uuids;
        for (berval* u = raw_uuids; u != nullptr && u->bv_val != nullptr; ++u) {
          uuids.push_back(UuidString(*u));
        }
        return handler.on_uuid_set ? handler.on_uuid_set(std::move(uuids), deletes != 0) : Ok();
      }
      default:
        return Malformed("sync info");
    }
  }

  Status OnResult(LDAPMessage* message, const SyncHandler& handler) {
    finished = true;
    int rc = LDAP_OTHER;
    char* matched_raw = nullptr;
    char* diagnostic_raw = nullptr;
    LDAPControl** controls_raw = nullptr;
    const int parse_rc = ldap_parse_result(ld, message, &rc, &matched_raw, &diagnostic_raw, nullptr,
                                           &controls_raw, 0);
    MemPtr matched(matched_raw);
    MemPtr diagnostic(diagnostic_raw);
    ControlsPtr controls(controls_raw);
    if (parse_rc != LDAP_SUCCESS) return MakeError(what, parse_rc);
    if (rc == LDAP_SYNC_REFRESH_REQUIRED) {
      cookie.clear();
      return Conflict(what +
                      ": the server cannot resume from this cookie (e-syncRefreshRequired); "
                      "start again without one");
    }
    if (rc != LDAP_SUCCESS) {
      return MakeError(what, rc, diagnostic ? diagnostic.get() : "", matched ? matched.get() : "");
    }
    LDAPControl* done = ldap_control_find(LDAP_CONTROL_SYNC_DONE, controls.get(), nullptr);
    ber_int_t deletes = 0;
    if (done != nullptr && done->ldctl_value.bv_len > 0) {
      BerBufferPtr ber(ber_init(&done->ldctl_value));
      ber_len_t len = 0;
      if (!ber || ber_scanf(ber.get(), "{") == LBER_ERROR || !MaybeCookie(ber.get())) {
        return Malformed("sync done control");
      }
      if (ber_peek_tag(ber.get(), &len) == LDAP_TAG_REFRESHDELETES &&
          ber_scanf(ber.get(), "b", &deletes) == LBER_ERROR) {
        return Malformed("sync done control");
      }
    }
    refresh_done = true;
    return handler.on_phase_end ? handler.on_phase_end(deletes == 0, true) : Ok();
  }
};

ContentSync::ContentSync(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ContentSync::ContentSync(ContentSync&&) noexcept = default;
ContentSync& ContentSync::operator=(ContentSync&&) noexcept = default;
ContentSync::~ContentSync() = default;

bool ContentSync::refresh_done() const { return impl_->refresh_done; }
bool ContentSync::finished() const { return impl_->finished; }
const std::string& ContentSync::cookie() const { return impl_->cookie; }

Result<ContentSync> ContentSync::Start(Connection connection, const SearchRequest& request,
                                       Mode mode, std::string cookie) {
  auto impl = std::make_unique<Impl>(std::move(connection));
  impl->ld = internal::ConnectionAccess::Handle(impl->connection);
  impl->cookie = std::move(cookie);
  impl->what = "content sync " + request.filter + " under " + request.base;

  BerBufferPtr ber(ber_alloc_t(LBER_USE_DER));
  if (!ber) return Internal(impl->what + ": out of memory");
  const ber_int_t mode_value =
      mode == Mode::kRefreshAndPersist ? LDAP_SYNC_REFRESH_AND_PERSIST : LDAP_SYNC_REFRESH_ONLY;
  berval cookie_bv;
  cookie_bv.bv_len = impl->cookie.size();
  cookie_bv.bv_val = impl->cookie.data();
  const int printed = impl->cookie.empty() ? ber_printf(ber.get(), "{e}", mode_value)
                                           : ber_printf(ber.get(), "{eO}", mode_value, &cookie_bv);
  berval value{0, nullptr};
  if (printed == -1 || ber_flatten2(ber.get(), &value, 0) == -1) {
    return Internal(impl->what + ": cannot encode the sync request control");
  }
  LDAPControl control{};
  control.ldctl_oid = const_cast<char*>(LDAP_CONTROL_SYNC);
  control.ldctl_value = value;  // points into `ber`, which outlives the send
  control.ldctl_iscritical = 1;
  LDAPControl* controls[] = {&control, nullptr};

  std::vector<char*> attributes;
  for (const std::string& a : request.attributes)
    attributes.push_back(const_cast<char*>(a.c_str()));
  attributes.push_back(nullptr);
  const int rc = ldap_search_ext(impl->ld, request.base.c_str(), ToLdapScope(request.scope),
                                 request.filter.c_str(),
                                 request.attributes.empty() ? nullptr : attributes.data(), 0,
                                 controls, nullptr, nullptr, request.size_limit, &impl->msgid);
  if (rc != LDAP_SUCCESS) return MakeError(impl->what, rc);
  return ContentSync(std::move(impl));
}

Status ContentSync::Poll(std::chrono::milliseconds timeout, const SyncHandler& handler) {
  Impl& s = *impl_;
  if (s.finished) return Ok();
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  LDAPMessage* raw = nullptr;
  const int type = ldap_result(s.ld, s.msgid, LDAP_MSG_RECEIVED, &tv, &raw);
  MessagePtr chain(raw);
  if (type == 0) return Ok();
  if (type < 0) {
    s.finished = true;
    int rc = LDAP_OTHER;
    ldap_get_option(s.ld, LDAP_OPT_RESULT_CODE, &rc);
    return MakeError(s.what, rc);
  }
  for (LDAPMessage* m = ldap_first_message(s.ld, chain.get()); m != nullptr;
       m = ldap_next_message(s.ld, m)) {
    Status handled;
    switch (ldap_msgtype(m)) {
      case LDAP_RES_SEARCH_ENTRY:
        handled = s.OnEntry(m, handler);
        break;
      case LDAP_RES_INTERMEDIATE:
        handled = s.OnIntermediate(m, handler);
        break;
      case LDAP_RES_SEARCH_RESULT:
        handled = s.OnResult(m, handler);
        break;
      default:
        break;  // references: not chased
    }
    if (!handled.ok()) return handled;
  }
  return Ok();
}

}  // namespace danhba::ldap
