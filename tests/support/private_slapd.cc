#include "support/private_slapd.h"

#include <stdlib.h>

#include <cstdlib>

namespace danhba::testing {

namespace fs = std::filesystem;

Result<std::unique_ptr<PrivateSlapd>> PrivateSlapd::Start(
    const std::function<void(slapd::InstanceOptions&)>& customize) {
  std::unique_ptr<PrivateSlapd> slapd(new PrivateSlapd());
  // Short: the ldapi socket path inside it is limited to 107 bytes.
  std::string templ = "/tmp/danhba-own-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return Internal("cannot create a temporary directory");
  slapd->root_ = templ;
  slapd::InstanceOptions options;
  options.directory = slapd->root_ / "slapd";
  options.durable = false;
  if (customize) customize(options);
  auto instance = slapd::Instance::Create(options);
  if (!instance.ok()) return instance.take_error();
  slapd->instance_ = std::move(instance).value();
  DANHBA_RETURN_IF_ERROR(slapd->instance_->Start());
  return slapd;
}

PrivateSlapd::~PrivateSlapd() {
  if (instance_) {
    (void)instance_->Stop();
    instance_.reset();
  }
  const char* keep = std::getenv("DANHBA_KEEP_TEST_DIRS");
  if (keep != nullptr && *keep != '\0' && std::string_view(keep) != "0") return;
  std::error_code ec;
  if (!root_.empty()) fs::remove_all(root_, ec);
}

CommandResult PrivateSlapd::Search(const std::string& dn, const std::string& password,
                                   const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ldapsearch", "-LLL", "-x", "-o", "ldif-wrap=no",
                                   "-H", instance_->url()};
  if (!dn.empty()) argv.insert(argv.end(), {"-D", dn, "-w", password});
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

CommandResult PrivateSlapd::ModifyAsRoot(const std::string& ldif, bool add) const {
  std::vector<std::string> argv = {"ldapmodify", "-Q", "-Y", "EXTERNAL", "-H",
                                   instance_->ldapi_url()};
  if (add) argv.push_back("-a");
  return RunCommand(argv, ldif);
}

CommandResult PrivateSlapd::ModifyAs(const std::string& dn, const std::string& password,
                                     const std::string& ldif, bool add) const {
  std::vector<std::string> argv = {"ldapmodify", "-x", "-H", instance_->url(), "-D", dn,
                                   "-w", password};
  if (add) argv.push_back("-a");
  return RunCommand(argv, ldif);
}

}  // namespace danhba::testing
