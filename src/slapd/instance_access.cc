// A reused directory follows the configuration's ACLs and limits.
//
// cn=config is written once, when the directory is created; the ACLs depend on
// the configuration (ldap.anonymous_read, the service accounts) and on the
// release that generated them. Without this, a directory made before a change
// would keep granting what the configuration no longer grants. The change
// applied last is kept in <directory>/access.ldif; when what the options
// generate now differs, it is applied over ldapi:// as the root identity
// (SASL EXTERNAL) and the file replaced. Indexes and overlays are not touched.
#include <fstream>
#include <sstream>

#include "danhba/base/files.h"
#include "danhba/base/log.h"
#include "danhba/slapd/instance.h"
#include "slapd/process.h"

namespace danhba::slapd {

namespace fs = std::filesystem;

fs::path Instance::access_file() const { return options_.directory / "access.ldif"; }

Status Instance::UpdateAccess() {
  const std::string wanted = AccessChangeLdif(GeneratedConfig(data_dir()));
  std::string applied;
  {
    std::ifstream in(access_file(), std::ios::binary);
    std::ostringstream content;
    if (in) content << in.rdbuf();
    applied = content.str();
  }
  if (applied == wanted) return Ok();
  const std::string tool = options_.ldapmodify_path.string();
  auto run = RunProcess({tool, "-Q", "-Y", "EXTERNAL", "-H", ldapi_url()}, wanted);
  if (!run.ok()) return run.take_error();
  if (run->exit_code != 0) {
    return ConfigError("cannot bring the ACLs of the directory in " + options_.directory.string() +
                       " up to date with the configuration (" + tool + " exit " +
                       std::to_string(run->exit_code) + "): " + LastLines(run->output, 4));
  }
  DANHBA_RETURN_IF_ERROR(WriteFileAtomically(access_file(), wanted, 0644));
  log::Get("slapd")->info(
      "the ACLs and limits of {} now follow the configuration ({})", options_.directory.string(),
      applied.empty() ? "first check of a directory made before it was kept" : "they had changed");
  return Ok();
}

}  // namespace danhba::slapd
