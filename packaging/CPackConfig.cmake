# Binary packages with CPack: DEB and RPM, runtime dependencies computed by the packaging tools
# (dpkg-shlibdeps for DEB, rpmbuild's automatic requirements for RPM), never listed by hand.
set(CPACK_PACKAGE_NAME pgmonkey)
set(CPACK_PACKAGE_VENDOR "The pgmonkey developers")
set(CPACK_PACKAGE_CONTACT "The pgmonkey developers <pgmonkey@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL connection, audit and CSV tools")
# One string: several arguments would make a CMake list, joined with ';'.
set(CPACK_PACKAGE_DESCRIPTION
    "pgconfig creates, validates and tests YAML connection configs;
pgserverconfig recommends and audits server settings; pgimport loads
CSV files with COPY; pgexport writes tables to CSV files atomically.")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/strip-like-dh.cmake)

# Not the name dpkg-buildpackage gives its .deb (pgmonkey_VERSION_ARCH.deb), so the two cannot be
# confused when they sit side by side.
find_program(DPKG_EXECUTABLE dpkg)
if(DPKG_EXECUTABLE)
  execute_process(COMMAND ${DPKG_EXECUTABLE} --print-architecture OUTPUT_VARIABLE pgmonkey_deb_arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${pgmonkey_deb_arch})
endif()
set(CPACK_DEBIAN_FILE_NAME "pgmonkey_${PROJECT_VERSION}_${pgmonkey_deb_arch}.cpack.deb")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE MIT)
set(CPACK_RPM_PACKAGE_GROUP "Applications/Databases")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# Folders the base system owns; the package must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/man /usr/share/man/man1 /usr/share/man/man5 /usr/share/bash-completion
    /usr/share/bash-completion/completions /usr/share/zsh /usr/share/zsh/vendor-completions /usr/share/fish
    /usr/share/fish/vendor_completions.d)

include(CPack)
