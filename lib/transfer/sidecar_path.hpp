// Where pgmonkey keeps a CSV file's sidecar config (data.csv → data.yaml), for import and export.
#pragma once

#include <string>

namespace pgmonkey::transfer {

// pgmonkey's name for the sidecar of `data_file`: its extension swapped for .yaml, or .yaml
// appended when it has none (a leading dot, as in .hidden, does not start an extension). A
// compression suffix does not count: data.csv.gz → data.yaml (or data.csv.yaml).
std::string sidecar_path(const std::string& data_file);

// The sidecar that exists next to `data_file` as a regular file: pgmonkey's name first, then
// FILE.yaml spelled literally (data.csv.yaml). Empty when neither exists, or for "-" (stdin/stdout).
// `connection_config` (the -c file) is never taken for a sidecar: app.yaml is the connection
// config of `-c app.yaml -o app.csv`, not app.csv's export settings.
std::string find_sidecar(const std::string& data_file, const std::string& connection_config = {});

}  // namespace pgmonkey::transfer
