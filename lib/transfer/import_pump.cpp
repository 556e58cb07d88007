// The import chain's loop, and its second run for line numbers.
#include "transfer/import_pump.hpp"

#include "core/memory.hpp"
#include "csv/number_syntax.hpp"
#include "transfer/text_reader.hpp"

namespace pgmonkey::transfer {
namespace {

// What is left of a chunk (an unfinished record) is usually small: a chunk and this much fit.
constexpr std::size_t kCarryBytes = 64 * 1024;

// Room in `buf` for the next chunk behind what is left of the last one. Left to itself the
// string would keep the sniffed sample's size (256 kB or more) or double from it, holding the old
// and the new while it copies; a buffer of one chunk and the usual carry is enough, and one grown
// for a long record shrinks back once that record is through.
void make_room(std::string& buf, std::size_t chunk) {
  const std::size_t usual = chunk + kCarryBytes, want = buf.size() + chunk;
  if (want > usual) return;  // a long record: let it grow as strings do
  if (buf.capacity() >= want && buf.capacity() < 2 * usual) return;
  std::string room;
  room.reserve(usual);
  room.append(buf);
  buf.swap(room);
}

}  // namespace

// The scanner settings the plan implies.
csv::RecordScanner::Config scanner_config(const ImportPlan& plan) {
  csv::RecordScanner::Config sc;
  sc.delimiter = plan.dialect.delimiter.value;
  sc.quote = plan.dialect.quote.value;
  sc.line_ending = plan.dialect.line_ending;
  sc.expected_fields = plan.fields;
  sc.skip_header = plan.dialect.header.value;
  sc.drop_trailing_fields = plan.drop_trailing_fields;
  // Values that cannot be numbers are set aside without asking the server (--max-errors only:
  // the scanner judges them only when it sets records aside). The plan's columns are the file's
  // fields in order; any other shape is left to the server.
  if (plan.columns.size() + plan.drop_trailing_fields == plan.fields) {
    bool any = false;
    for (const auto& c : plan.columns) {
      sc.number_fields.push_back({csv::number_type_name(c.type), c.column});
      any = any || sc.number_fields.back().type != nullptr;
    }
    if (!any) sc.number_fields.clear();
    // Nothing after the last number field needs splitting.
    while (!sc.number_fields.empty() && sc.number_fields.back().type == nullptr) sc.number_fields.pop_back();
    sc.null_string = plan.dialect.null_string.value_or("");
  }
  return sc;
}

bool run_chain(ImportChain& chain, std::string& buf, Decoder::Status status, const std::function<bool()>& between) {
  const csv::RecordScanner::Sink send = [&](const char* p, std::size_t n) { chain.sink.write(p, n); };
  for (bool first = true;; first = false) {
    const bool at_end = status == Decoder::Status::end;
    buf.erase(0, chain.scanner.scan(buf.data(), buf.size(), at_end, send));
    // What was decoded is scanned (an unfinished record included): the bad input is on the
    // line the scanner stopped on.
    if (status == Decoder::Status::invalid)
      throw csv::DataError(chain.scanner.lines() + 1, chain.invalid_message, chain.invalid_hint);
    if (at_end) return true;
    if (!between()) return false;
    make_room(buf, kChunkBytes);
    // Once the sample is scanned and its buffer swapped for one a chunk long, what the setup
    // freed (the sniffing, the connection) goes back to the system before the long run.
    if (first) core::release_free_memory();
    status = chain.decoder.read(buf, kChunkBytes);
  }
}

std::optional<std::uint64_t> find_record_start(const ByteSourceOpener& reopen, const encoding::EncodingChoice& enc,
                                               csv::RecordScanner::Config config, std::uint64_t copy_line) {
  if (!reopen) return std::nullopt;  // standard input or a pipe cannot be read twice
  try {
    auto in = reopen();
    std::string head;
    in->read_until(head, kHeadBytes);
    TextReader reader(*in, std::move(head), enc);
    config.find_copy_line = copy_line;
    csv::RecordScanner scanner(config);
    NullSink nowhere;
    ImportChain chain{reader, scanner, nowhere, {}, {}};
    std::string buf;
    auto status = reader.read(buf, kChunkBytes);
    (void)csv::take_excel_sep_line(buf);  // as the import did
    run_chain(chain, buf, status, [&] { return !scanner.line_map().line_of(copy_line); });
    return scanner.line_map().line_of(copy_line);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace pgmonkey::transfer
