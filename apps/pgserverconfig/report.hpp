// pgserverconfig's text rendering of an audit: grouped table, summary, live HBA rules.
#pragma once

#include <string>

#include "server/audit.hpp"

namespace pgmonkey::app::pgserverconfig {

// Writes the report to stdout through app::out.
void print_audit(const server::AuditReport& report, const std::string& fail_on);

}  // namespace pgmonkey::app::pgserverconfig
