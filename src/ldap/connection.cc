#include "danhba/ldap/connection.h"

#include <signal.h>
#include <sys/time.h>

#include <functional>
#include <string>
#include <vector>

#include "danhba/base/log.h"
#include "danhba/ldap/error.h"
#include "ldap/handles.h"

namespace danhba::ldap {

using internal::BerPtr;
using internal::BervalPtr;
using internal::ControlPtr;
using internal::ControlsPtr;
using internal::LdapPtr;
using internal::MemPtr;
using internal::MessagePtr;
using internal::ToLdapScope;
using internal::ValuesPtr;

namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

berval View(std::string_view s) {
  berval bv;
  bv.bv_len = s.size();
  bv.bv_val = const_cast<char*>(s.data());  // libldap only reads request values
  return bv;
}

// LDAPMod arrays pointing into storage this object owns; valid while it lives.
class ModList {
 public:
  void Add(int op, const std::string& attribute, const Values& values) {
    auto& vals = values_.emplace_back();
    for (const std::string& v : values) vals.push_back(View(v));
    mods_.emplace_back();
    LDAPMod& mod = mods_.back();
    mod.mod_op = op | LDAP_MOD_BVALUES;
    mod.mod_type = const_cast<char*>(attribute.c_str());
    mod.mod_bvalues = nullptr;
  }
  LDAPMod** Finish() {
    // Pointers are taken only now: the vectors above no longer grow.
    pointers_.clear();
    for (std::size_t i = 0; i < mods_.size(); ++i) {
      auto& ptrs = value_pointers_.emplace_back();
      for (berval& bv : values_[i]) ptrs.push_back(&bv);
      if (!ptrs.empty()) {
        ptrs.push_back(nullptr);
        mods_[i].mod_bvalues = ptrs.data();
      }
      pointers_.push_back(&mods_[i]);
    }
    pointers_.push_back(nullptr);
    return pointers_.data();
  }

 private:
  std::vector<std::vector<berval>> values_;
  std::vector<LDAPMod> mods_;
  std::vector<std::vector<berval*>> value_pointers_;
  std::vector<LDAPMod*> pointers_;
};

int ModOp(Modification::Op op) {
  switch (op) {
    case Modification::Op::kAdd:
      return LDAP_MOD_ADD;
    case Modification::Op::kDelete:
      return LDAP_MOD_DELETE;
    case Modification::Op::kReplace:
      return LDAP_MOD_REPLACE;
  }
  return LDAP_MOD_REPLACE;
}

std::string ChangeName(const Change& change) {
  struct {
    std::string operator()(const AddRequest& r) const { return "add " + r.entry.dn; }
    std::string operator()(const ModifyRequest& r) const { return "modify " + r.dn; }
    std::string operator()(const ModRdnRequest& r) const { return "modrdn " + r.dn; }
    std::string operator()(const DeleteRequest& r) const { return "delete " + r.dn; }
  } name;
  return std::visit(name, change);
}

// libldap writes to its socket with plain write(); when the server has gone,
// that raises SIGPIPE, whose default action kills the process. A lost server
// must be an error value (LDAP_SERVER_DOWN), so SIGPIPE is ignored unless the
// program installed its own handler.
void IgnoreSigpipeUnlessHandled() {
  static const bool done = [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      signal(SIGPIPE, SIG_IGN);
    }
    return true;
  }();
  (void)done;
}

}  // namespace

struct Connection::Impl {
  ConnectOptions options;
  LdapPtr ld;

  // The error libldap recorded on the handle for a request that failed locally.
  Error HandleError(std::string_view what, int rc) {
    char* diagnostic_raw = nullptr;
    ldap_get_option(ld.get(), LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic_raw);
    MemPtr diagnostic(diagnostic_raw);
    return MakeError(what, rc, diagnostic ? diagnostic.get() : "");
  }

  int HandleResultCode() {
    int rc = LDAP_OTHER;
    ldap_get_option(ld.get(), LDAP_OPT_RESULT_CODE, &rc);
    return rc;
  }

  // Waits for the next message of `msgid` (all of it with `all`). On a timeout
  // the request is abandoned. Returns 0 and sets *out, or a result code.
  int Wait(int msgid, bool all, MessagePtr* out) {
    timeval tv = ToTimeval(options.operation_timeout);
    LDAPMessage* raw = nullptr;
    const int type = ldap_result(ld.get(), msgid, all ? LDAP_MSG_ALL : LDAP_MSG_ONE, &tv, &raw);
    MessagePtr message(raw);
    if (type == 0) {
      ldap_abandon_ext(ld.get(), msgid, nullptr, nullptr);
      return LDAP_TIMEOUT;
    }
    if (type < 0) return HandleResultCode();
    *out = std::move(message);
    return LDAP_SUCCESS;
  }

  // The result code, diagnostic and matched DN of a result message.
  struct Outcome {
    int rc = LDAP_OTHER;
    std::string diagnostic;
    std::string matched;
    ControlsPtr controls;
  };
  Outcome Parse(LDAPMessage* message) {
    Outcome outcome;
    int rc = LDAP_OTHER;
    char* matched_raw = nullptr;
    char* diagnostic_raw = nullptr;
    LDAPControl** controls_raw = nullptr;
    const int parse_rc = ldap_parse_result(ld.get(), message, &rc, &matched_raw, &diagnostic_raw,
                                           nullptr, &controls_raw, 0);
    MemPtr matched(matched_raw);
    MemPtr diagnostic(diagnostic_raw);
    outcome.controls.reset(controls_raw);
    outcome.rc = parse_rc == LDAP_SUCCESS ? rc : parse_rc;
    if (matched && *matched) outcome.matched = matched.get();
    if (diagnostic) outcome.diagnostic = diagnostic.get();
    return outcome;
  }

  // Sends with `send`, waits for the whole answer, returns its outcome; sets
  // *msgid_out to the request's message id when given.
  Outcome Exchange(const std::function<int(int*)>& send, MessagePtr* keep = nullptr,
                   int* msgid_out = nullptr) {
    int msgid = -1;
    const int send_rc = send(&msgid);
    if (msgid_out != nullptr) *msgid_out = msgid;
    Outcome outcome;
    if (send_rc != LDAP_SUCCESS) {
      outcome.rc = send_rc;
      char* diagnostic_raw = nullptr;
      ldap_get_option(ld.get(), LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic_raw);
      MemPtr diagnostic(diagnostic_raw);
      if (diagnostic) outcome.diagnostic = diagnostic.get();
      return outcome;
    }
    MessagePtr message;
    const int wait_rc = Wait(msgid, true, &message);
    if (wait_rc != LDAP_SUCCESS) {
      outcome.rc = wait_rc;
      return outcome;
    }
    outcome = Parse(message.get());
    if (keep != nullptr) *keep = std::move(message);
    return outcome;
  }

  Status Check(std::string_view what, const Outcome& outcome) {
    if (outcome.rc == LDAP_SUCCESS) return Ok();
    return MakeError(what, outcome.rc, outcome.diagnostic, outcome.matched);
  }

  int SendAdd(const Entry& entry, LDAPControl** controls, int* msgid) {
    ModList mods;
    for (const auto& [attribute, values] : entry.attributes)
      mods.Add(LDAP_MOD_ADD, attribute, values);
    return ldap_add_ext(ld.get(), entry.dn.c_str(), mods.Finish(), controls, nullptr, msgid);
  }

  int SendModify(const std::string& dn, const std::vector<Modification>& modifications,
                 LDAPControl** controls, int* msgid) {
    ModList mods;
    for (const Modification& m : modifications) mods.Add(ModOp(m.op), m.attribute, m.values);
    return ldap_modify_ext(ld.get(), dn.c_str(), mods.Finish(), controls, nullptr, msgid);
  }

  int SendModRdn(const ModRdnRequest& request, LDAPControl** controls, int* msgid) {
    return ldap_rename(ld.get(), request.dn.c_str(), request.new_rdn.c_str(),
                       request.new_superior ? request.new_superior->c_str() : nullptr,
                       request.delete_old_rdn ? 1 : 0, controls, nullptr, msgid);
  }

  int SendDelete(const std::string& dn, LDAPControl** controls, int* msgid) {
    return ldap_delete_ext(ld.get(), dn.c_str(), controls, nullptr, msgid);
  }

  int SendChange(const Change& change, LDAPControl** controls, int* msgid) {
    if (const auto* add = std::get_if<AddRequest>(&change))
      return SendAdd(add->entry, controls, msgid);
    if (const auto* mod = std::get_if<ModifyRequest>(&change)) {
      return SendModify(mod->dn, mod->modifications, controls, msgid);
    }
    if (const auto* rdn = std::get_if<ModRdnRequest>(&change))
      return SendModRdn(*rdn, controls, msgid);
    return SendDelete(std::get<DeleteRequest>(change).dn, controls, msgid);
  }

  Status Bind(const Credentials& credentials);
  Status SearchPage(const SearchRequest& request, const std::string& what,
                    const EntryVisitor& visit, std::string* cookie);
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

const ConnectOptions& Connection::options() const { return impl_->options; }

LDAP* internal::ConnectionAccess::Handle(Connection& connection) {
  return connection.impl_->ld.get();
}

std::chrono::milliseconds internal::ConnectionAccess::OperationTimeout(
    const Connection& connection) {
  return connection.impl_->options.operation_timeout;
}

Result<Connection> Connection::Open(const ConnectOptions& options, const Credentials& credentials) {
  IgnoreSigpipeUnlessHandled();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string what = "connect " + options.url;
  LDAP* raw = nullptr;
  const int rc = ldap_initialize(&raw, options.url.c_str());
  impl->ld.reset(raw);
  if (rc != LDAP_SUCCESS || !impl->ld) {
    return ConfigError(
        what + ": not a usable LDAP URL (ldap://, ldaps:// or ldapi://): " + ResultText(rc));
  }
  LDAP* ld = impl->ld.get();
  const int version = LDAP_VERSION3;
  timeval network = ToTimeval(options.network_timeout);
  timeval operation = ToTimeval(options.operation_timeout);
  if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &network) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld, LDAP_OPT_TIMEOUT, &operation) != LDAP_OPT_SUCCESS) {
    return Internal(what + ": libldap refused the connection options");
  }
  if (!options.tls_ca_file.empty() || !options.tls_verify_peer) {
    const int require = options.tls_verify_peer ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
    const int is_server = 0;
    if ((!options.tls_ca_file.empty() &&
         ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, options.tls_ca_file.c_str()) !=
             LDAP_OPT_SUCCESS) ||
        ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS) {
      return ConfigError(what + ": TLS settings refused (CA file " + options.tls_ca_file + ")");
    }
  }
  const int connect_rc = ldap_connect(ld);
  if (connect_rc != LDAP_SUCCESS) return impl->HandleError(what, connect_rc);
  DANHBA_RETURN_IF_ERROR(impl->Bind(credentials));
  return Connection(std::move(impl));
}

Status Connection::Impl::Bind(const Credentials& credentials) {
  switch (credentials.method) {
    case Credentials::Method::kAnonymous:
    case Credentials::Method::kSimple: {
      const bool anonymous = credentials.method == Credentials::Method::kAnonymous;
      const std::string what =
          anonymous ? "anonymous bind to " + options.url : "bind " + credentials.dn;
      if (!anonymous && (credentials.dn.empty() || credentials.password.empty())) {
        return InvalidInput(what +
                            ": a simple bind needs a DN and a non-empty password "
                            "(without one the server would bind anonymously)");
      }
      berval password = View(anonymous ? std::string_view() : credentials.password);
      const std::string dn = anonymous ? std::string() : credentials.dn;
      return Check(what, Exchange([&](int* msgid) {
                     return ldap_sasl_bind(ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &password,
                                           nullptr, nullptr, msgid);
                   }));
    }
    case Credentials::Method::kSaslExternal: {
      const std::string what = "SASL EXTERNAL bind to " + options.url;
      // An empty initial response (present, zero length): "authorize me as the
      // identity you see" (RFC 4422 appendix A). A null bv_val would send none,
      // and the server would answer with a challenge instead.
      static char kNothing[] = "";
      berval empty{0, kNothing};
      Outcome outcome;
      // EXTERNAL takes one round; a server that still asks for one more gets the
      // same empty response, a bounded number of times.
      for (int round = 0; round < 3; ++round) {
        outcome = Exchange([&](int* msgid) {
          return ldap_sasl_bind(ld.get(), nullptr, "EXTERNAL", &empty, nullptr, nullptr, msgid);
        });
        if (outcome.rc != LDAP_SASL_BIND_IN_PROGRESS) break;
      }
      return Check(what, outcome);
    }
  }
  return Internal("bind: unknown method");
}

Status Connection::Bind(const Credentials& credentials) { return impl_->Bind(credentials); }

Result<Entry> internal::CopyEntry(LDAP* ld, LDAPMessage* message) {
  Entry entry;
  MemPtr dn(ldap_get_dn(ld, message));
  if (!dn) {
    int rc = LDAP_OTHER;
    ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
    return MakeError("reading an entry's DN", rc);
  }
  entry.dn = dn.get();
  BerElement* ber_raw = nullptr;
  MemPtr name(ldap_first_attribute(ld, message, &ber_raw));
  BerPtr ber(ber_raw);
  for (; name; name.reset(ldap_next_attribute(ld, message, ber.get()))) {
    ValuesPtr values(ldap_get_values_len(ld, message, name.get()));
    Values& out = entry.attributes[name.get()];
    for (berval** v = values.get(); v != nullptr && *v != nullptr; ++v) {
      out.emplace_back((*v)->bv_val, (*v)->bv_len);
    }
  }
  return entry;
}

Status Connection::Impl::SearchPage(const SearchRequest& request, const std::string& what,
                                    const EntryVisitor& visit, std::string* cookie) {
  ControlPtr page_control;
  if (request.page_size > 0) {
    berval cookie_bv = View(*cookie);
    LDAPControl* raw = nullptr;
    const int rc = ldap_create_page_control(ld.get(), request.page_size, &cookie_bv, 1, &raw);
    page_control.reset(raw);
    if (rc != LDAP_SUCCESS) return HandleError(what, rc);
  }
  LDAPControl* controls[] = {page_control.get(), nullptr};
  std::vector<char*> attributes;
  for (const std::string& a : request.attributes)
    attributes.push_back(const_cast<char*>(a.c_str()));
  attributes.push_back(nullptr);
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(request.time_limit.count());
  int msgid = -1;
  const int send_rc = ldap_search_ext(
      ld.get(), request.base.c_str(), ToLdapScope(request.scope), request.filter.c_str(),
      request.attributes.empty() ? nullptr : attributes.data(), 0,
      page_control ? controls : nullptr, nullptr, request.time_limit.count() > 0 ? &limit : nullptr,
      request.size_limit, &msgid);
  if (send_rc != LDAP_SUCCESS) return HandleError(what, send_rc);
  cookie->clear();
  while (true) {
    MessagePtr message;
    const int wait_rc = Wait(msgid, false, &message);
    if (wait_rc != LDAP_SUCCESS) return MakeError(what, wait_rc);
    switch (ldap_msgtype(message.get())) {
      case LDAP_RES_SEARCH_ENTRY: {
        auto entry = internal::CopyEntry(ld.get(), message.get());
        Status visited = entry.ok() ? visit(std::move(*entry)) : Status(entry.take_error());
        if (!visited.ok()) {
          ldap_abandon_ext(ld.get(), msgid, nullptr, nullptr);
          return visited;
        }
        break;
      }
      case LDAP_RES_SEARCH_REFERENCE:
        break;  // referrals are not chased
      case LDAP_RES_SEARCH_RESULT: {
        Outcome outcome = Parse(message.get());
        if (outcome.rc == LDAP_SIZELIMIT_EXCEEDED && request.size_limit > 0) return Ok();
        DANHBA_RETURN_IF_ERROR(Check(what, outcome));
        if (request.page_size > 0) {
          LDAPControl* response =
              ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, outcome.controls.get(), nullptr);
          if (response == nullptr) return Ok();  // the server did not page: all was sent
          ber_int_t estimate = 0;
          berval next{0, nullptr};
          const int rc = ldap_parse_pageresponse_control(ld.get(), response, &estimate, &next);
          std::unique_ptr<char, decltype(&ber_memfree)> next_owner(next.bv_val, &ber_memfree);
          if (rc != LDAP_SUCCESS) return MakeError(what + ": paged results", rc);
          if (next.bv_len > 0) cookie->assign(next.bv_val, next.bv_len);
        }
        return Ok();
      }
      default:
        break;
    }
  }
}

Status Connection::Search(const SearchRequest& request, const EntryVisitor& visit) {
  const std::string what = "search " + request.filter + " under " +
                           (request.base.empty() ? std::string("the root DSE") : request.base);
  std::string cookie;
  do {
    DANHBA_RETURN_IF_ERROR(impl_->SearchPage(request, what, visit, &cookie));
  } while (!cookie.empty());
  return Ok();
}

Status Connection::Add(const Entry& entry) {
  return impl_->Check("add " + entry.dn, impl_->Exchange([&](int* msgid) {
    return impl_->SendAdd(entry, nullptr, msgid);
  }));
}

Status Connection::Modify(std::string_view dn, const std::vector<Modification>& modifications) {
  const std::string target(dn);
  return impl_->Check("modify " + target, impl_->Exchange([&](int* msgid) {
    return impl_->SendModify(target, modifications, nullptr, msgid);
  }));
}

Status Connection::ModRdn(const ModRdnRequest& request) {
  return impl_->Check("modrdn " + request.dn, impl_->Exchange([&](int* msgid) {
    return impl_->SendModRdn(request, nullptr, msgid);
  }));
}

Status Connection::Delete(std::string_view dn) {
  const std::string target(dn);
  return impl_->Check("delete " + target, impl_->Exchange([&](int* msgid) {
    return impl_->SendDelete(target, nullptr, msgid);
  }));
}

Result<bool> Connection::Compare(std::string_view dn, std::string_view attribute,
                                 std::string_view value) {
  const std::string target(dn);
  const std::string type(attribute);
  berval assertion = View(value);
  const std::string what = "compare " + type + " of " + target;
  Impl::Outcome outcome = impl_->Exchange([&](int* msgid) {
    return ldap_compare_ext(impl_->ld.get(), target.c_str(), type.c_str(), &assertion, nullptr,
                            nullptr, msgid);
  });
  if (outcome.rc == LDAP_COMPARE_TRUE) return true;
  if (outcome.rc == LDAP_COMPARE_FALSE) return false;
  if (outcome.rc == LDAP_SUCCESS)
    return Internal(what + ": the server answered neither true nor false");
  return MakeError(what, outcome.rc, outcome.diagnostic, outcome.matched);
}

Result<std::string> Connection::PasswordModify(std::string_view user_dn,
                                               std::string_view old_password,
                                               std::string_view new_password) {
  const std::string what =
      "password modify " +
      (user_dn.empty() ? std::string("of the bound identity") : std::string(user_dn));
  berval user = View(user_dn);
  berval old_pw = View(old_password);
  berval new_pw = View(new_password);
  MessagePtr message;
  Impl::Outcome outcome = impl_->Exchange(
      [&](int* msgid) {
        return ldap_passwd(impl_->ld.get(), user_dn.empty() ? nullptr : &user,
                           old_password.empty() ? nullptr : &old_pw,
                           new_password.empty() ? nullptr : &new_pw, nullptr, nullptr, msgid);
      },
      &message);
  DANHBA_RETURN_IF_ERROR(impl_->Check(what, outcome));
  if (!new_password.empty()) return std::string(new_password);
  berval generated{0, nullptr};
  const int rc = ldap_parse_passwd(impl_->ld.get(), message.get(), &generated);
  std::unique_ptr<char, decltype(&ber_memfree)> generated_owner(generated.bv_val, &ber_memfree);
  if (rc != LDAP_SUCCESS) return MakeError(what + ": reading the generated password", rc);
  if (generated.bv_len == 0) return Internal(what + ": the server generated no password");
  return std::string(generated.bv_val, generated.bv_len);
}

Result<std::string> Connection::WhoAmI() {
  berval* raw = nullptr;
  const int rc = ldap_whoami_s(impl_->ld.get(), &raw, nullptr, nullptr);
  BervalPtr authzid(raw);
  if (rc != LDAP_SUCCESS) return impl_->HandleError("whoami", rc);
  if (!authzid || authzid->bv_len == 0) return std::string();
  return std::string(authzid->bv_val, authzid->bv_len);
}

Status Connection::Apply(const std::vector<Change>& changes) {
  if (changes.empty()) return Ok();
  const std::string what = "transaction of " + std::to_string(changes.size()) + " changes";
  berval* txn_raw = nullptr;
  const int start_rc = ldap_txn_start_s(impl_->ld.get(), nullptr, nullptr, &txn_raw);
  BervalPtr txn_id(txn_raw);
  if (start_rc != LDAP_SUCCESS) return impl_->HandleError(what + ": start", start_rc);
  if (!txn_id) return Internal(what + ": the server returned no transaction id");

  LDAPControl* control_raw = nullptr;
  const int control_rc =
      ldap_control_create(LDAP_CONTROL_TXN_SPEC, 1, txn_id.get(), 1, &control_raw);
  ControlPtr control(control_raw);
  if (control_rc != LDAP_SUCCESS) return MakeError(what + ": transaction control", control_rc);
  LDAPControl* controls[] = {control.get(), nullptr};

  auto abort = [&] {
    int ignored = 0;
    ldap_txn_end_s(impl_->ld.get(), 0, txn_id.get(), nullptr, nullptr, &ignored);
  };
  std::vector<int> msgids;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    int msgid = -1;
    Impl::Outcome outcome = impl_->Exchange(
        [&](int* id) { return impl_->SendChange(changes[i], controls, id); }, nullptr, &msgid);
    msgids.push_back(msgid);
    if (outcome.rc != LDAP_SUCCESS) {
      Error error = MakeError(
          what + ", change " + std::to_string(i + 1) + " (" + ChangeName(changes[i]) + ")",
          outcome.rc, outcome.diagnostic, outcome.matched);
      if (MapResultCode(outcome.rc) != ErrorCode::kTransient) abort();
      return error;
    }
  }
  // slapd 2.5 answers an update inside a transaction before the thread that
  // queued it is done with it, and a TXN END arriving in that window can crash
  // the server. One more round trip on this connection first narrows the window.
  {
    berval* ignored_raw = nullptr;
    const int barrier_rc = ldap_whoami_s(impl_->ld.get(), &ignored_raw, nullptr, nullptr);
    BervalPtr ignored(ignored_raw);
    if (barrier_rc != LDAP_SUCCESS) return impl_->HandleError(what + ": before commit", barrier_rc);
  }
  // TXN END by hand: libldap 2.5's ldap_txn_end_s cannot decode slapd's
  // response data (it reports a decoding error and loses the result code).
  MessagePtr end_message;
  Impl::Outcome end = impl_->Exchange(
      [&](int* msgid) {
        return ldap_txn_end(impl_->ld.get(), 1, txn_id.get(), nullptr, nullptr, msgid);
      },
      &end_message);
  if (end.rc == LDAP_SUCCESS) return Ok();
  std::string where = what + ": commit";
  if (end_message) {
    char* oid_raw = nullptr;
    berval* data_raw = nullptr;
    const int parse_rc =
        ldap_parse_extended_result(impl_->ld.get(), end_message.get(), &oid_raw, &data_raw, 0);
    MemPtr oid(oid_raw);
    BervalPtr data(data_raw);
    // RFC 5805 txnEndRes: SEQUENCE { messageID of the failed update OPTIONAL, ... }
    if (parse_rc == LDAP_SUCCESS && data) {
      internal::BerBufferPtr ber(ber_init(data.get()));
      ber_int_t failed_msgid = -1;
      if (ber && ber_scanf(ber.get(), "{i", &failed_msgid) != LBER_ERROR) {
        for (std::size_t i = 0; i < msgids.size(); ++i) {
          if (msgids[i] == failed_msgid) {
            where += ", change " + std::to_string(i + 1) + " (" + ChangeName(changes[i]) + ")";
          }
        }
      }
    }
  }
  return MakeError(where, end.rc, end.diagnostic, end.matched);
}

}  // namespace danhba::ldap
