# CPack pre-build step: strip the installed tools as dh_strip does (CPack's plain strip keeps the
# compiler's .comment and .note sections, which lintian flags as unneeded).
file(GLOB tools "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/bin/*")
find_program(STRIP_EXECUTABLE strip)
foreach(tool IN LISTS tools)
  execute_process(COMMAND ${STRIP_EXECUTABLE} --remove-section=.comment --remove-section=.note --strip-unneeded ${tool}
                  COMMAND_ERROR_IS_FATAL ANY)
endforeach()
