// The connection keywords this libpq understands, as it reports them (PQconndefaults).
#pragma once

#include <string>
#include <vector>

namespace pgmonkey::config {

const std::vector<std::string>& libpq_keywords();
bool is_libpq_keyword(const std::string& key);

}  // namespace pgmonkey::config
