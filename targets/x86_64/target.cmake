# Strata x86_64 QEMU target: include() this file, then
#
#   strata_x86_64_add_image(<target> SOURCES <files...> [STACK_SIZE <bytes>]
#                           [LINKER_SCRIPT <file>])
#
# creates the executable <target> (file <target>.elf, linker map <target>.map
# beside it) from the given sources plus the target's own (boot, paging, traps,
# platform, runtime shims), linked with linker.ld. It links the INTERFACE target
# strata::headers, which must exist when the image target is generated (the
# main CMakeLists defines it). STACK_SIZE sets the main stack (default 65536;
# a 4 KiB guard page sits below it). Boot with:
#   qemu-system-x86_64 -M microvm -cpu max -m 16M -nodefaults -no-reboot \
#     -serial stdio -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
#     -kernel <target>.elf
# Works with g++ (>= 12) and clang++ (>= 19; uses lld through -fuse-ld=lld).
include_guard(GLOBAL)

# Captured at include time: inside the function CMAKE_CURRENT_LIST_DIR would
# name the caller's directory. Works in-tree and from an installed copy.
set(STRATA_X86_64_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "Strata x86_64 target directory")

set(STRATA_X86_64_SOURCES
  "${STRATA_X86_64_DIR}/src/boot.cpp"
  "${STRATA_X86_64_DIR}/src/start.cpp"
  "${STRATA_X86_64_DIR}/src/platform.cpp"
  "${STRATA_X86_64_DIR}/src/runtime.cpp"
  CACHE INTERNAL "Strata x86_64 target sources")

set(STRATA_X86_64_COMPILE_OPTIONS
  -O2 -ffreestanding -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-pie -fno-pic -mno-red-zone -mcmodel=small -fno-threadsafe-statics
  -ffunction-sections -fdata-sections -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls
  -fstack-protector-strong -mstack-protector-guard=global
  -march=x86-64-v3 -mpclmul -maes
  CACHE INTERNAL "Strata x86_64 compile options")

function(strata_x86_64_add_image TARGET)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "STACK_SIZE;LINKER_SCRIPT" "SOURCES")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "strata_x86_64_add_image(${TARGET}): unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "strata_x86_64_add_image(${TARGET}): SOURCES is required")
  endif()
  # LINKER_SCRIPT replaces linker.ld (the audit's tests plant violations with it).
  set(linker_script "${STRATA_X86_64_DIR}/linker.ld")
  if(ARG_LINKER_SCRIPT)
    set(linker_script "${ARG_LINKER_SCRIPT}")
  endif()

  add_executable(${TARGET} ${ARG_SOURCES} ${STRATA_X86_64_SOURCES})
  set_target_properties(${TARGET} PROPERTIES
    OUTPUT_NAME "${TARGET}.elf"
    SUFFIX ""
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    POSITION_INDEPENDENT_CODE OFF
    LINK_DEPENDS "${linker_script}")
  target_include_directories(${TARGET} PRIVATE "${STRATA_X86_64_DIR}/include")
  target_compile_definitions(${TARGET} PRIVATE STRATA_TARGET_X86_64=1)
  target_compile_options(${TARGET} PRIVATE ${STRATA_X86_64_COMPILE_OPTIONS})

  # The target's own code runs once at boot or waits on I/O: compile it for
  # size and scalar. Under QEMU TCG each first-executed block costs a
  # translation (tens of us) and AVX2 is emulated by helpers: an
  # auto-vectorized IDT fill loop once cost ~1 ms of boot time.
  set_source_files_properties(${STRATA_X86_64_SOURCES} TARGET_DIRECTORY ${TARGET} PROPERTIES
    COMPILE_OPTIONS "-Os;$<IF:$<CXX_COMPILER_ID:GNU>,-fno-tree-vectorize,-fno-vectorize;-fno-slp-vectorize>")

  target_link_options(${TARGET} PRIVATE
    -nostdlib -static
    "LINKER:-T,${linker_script}"
    "LINKER:--gc-sections"
    "LINKER:-z,max-page-size=4096"
    "LINKER:--build-id=none"
    "LINKER:-Map=$<TARGET_FILE_DIR:${TARGET}>/${TARGET}.map")
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_link_options(${TARGET} PRIVATE -fuse-ld=lld)
  else()
    target_link_options(${TARGET} PRIVATE -no-pie)
  endif()
  if(NOT ARG_STACK_SIZE)
    set(ARG_STACK_SIZE 65536)
  endif()
  target_link_options(${TARGET} PRIVATE "LINKER:--defsym=strata_stack_size=${ARG_STACK_SIZE}")
  # strata::headers: include dirs (strata, fmt, hana, highway); gcc: libgcc.a
  # for compiler helpers (__udivti3, ...), after the objects.
  target_link_libraries(${TARGET} PRIVATE strata::headers gcc)
  # The symbol table and the debug information move to <target>.debug
  # beside the booted file (./strata run symbolises backtraces with it,
  # ./strata audit and gdb read it): the image keeps only what boots and
  # the .strata.* sections, and stays small.
  add_custom_command(TARGET ${TARGET} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} --only-keep-debug $<TARGET_FILE:${TARGET}> $<TARGET_FILE_DIR:${TARGET}>/${TARGET}.debug
    # (llvm-objcopy's --strip-all also drops non-allocated sections: keep ours.)
    COMMAND ${CMAKE_OBJCOPY} --strip-all --keep-section=.strata.* $<TARGET_FILE:${TARGET}>
    VERBATIM)
endfunction()
