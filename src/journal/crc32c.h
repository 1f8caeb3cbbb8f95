// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI,
// ext4 and leveldb: Crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <string_view>

namespace danhba::journal {

// Extends `crc` (the CRC of earlier bytes, 0 for none) over `data`.
std::uint32_t Crc32cExtend(std::uint32_t crc, std::string_view data);
inline std::uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

}  // namespace danhba::journal
