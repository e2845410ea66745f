# A site folder holding a file whose name CMake cannot list (a quote, a
# backslash, a '$') must fail the configuration at once, naming the file
# and the fix, not loop in CMake's own glob check:
#   cmake -DSOURCE=<strata source> -DWORK=<scratch dir> -P embed_bad_name.cmake
cmake_minimum_required(VERSION 3.25)
foreach(bad [[say "hi".txt]] [[back\slash.txt]] [[$HOME.txt]])
  set(project "${WORK}/project")
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${project}/site")
  file(WRITE "${project}/site/index.html" "<p>hi</p>\n")
  file(WRITE "${project}/site/${bad}" "x\n")
  file(WRITE "${project}/main.cpp" "int main() {}\n")
  file(WRITE "${project}/CMakeLists.txt" "cmake_minimum_required(VERSION 3.25)\nproject(bad LANGUAGES CXX)\n"
             "include(\"${SOURCE}/cmake/StrataEmbed.cmake\")\nadd_executable(site_server main.cpp)\n"
             "strata_embed_files(site_server site)\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -S "${project}" -B "${WORK}/build" -G Ninja
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  string(REPLACE "\n" " " said "${err}")
  string(REGEX REPLACE " +" " " said "${said}")
  string(FIND "${said}" "cannot embed '${bad}': CMake cannot list a file whose name holds a quote" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "embed_bad_name: '${bad}': configure exited ${rc}, said:\n${err}")
  endif()
  message(STATUS "embed_bad_name: '${bad}' refused by name")
endforeach()
file(REMOVE_RECURSE "${WORK}")
message(STATUS "embed_bad_name: ok")
