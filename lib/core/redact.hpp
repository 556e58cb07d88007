// Last line of defence for secrets: every string the tools emit passes through redact().
#pragma once

#include <string>
#include <string_view>

namespace pgmonkey::core {

// Registers a secret (a password, say) that must never appear in output. Secrets shorter than
// kMinSecretLength are not masked: masking every "x" would wreck the output, and the tools never
// print a password by construction; this is the safety net, not the mechanism.
inline constexpr std::size_t kMinSecretLength = 4;
void register_secret(std::string_view secret);
// Replaces every registered secret in `text` with "********", and the password of any
// scheme://user:password@host URI, registered or not.
std::string redact(std::string_view text);
// Only the URI part: postgresql://app:s3cret@db/x → postgresql://app:********@db/x.
std::string mask_uri_passwords(std::string_view text);

}  // namespace pgmonkey::core
