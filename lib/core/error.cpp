// The one error hierarchy: constructors kept out of line so the vtable lives here.
#include "core/error.hpp"

namespace pgmonkey {

Error::Error(ExitCode code, std::string message, std::string detail, std::string hint)
    : std::runtime_error(std::move(message)), code_(code), detail_(std::move(detail)), hint_(std::move(hint)) {}

}  // namespace pgmonkey
