#include "danhba/base/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace danhba {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("danhba-files-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(FilesTest, ReplacesTheFileWithTheModeAsked) {
  fs::path file = dir_ / "state.json";
  ASSERT_TRUE(WriteFileAtomically(file, "old\n").ok());
  Status written = WriteFileAtomically(file, std::string("new\0bytes", 9), 0640);
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_EQ(Read(file), std::string("new\0bytes", 9));
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_FALSE(fs::exists(dir_ / "state.json.tmp"));
}

TEST_F(FilesTest, WithoutSyncTheFileIsStillReplacedWhole) {
  fs::path file = dir_ / "position.json";
  ASSERT_TRUE(WriteFileAtomically(file, "{\"cursor\": 1}\n").ok());
  Status written = WriteFileAtomically(file, "{\"cursor\": 2}\n", 0640, FileSync::kNone);
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_EQ(Read(file), "{\"cursor\": 2}\n");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  EXPECT_FALSE(fs::exists(dir_ / "position.json.tmp"));
}

TEST_F(FilesTest, WithoutSyncAFailureStillLeavesTheOldFileAndNoTemporary) {
  fs::path file = dir_ / "taken";
  fs::create_directories(file / "inside");
  Status written = WriteFileAtomically(file, "x", 0600, FileSync::kNone);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().detail.find("cannot rename"), std::string::npos) << written.error();
  EXPECT_TRUE(fs::is_directory(file / "inside"));
  EXPECT_FALSE(fs::exists(dir_ / "taken.tmp"));
}

TEST_F(FilesTest, ALeftoverTemporaryFileGetsTheModeAsked) {
  fs::path file = dir_ / "secret";
  { std::ofstream(dir_ / "secret.tmp") << "leftover of a crash"; }
  fs::permissions(dir_ / "secret.tmp", fs::perms::all);
  ASSERT_TRUE(WriteFileAtomically(file, "s3cret").ok());
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(Read(file), "s3cret");
}

TEST_F(FilesTest, AMissingDirectoryIsAnErrorNamingTheFile) {
  fs::path file = dir_ / "missing" / "state.json";
  Status written = WriteFileAtomically(file, "x");
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kInternal);
  EXPECT_NE(written.error().detail.find((dir_ / "missing" / "state.json.tmp").string()),
            std::string::npos)
      << written.error().detail;
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(FilesTest, AFailedRenameLeavesTheOldFileAndNoTemporary) {
  // A directory where the file should be: the rename fails after the write.
  fs::path file = dir_ / "taken";
  fs::create_directories(file / "inside");
  Status written = WriteFileAtomically(file, "x");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().detail.find("cannot rename"), std::string::npos) << written.error();
  EXPECT_TRUE(fs::is_directory(file / "inside"));
  EXPECT_FALSE(fs::exists(dir_ / "taken.tmp"));
}

}  // namespace
}  // namespace danhba
