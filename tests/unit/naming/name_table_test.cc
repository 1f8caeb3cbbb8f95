// The address rule over a table of names, each in every form a name arrives in.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "danhba/naming/address.h"
#include "danhba/naming/name.h"
#include "danhba/text/legacy.h"
#include "unit/naming/forms.h"

namespace danhba::naming {
namespace {

using testing::AllForms;

struct NameCase {
  const char* name;        // NFC, proper case: also the expected full_name
  const char* local_part;  // the tencbcc
};

// Common and rare family names (Điểu, Ông, Ưng, Ỷ), compound family names (Tôn
// Thất, Hoàng Phủ, Âu Dương, Nguyễn Phúc), two to five words, one-word names,
// minority names (Ksor, Rơ Châm, Siu, Y, K', Thạch), every vowel shape and tone.
const NameCase kNames[] = {
    {"Nguyễn Văn An", "annv"},
    {"Nguyễn Văn Hùng", "hungnv"},
    {"Nguyễn Văn Hưng", "hungnv"},
    {"Trần Thị Lan", "lantt"},
    {"Lê Văn Tám", "tamlv"},
    {"Phạm Minh Chính", "chinhpm"},
    {"Hoàng Thị Loan", "loanht"},
    {"Huỳnh Tấn Phát", "phatht"},
    {"Phan Bội Châu", "chaupb"},
    {"Vũ Đức Đam", "damvd"},
    {"Võ Nguyên Giáp", "giapvn"},
    {"Đặng Thùy Trâm", "tramdt"},
    {"Bùi Xuân Phái", "phaibx"},
    {"Đỗ Mười", "muoid"},
    {"Hồ Chí Minh", "minhhc"},
    {"Ngô Bảo Châu", "chaunb"},
    {"Dương Thu Hương", "huongdt"},
    {"Lý Thường Kiệt", "kietlt"},
    {"Trương Vĩnh Ký", "kytv"},
    {"Đinh Bộ Lĩnh", "linhdb"},
    {"Lâm Quang Thiệp", "thieplq"},
    {"Mai Văn Phấn", "phanmv"},
    {"Trịnh Công Sơn", "sontc"},
    {"Đoàn Thị Điểm", "diemdt"},
    {"Lương Thế Vinh", "vinhlt"},
    {"Cao Bá Quát", "quatcb"},
    {"Tạ Quang Bửu", "buutq"},
    {"Quách Thị Trang", "trangqt"},
    {"Diệp Minh Tuyền", "tuyendm"},
    {"Điểu Thị Hạnh", "hanhdt"},
    {"Nguyễn Thị Minh Khai", "khaintm"},
    {"Nguyễn Thị Ánh Tuyết", "tuyetnta"},
    {"Trần Nguyễn Hoàng Yến", "yentnh"},
    {"Lê Hoàng Ngọc Ánh", "anhlhn"},
    {"Nguyễn Hữu Đức", "ducnh"},
    {"Nguyễn Đức Hữu", "huund"},
    {"Phạm Quốc Cường", "cuongpq"},
    {"Trần Thanh Phương", "phuongtt"},
    {"Lê Công Vinh", "vinhlc"},
    {"Nguyễn Xuân Phúc", "phucnx"},
    {"Hoàng Ngọc Hải", "haihn"},
    {"Nguyễn Đình Thắng", "thangnd"},
    {"Trần Quang Khải", "khaitq"},
    {"Lê Thị Thu Hằng", "hangltt"},
    {"Phạm Kim Oanh", "oanhpk"},
    {"Ngô Minh Thúy", "thuynm"},
    {"Vũ Hồng Nhung", "nhungvh"},
    {"Đặng Bích Ngọc", "ngocdb"},
    {"Bùi Thùy Linh", "linhbt"},
    {"Đỗ Mỹ Linh", "linhdm"},
    {"Hồ Ngọc Hà", "hahn"},
    {"Lý Nhã Kỳ", "kyln"},
    {"Trần Ưng", "ungt"},
    {"Lê Ước", "uocl"},
    {"Nguyễn Ơn", "onn"},
    {"Phan Ứng Ửng", "ungpu"},
    {"Đàm Vĩnh Hưng", "hungdv"},
    {"Ưng Hoàng Phúc", "phucuh"},
    {"Ông Văn Ích", "ichov"},
    {"Ông Thị Ánh", "anhot"},
    {"Bà Văn Tư", "tubv"},
    {"Lê Lợi", "loil"},
    {"Ngô Quyền", "quyenn"},
    {"Mạc Đĩnh Chi", "chimd"},
    {"Chu Văn An", "ancv"},
    {"Nguyễn Trãi", "train"},
    {"Tôn Thất Thuyết", "thuyettt"},
    {"Tôn Thất Tùng", "tungtt"},
    {"Tôn Nữ Thị Ninh", "ninhtnt"},
    {"Hoàng Phủ Ngọc Tường", "tuonghpn"},
    {"Nguyễn Phúc Vĩnh Lộc", "locnpv"},
    {"Nguyễn Phúc Ánh", "anhnp"},
    {"Âu Dương Lân", "lanad"},
    {"Tôn Thất Bách Khoa", "khoattb"},
    {"Điểu K'Nam", "knamd"},
    {"Điểu Xiêng", "xiengd"},
    {"Điểu Thị Bích", "bichdt"},
    {"K'Bảo Ka", "kak"},
    {"Thạch Thị Sa Rết", "rettts"},
    {"Lò Văn Giàng", "gianglv"},
    {"Hà Văn Thắng", "thanghv"},
    {"Y Moan Ênuôl", "enuolym"},
    {"Ksor Phước", "phuock"},
    {"Rơ Châm Ly", "lyrc"},
    {"Siu Pơ Lang", "langsp"},
    {"Lâm Quang Ka", "kalq"},
    {"Đinh Y Ngọc", "ngocdy"},
    {"Nông Đức Mạnh", "manhnd"},
    {"Triệu Thị Trinh", "trinhtt"},
    {"Cầm Bá Thước", "thuoccb"},
    {"Nguyễn Thị Thu Thủy", "thuyntt"},
    {"Nguyễn Thị Thúy Hằng", "hangntt"},
    {"Huỳnh Ngọc Sĩ", "sihn"},
    {"Võ Thị Sáu", "sauvt"},
    {"Nguyễn Thị Định", "dinhnt"},
    {"Trần Đại Quang", "quangtd"},
    {"Nguyễn Phú Trọng", "trongnp"},
    {"Tô Lâm", "lamt"},
    {"Lương Cường", "cuongl"},
    {"Trần Thanh Mẫn", "mantt"},
    {"Phạm Bình Minh", "minhpb"},
    {"Nguyễn Tấn Dũng", "dungnt"},
    {"Trương Tấn Sang", "sangtt"},
    {"Lê Khả Phiêu", "phieulk"},
    {"Đỗ Đức Duy", "duydd"},
    {"Nguyễn Kim Sơn", "sonnk"},
    {"Đào Ngọc Dung", "dungdn"},
    {"Lê Minh Hoan", "hoanlm"},
    {"Huỳnh Thành Đạt", "datht"},
    {"Nguyễn Mạnh Hùng", "hungnm"},
    {"Tạ Đình Thi", "thitd"},
    {"Bùi Thanh Sơn", "sonbt"},
    {"Phạm Thị Thanh Trà", "traptt"},
    {"Nguyễn Chí Dũng", "dungnc"},
    {"Hồ Đức Phớc", "phochd"},
    {"Đặng Quốc Khánh", "khanhdq"},
    {"Võ Văn Thưởng", "thuongvv"},
    {"Vương Đình Huệ", "huevd"},
    {"Nguyễn Hòa Bình", "binhnh"},
    {"Trương Thị Mai", "maitt"},
    {"Lê Thanh Hải", "hailt"},
    {"Nguyễn Văn Nên", "nennv"},
    {"Phan Văn Mãi", "maipv"},
    {"Đinh La Thăng", "thangdl"},
    {"Cao Tiến Dũng", "dungct"},
    {"Võ Tấn Đức", "ducvt"},
    {"Nguyễn Hồng Lĩnh", "linhnh"},
    {"Trần Văn Vĩnh", "vinhtv"},
    {"Mai Thành Kha", "khamt"},
    {"Nguyễn Thị Ngọc Hân", "hanntn"},
    {"Đặng Thị Ngọc Thịnh", "thinhdtn"},
    {"Nguyễn Thị Kim Ngân", "nganntk"},
    {"Tòng Thị Phóng", "phongtt"},
    {"Hà Thị Khiết", "khietht"},
    {"Nguyễn Thị Doan", "doannt"},
    {"Lê Thị Huyền Trân", "tranlth"},
    {"Trần Thị Ngọc Hương", "huongttn"},
    {"Huỳnh Văn Nghệ", "nghehv"},
    {"Nguyễn Văn Trỗi", "troinv"},
    {"Lê Văn Duyệt", "duyetlv"},
    {"Trịnh Hoài Đức", "ducth"},
    {"Đồ Chiểu", "chieud"},
    {"Nguyễn Đình Chiểu", "chieund"},
    {"Phan Thanh Giản", "gianpt"},
    {"Trần Văn Ơn", "ontv"},
    {"Nguyễn An Ninh", "ninhna"},
    {"Phạm Ngọc Thạch", "thachpn"},
    {"Nguyễn Thị Lựu", "luunt"},
    {"Dương Vân Nga", "ngadv"},
    {"Ỷ Lan", "lany"},
    {"Lê Chân", "chanl"},
    {"Bùi Thị Xuân", "xuanbt"},
    {"Nguyễn Thị Bích Châu", "chauntb"},
    {"Ngọc Hân", "hann"},
    {"Hùng", "hung"},
    {"Thuận", "thuan"},
    {"Nguyễn Văn Việt Anh Tuấn", "tuannvva"},
};

class NameTableTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(NameTableTest, EveryFormGivesTheSameAddressAndFullName) {
  const NameCase& c = GetParam();
  for (const auto& form : AllForms()) {
    SCOPED_TRACE(form.name);
    const std::string input = form.make(c.name);
    auto result = AddressFor(input);
    ASSERT_TRUE(result.ok()) << input << ": " << result.error();
    EXPECT_EQ(result->local_part.value, c.local_part);
    EXPECT_EQ(result->name.full_name, c.name);
    std::string appended = "x";
    ASSERT_TRUE(AppendLocalPart(input, appended).ok());
    EXPECT_EQ(appended, std::string("x") + c.local_part);
  }
}

// Each name written in each legacy encoding, as old Excel files hold it, read
// back by the text module, gives the same address. TCVN3 and VNI fonts write
// capitals as separate fonts or codes; a name the encoding cannot write in
// proper case is tried in lower case, which gives the same address.
TEST_P(NameTableTest, EveryLegacyEncodingGivesTheSameAddress) {
  const NameCase& c = GetParam();
  using text::Encoding;
  for (const Encoding encoding :
       {Encoding::kTcvn3, Encoding::kVni, Encoding::kViscii, Encoding::kCp1258,
        Encoding::kTcvn3AsCp1252, Encoding::kVniAsCp1252, Encoding::kUtf8AsCp1252}) {
    SCOPED_TRACE(std::string(text::EncodingName(encoding)));
    auto bytes = text::Encode(c.name, encoding);
    if (!bytes.ok()) bytes = text::Encode(testing::ToLower(c.name), encoding);
    ASSERT_TRUE(bytes.ok()) << bytes.error();
    auto decoded = text::Decode(*bytes, encoding);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    auto result = AddressFor(*decoded);
    ASSERT_TRUE(result.ok()) << *decoded << ": " << result.error();
    EXPECT_EQ(result->local_part.value, c.local_part);
    EXPECT_EQ(result->name.full_name, c.name);
  }
}

std::string CaseName(const ::testing::TestParamInfo<NameCase>& info) {
  std::string out;
  for (const char ch : std::string_view(info.param.local_part)) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out.push_back(ch);
  }
  return std::to_string(info.index) + "_" + out;
}

INSTANTIATE_TEST_SUITE_P(Names, NameTableTest, ::testing::ValuesIn(kNames), CaseName);

TEST(NameTable, HoldsAtLeast150Names) { EXPECT_GE(std::size(kNames), 150u); }

}  // namespace
}  // namespace danhba::naming
