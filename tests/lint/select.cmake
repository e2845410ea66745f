# Picks the hosted translation units out of a build's compile database:
#   cmake -DDATABASE=<build>/compile_commands.json -DSOURCES=<list file>
#         -DHOSTED_INCLUDE=<dir> -DOUT=<dir> [-DSKIP=<file;...>] -P select.cmake
# SOURCES holds one absolute path a line (written by tests/lint/CMakeLists.txt);
# SKIP names sources this tool leaves out (each with its reason in that file).
# An entry is kept when its file is listed and it is compiled for the hosted
# target (HOSTED_INCLUDE on its include path): a sample is also compiled for
# the image, with other flags, and that entry is not linted. Writes
#   OUT/compile_commands.json   the kept entries (for clang-tidy -p and cppcheck --project)
#   OUT/units.txt               one kept entry a line: file, directory, command (tab-separated)
cmake_minimum_required(VERSION 3.25)
foreach(v DATABASE SOURCES HOSTED_INCLUDE OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "select.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${DATABASE}")
  message(FATAL_ERROR "lint: no compile database at ${DATABASE}; re-run cmake on this build "
                      "(tests/lint turns on EXPORT_COMPILE_COMMANDS for the hosted targets)")
endif()

file(STRINGS "${SOURCES}" wanted)
if(DEFINED SKIP AND SKIP)
  list(REMOVE_ITEM wanted ${SKIP})
endif()
file(READ "${DATABASE}" db)
string(JSON count LENGTH "${db}")
set(kept "")
set(units "")
set(found "")
if(count GREATER 0)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON file GET "${db}" ${i} file)
    string(JSON command GET "${db}" ${i} command)
    string(JSON directory GET "${db}" ${i} directory)
    string(FIND "${command}" "-I${HOSTED_INCLUDE}" hosted)
    if(NOT file IN_LIST wanted OR hosted EQUAL -1)
      continue()
    endif()
    string(JSON entry GET "${db}" ${i})
    if(kept)
      string(APPEND kept ",\n")
    endif()
    string(APPEND kept "${entry}")
    string(APPEND units "${file}\t${directory}\t${command}\n")
    list(APPEND found "${file}")
  endforeach()
endif()

# Every listed source must have been found: a silent gap would pass as clean.
set(missing "")
foreach(file IN LISTS wanted)
  if(NOT file IN_LIST found)
    string(APPEND missing "  ${file}\n")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "lint: these sources have no hosted entry in ${DATABASE}; re-run cmake on this build:\n${missing}")
endif()

file(MAKE_DIRECTORY "${OUT}")
file(WRITE "${OUT}/compile_commands.json" "[\n${kept}\n]\n")
file(WRITE "${OUT}/units.txt" "${units}")
