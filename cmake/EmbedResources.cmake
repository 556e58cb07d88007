# Turns every file under a folder into a byte array in a generated C++ source, so installed
# binaries carry their templates and work from any prefix.
function(pgmonkey_embed_resources out_cpp root_dir)
  file(GLOB_RECURSE files RELATIVE "${root_dir}" CONFIGURE_DEPENDS "${root_dir}/*")
  list(SORT files)
  set(abs_files "")
  foreach(f IN LISTS files)
    list(APPEND abs_files "${root_dir}/${f}")
  endforeach()
  add_custom_command(
    OUTPUT "${out_cpp}"
    COMMAND ${CMAKE_COMMAND} -DROOT_DIR=${root_dir} -DOUT=${out_cpp}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_resources_script.cmake"
    DEPENDS ${abs_files} "${PROJECT_SOURCE_DIR}/cmake/embed_resources_script.cmake"
    COMMENT "Embedding templates"
    VERBATIM)
endfunction()
