// How the bytes the server sends become the file's bytes: server-side conversion, or UTF-16 and
// ASCII on the client.
#pragma once

#include <string>

namespace pgmonkey::transfer {

enum class ClientTranscode { none, utf16le, utf16be, ascii_check };

struct EncodingPlan {
  std::string server_encoding;  // for COPY's ENCODING option (the server converts)
  ClientTranscode client = ClientTranscode::none;
  std::string bom;  // written before the data
};

// utf-16 (= UTF-16LE with BOM), utf-16le/be (with BOM) and ascii are done client-side from
// UTF8; utf-8-sig adds a UTF-8 BOM; Python's cpNNNN names map to PostgreSQL's WINNNNN; every
// other name is passed to the server, which knows its own aliases (latin1, iso-8859-1, ...).
EncodingPlan plan_encoding(const std::string& name);

// What the file is in, for the summary: "UTF-16LE", "ASCII", "LATIN1", "UTF8 with BOM".
std::string display_encoding(const EncodingPlan& plan, const std::string& canonical);

// Encodings PostgreSQL offers only to clients: their second bytes can look like ASCII.
bool is_client_only(const std::string& canonical);

}  // namespace pgmonkey::transfer
