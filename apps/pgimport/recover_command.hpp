// pgimport --recover and the normal path's warning about what interrupted parallel runs left.
#pragma once

#include "common/cli.hpp"
#include "db/connection.hpp"

namespace pgmonkey::app::pgimport {

// Finishes the dead runs' prepared transactions and drops their hidden tables (or, with
// dry_run, only lists them); prints what it did. 0 when everything found was finished (or
// nothing was found), 1 when something could not be.
int run_recover(const CommonOptions& common, bool dry_run);

// One warning line when dead runs left something on the server; never fails the import (a
// failing query only shows with -v).
void warn_about_leftovers(db::Connection& conn);

}  // namespace pgmonkey::app::pgimport
