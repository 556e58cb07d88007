// Giving freed heap memory back to the system before a long, steady phase (an import's stream).
#pragma once

namespace pgmonkey::core {

// glibc keeps what was freed for reuse, so memory the setup used once (sniffing a sample,
// connecting) still counts in the process's peak while the data flows; this returns the free
// pages to the system. Cheap (a walk over the heap's free lists); a no-op off glibc.
void release_free_memory() noexcept;

}  // namespace pgmonkey::core
