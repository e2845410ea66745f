# strata_add_unikernel(<name> <source> [TARGETS <target>...] [FILES <folder>...])
#
# Builds one unikernel description (one .cpp with STRATA_MAIN) for each
# target, from the same file; the description never names its target:
#   x86_64  -> target <name>, the bootable image <name>.elf
#             (qemu-system-x86_64 -kernel <name>.elf), plus <name>.map
#   hosted  -> target <name>-hosted, a Linux executable hosted/<name>
# TARGETS defaults to both. FILES embeds each folder's files in every
# target, as the header <embedded/<folder name>.hpp> (StrataEmbed.cmake),
# for strata::http::files<strata::embedded::<folder name>>.
#
# STRATA_ROOT must point at the directory holding targets/ (set by the
# project or by find_package(strata)).

include_guard(GLOBAL)
include("${STRATA_ROOT}/targets/x86_64/target.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/StrataEmbed.cmake")

function(strata_add_unikernel name source)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "TARGETS;FILES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "strata_add_unikernel(${name} ...): unexpected arguments '${arg_UNPARSED_ARGUMENTS}'; "
                        "the form is strata_add_unikernel(<name> <source.cpp> [TARGETS x86_64 hosted] [FILES <folder>...])")
  endif()
  if(NOT arg_TARGETS)
    set(arg_TARGETS x86_64 hosted)
  endif()
  get_filename_component(source "${source}" ABSOLUTE)
  foreach(target IN LISTS arg_TARGETS)
    if(target STREQUAL "x86_64")
      strata_x86_64_add_image(${name} SOURCES "${source}")
      target_compile_definitions(${name} PRIVATE STRATA_UNIKERNEL_NAME="${name}")
      foreach(folder IN LISTS arg_FILES)
        strata_embed_files(${name} "${folder}")
      endforeach()
    elseif(target STREQUAL "hosted")
      strata_hosted_add_executable(${name}-hosted "${source}")
      target_compile_definitions(${name}-hosted PRIVATE STRATA_UNIKERNEL_NAME="${name}")
      set_target_properties(${name}-hosted PROPERTIES OUTPUT_NAME ${name}
        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/hosted)
      foreach(folder IN LISTS arg_FILES)
        strata_embed_files(${name}-hosted "${folder}")
      endforeach()
    else()
      message(FATAL_ERROR "strata_add_unikernel(${name} ...): unknown target '${target}'; "
                          "the targets are x86_64 and hosted")
    endif()
  endforeach()
endfunction()

# A hosted executable (the same description as an ordinary Linux process).
# Tests use it directly for hosted builds that are not samples.
function(strata_hosted_add_executable name)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE strata::headers)
  target_include_directories(${name} PRIVATE "${STRATA_ROOT}/targets/hosted/include")
  target_compile_definitions(${name} PRIVATE STRATA_TARGET_HOSTED=1)
endfunction()
