# UNDERSTUDY_FUZZ: libFuzzer targets for the parsers (tests/fuzz, docs/fuzzing.md).
#
# OFF (the default, any compiler): tests/fuzz builds only test_fuzz_replay, which
# runs every harness over its seed corpus and its regression inputs.
# ON (clang only): every target is compiled with coverage instrumentation
# (-fsanitize=fuzzer-no-link) and, unless the preset already asks for them,
# AddressSanitizer + UndefinedBehaviorSanitizer (libFuzzer needs a sanitizer
# runtime, and a fuzzer without ASan misses most memory errors); tests/fuzz
# then also builds one libFuzzer executable per harness, fuzz_<target>,
# which scripts/fuzz-smoke runs.
option(UNDERSTUDY_FUZZ "Build the libFuzzer targets in tests/fuzz (clang; adds ASan/UBSan)" OFF)

if(UNDERSTUDY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "UNDERSTUDY_FUZZ=ON needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                        "configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang "
                        "(Debian: clang libclang-rt-14-dev), or use the asan-core preset")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link -fno-omit-frame-pointer)
  if(NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
  endif()
endif()

# understudy_fuzz_target(NAME SOURCES ... LIBS ...): the libFuzzer executable
# fuzz_<NAME> from a harness that defines US_FUZZ_TARGET(NAME) (tests/fuzz/fuzz.h).
# Only with UNDERSTUDY_FUZZ=ON; the replay test links the same sources without it.
function(understudy_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT UNDERSTUDY_FUZZ)
    return()
  endif()
  set(target fuzz_${name})
  add_executable(${target} ${ARG_SOURCES})
  target_compile_definitions(${target} PRIVATE UNDERSTUDY_LIBFUZZER=1)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${target} PRIVATE ${ARG_LIBS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${target} PROPERTIES AUTOMOC OFF
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
  understudy_warnings(${target})
  set_property(GLOBAL APPEND PROPERTY UNDERSTUDY_FUZZ_TARGETS ${target})
endfunction()
