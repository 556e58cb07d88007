// One run of the import chain, Decoder → RecordScanner → CopySink. The load, a dry run and the
// second pass that finds where a failing record starts are runs of this same loop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "csv/record_scanner.hpp"
#include "encoding/detect.hpp"
#include "transfer/import_plan.hpp"
#include "transfer/stages.hpp"

namespace pgmonkey::transfer {

constexpr std::size_t kHeadBytes = 256 * 1024;  // raw bytes read for encoding detection
constexpr std::size_t kChunkBytes = 64 * 1024;  // one read of the input

struct ImportChain {
  Decoder& decoder;
  csv::RecordScanner& scanner;
  CopySink& sink;
  std::string invalid_message;  // for input the decoder cannot decode
  std::string invalid_hint;
};

// The scanner settings the plan implies (dialect, field count, header, trailing fields).
csv::RecordScanner::Config scanner_config(const ImportPlan& plan);

// Scans `buf` (decoded text not yet scanned; `status` is the decoder's last answer) and all
// that follows. `between` runs after each chunk; when it returns false the run stops early.
// Returns true when the input ended. Throws csv::DataError for bad data.
bool run_chain(ImportChain& chain, std::string& buf, Decoder::Status status, const std::function<bool()>& between);

// The second run of the same chain: reads the input again (from `reopen`) up to the record COPY
// numbers `copy_line` and returns the file line it starts on; nullopt when that cannot be found.
std::optional<std::uint64_t> find_record_start(const ByteSourceOpener& reopen, const encoding::EncodingChoice& encoding,
                                               csv::RecordScanner::Config scanner, std::uint64_t copy_line);

}  // namespace pgmonkey::transfer
