# Release builds get the hardening flags Debian's own packages get (PIE, relro/now, fortify,
# stack protector): asked from dpkg-buildflags, so the CPack packages match the Debian ones.
# Not for Debug or sanitizer builds (fortify needs optimisation), and not when the caller
# already passes them (debian/rules: dh sets CXXFLAGS/LDFLAGS itself).
if(NOT PGMONKEY_HARDENING OR PGMONKEY_SANITIZE OR NOT CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$")
  return()
endif()

find_program(DPKG_BUILDFLAGS_EXECUTABLE dpkg-buildflags)
function(pgmonkey_buildflags var name fallback)
  if(DPKG_BUILDFLAGS_EXECUTABLE)
    execute_process(
      COMMAND ${CMAKE_COMMAND} -E env DEB_BUILD_MAINT_OPTIONS=hardening=+all ${DPKG_BUILDFLAGS_EXECUTABLE} --get ${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  else()
    set(flags "${fallback}")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  # The build type chooses optimisation and debug info.
  list(FILTER flags EXCLUDE REGEX "^-(O[0-9sgz]?|g)$")
  set(${var} ${flags} PARENT_SCOPE)
endfunction()

pgmonkey_buildflags(hardening_cppflags CPPFLAGS "-D_FORTIFY_SOURCE=2")
pgmonkey_buildflags(hardening_cxxflags CXXFLAGS "-fstack-protector-strong -fstack-clash-protection -fcf-protection")
pgmonkey_buildflags(hardening_ldflags LDFLAGS "-Wl,-z,relro -Wl,-z,now")
target_compile_options(pgmonkey_build_flags INTERFACE ${hardening_cppflags} ${hardening_cxxflags})
target_link_options(pgmonkey_build_flags INTERFACE ${hardening_ldflags})
# PIE executables (GCC's default on Debian, asked for explicitly elsewhere).
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()
message(STATUS "Hardening flags: ${hardening_cppflags} ${hardening_cxxflags} ${hardening_ldflags}")
