// The import chain's loop, and its second run for line numbers.
#include "transfer/import_pump.hpp"

#include <algorithm>

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

// The n of character varying(n) or character(n); 0 for any other type.
std::size_t max_chars(std::string_view type) {
  for (std::string_view prefix : {"character varying(", "character("})
    if (type.substr(0, prefix.size()) == prefix && type.size() > prefix.size() + 1 && type.back() == ')') {
      std::size_t n = 0;
      for (char c : type.substr(prefix.size(), type.size() - prefix.size() - 1)) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      return n;
    }
  return 0;
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
  // Values the server would certainly refuse are set aside without asking it (--max-errors only:
  // the scanner judges them only when it sets records aside). The plan's columns are the file's
  // fields in order; any other shape is left to the server.
  if (plan.columns.size() + plan.drop_trailing_fields == plan.fields) {
    for (const auto& c : plan.columns) {
      const bool not_null = std::find(plan.not_null_columns.begin(), plan.not_null_columns.end(), c.column) !=
                            plan.not_null_columns.end();
      sc.field_rules.push_back({csv::number_type_name(c.type), not_null, c.column, csv::NumberStorage::of(c.type),
                                max_chars(c.type), c.type});
    }
    // Nothing after the last judged field needs splitting.
    while (!sc.field_rules.empty() && !sc.field_rules.back().number_type && !sc.field_rules.back().not_null &&
           !sc.field_rules.back().max_chars)
      sc.field_rules.pop_back();
    sc.null_string = plan.dialect.null_string.value_or("");
    // The CHECK constraints a record's number fields alone decide.
    std::vector<csv::CheckColumn> columns;
    for (std::size_t i = 0; i < sc.field_rules.size(); ++i)
      if (sc.field_rules[i].number_type) columns.push_back({plan.columns[i].column, i, plan.columns[i].type});
    for (const auto& c : plan.checks)
      if (auto check = csv::ClientCheck::parse(c.name, c.definition, columns)) sc.checks.push_back(std::move(*check));
    sc.relation = plan.relation_name;
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
