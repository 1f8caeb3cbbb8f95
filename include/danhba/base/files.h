// Replacing a whole file so that a crash leaves either the old content or the
// new one, never a mix or an empty file.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "danhba/base/result.h"

namespace danhba {

// Writes `content` to `path` + ".tmp" (created with `mode`, set again with
// fchmod because O_CREAT's mode does not apply to a file left by an interrupted
// run, and umask does not apply either), fsyncs it, renames it over `path` and
// fsyncs the directory so the rename itself survives a crash. The directory
// must exist. On failure the temporary file is removed, `path` is untouched and
// the Error (kInternal) names the file and the reason, e.g.
// "cannot write /var/lib/danhba/x.tmp: No space left on device".
//
// With FileSync::kNone neither the file nor the directory is fsynced: the
// replacement is still whole after a crash of the process, but a crash of the
// machine may lose it (or, on some file systems, leave the file empty). For a
// file rewritten so often that an fsync each time costs too much and that is
// synced again soon anyway.
enum class FileSync { kFileAndDirectory, kNone };
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode = 0600, FileSync sync = FileSync::kFileAndDirectory);

}  // namespace danhba
