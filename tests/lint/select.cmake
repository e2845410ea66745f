# Picks the translation units to lint out of a build's compile database:
#   cmake -DDATABASE=<build>/compile_commands.json -DSOURCES=<list file>
#         -DOUT=<dir> [-DSKIP=<file;...>] -P select.cmake
# SOURCES holds one unit a line (written by tests/lint/CMakeLists.txt): the
# file's absolute path, "paths" or "no-paths" (whether the path-exploring
# analysers explore it), and the target whose compile command to use, tab-
# separated. SKIP names sources this tool leaves out (each with its reason in
# that file). A file can be compiled by several targets with other flags (a
# sample for the image and for the hosted target): the entry kept is the
# listed target's. Writes
#   OUT/compile_commands.json   the kept entries (for cppcheck --project)
#   OUT/units.txt               one kept entry a line: file, mode, directory, command (tab-separated)
cmake_minimum_required(VERSION 3.25)
foreach(v DATABASE SOURCES OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "select.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${DATABASE}")
  message(FATAL_ERROR "lint: no compile database at ${DATABASE}; re-run cmake on this build "
                      "(tests/lint turns on EXPORT_COMPILE_COMMANDS for the linted targets)")
endif()

file(STRINGS "${SOURCES}" lines)
set(wanted "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    message(FATAL_ERROR "select.cmake: bad line in ${SOURCES}: '${line}'")
  endif()
  set(file "${CMAKE_MATCH_1}")
  if(DEFINED SKIP AND file IN_LIST SKIP)
    continue()
  endif()
  list(APPEND wanted "${file}")
  set("mode_${file}" "${CMAKE_MATCH_2}")
  set("target_${file}" "${CMAKE_MATCH_3}")
endforeach()

file(READ "${DATABASE}" db)
string(JSON count LENGTH "${db}")
set(kept "")
set(units "")
set(found "")
if(count GREATER 0)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON file GET "${db}" ${i} file)
    if(NOT file IN_LIST wanted OR file IN_LIST found)
      continue()
    endif()
    string(JSON command GET "${db}" ${i} command)
    # The object file names the target: <dir>/CMakeFiles/<target>.dir/<source>.o
    string(FIND "${command}" "CMakeFiles/${target_${file}}.dir/" ours)
    if(ours EQUAL -1)
      continue()
    endif()
    string(JSON directory GET "${db}" ${i} directory)
    string(JSON entry GET "${db}" ${i})
    if(kept)
      string(APPEND kept ",\n")
    endif()
    string(APPEND kept "${entry}")
    string(APPEND units "${file}\t${mode_${file}}\t${directory}\t${command}\n")
    list(APPEND found "${file}")
  endforeach()
endif()

# Every listed source must have been found: a silent gap would pass as clean.
set(missing "")
foreach(file IN LISTS wanted)
  if(NOT file IN_LIST found)
    string(APPEND missing "  ${file} (target ${target_${file}})\n")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "lint: these sources have no entry in ${DATABASE}; re-run cmake on this build:\n${missing}")
endif()

file(MAKE_DIRECTORY "${OUT}")
file(WRITE "${OUT}/compile_commands.json" "[\n${kept}\n]\n")
file(WRITE "${OUT}/units.txt" "${units}")
