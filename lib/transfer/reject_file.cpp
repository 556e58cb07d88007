// Writing the reject file and its log.
#include "transfer/reject_file.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "encoding/transcoder.hpp"

namespace pgmonkey::transfer {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

}  // namespace

std::string default_reject_path(const std::string& file) {
  if (file == "-" || file.empty()) return {};
  auto slash = file.rfind('/');
  auto dot = file.rfind('.');
  std::string stem =
      dot != std::string::npos && (slash == std::string::npos || dot > slash + 1) ? file.substr(0, dot) : file;
  return stem + ".rejects.csv";
}

bool reencodes_exactly(const encoding::EncodingChoice& enc) {
  if (enc.is_utf8()) return true;
  const std::string name = upper(enc.name);
  if (core::starts_with(name, "UTF-16") || core::starts_with(name, "UTF-32") || core::starts_with(name, "UCS-"))
    return true;
  // Stateful single-byte encodings compose letters and marks: not one to one.
  if (name.find("1258") != std::string::npos || name.find("TCVN") != std::string::npos) return false;
  try {
    encoding::Transcoder in(enc.name);
    encoding::Transcoder out("UTF-8", enc.name);
    for (int b = 0; b < 256; ++b) {
      const char byte = static_cast<char>(b);
      std::string text;
      auto step = in.convert(std::string_view(&byte, 1), text, true);
      in.finish(text);
      if (step.invalid) continue;            // never decoded, so never written back
      if (step.consumed != 1) return false;  // a lead byte: a multi-byte encoding
      std::string back;
      auto s2 = out.convert(text, back, true);
      out.finish(back);
      if (s2.invalid || back != std::string(1, byte)) return false;
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

RejectFile::RejectFile(std::string path, bool force, const encoding::EncodingChoice& enc, std::string source)
    : path_(std::move(path)), force_(force), encoding_(enc), source_(std::move(source)) {
  if (!force_)
    for (const auto& p : {path_, log_path()})
      if (exists(p))
        throw UsageError("reject file " + p + " already exists; not overwriting it",
                         "look at it, move it away, or pass --force to replace it");
  if (!encoding_.is_utf8()) back_ = std::make_unique<encoding::Transcoder>("UTF-8", encoding_.name);
}

RejectFile::~RejectFile() = default;

void RejectFile::write_raw(std::string_view text) {
  if (!back_) {
    data_pending_.append(text);
    return;
  }
  buf_.clear();
  auto step = back_->convert(text, buf_, true);
  back_->finish(buf_);
  if (step.invalid) throw JobError("cannot write a rejected record back in " + encoding_.name);
  data_pending_.append(buf_);
}

void RejectFile::flush() {
  data_->write(data_pending_.data(), data_pending_.size());
  log_->write(log_pending_.data(), log_pending_.size());
  data_pending_.clear();
  log_pending_.clear();
}

void RejectFile::add(const Rejected& r) {
  if (!data_) {
    data_ = std::make_unique<AtomicFile>(path_, force_);
    log_ = std::make_unique<AtomicFile>(log_path(), force_);
    if (encoding_.bom_length > 0) write_raw("\xEF\xBB\xBF");  // the input's BOM, in its encoding
    if (!header_.empty()) write_raw(header_);
  }
  write_raw(r.raw);
  std::string line = fmt::format("{}:{}: ", source_, r.line);
  if (!r.column.empty()) line += "column " + r.column + ": ";
  line += r.message;
  if (!r.sqlstate.empty()) line += " (" + r.sqlstate + ")";
  for (auto& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // one line per reject
  line += '\n';
  log_pending_.append(line);
  ++count_;
  if (data_pending_.size() + log_pending_.size() >= (64u << 10)) flush();
}

void RejectFile::commit() {
  if (!data_) return;
  flush();
  data_->commit();
  log_->commit();
}

}  // namespace pgmonkey::transfer
