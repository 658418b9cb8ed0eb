# Shared CMake helpers: warnings, module libraries, tests, the torch PCH.

function(understudy_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# understudy_core_module(NAME SOURCES ... DEPS ...): one library per core/ folder,
# target `understudy_<name>`, alias `understudy::<name>`.
function(understudy_core_module name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target understudy_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(understudy::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  # core/ has no Qt: qt_standard_project_setup() turns AUTOMOC on globally, not here.
  set_target_properties(${target} PROPERTIES AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
  understudy_warnings(${target})
  if(ARG_TORCH)
    understudy_use_torch(${target})
  endif()
endfunction()

# One precompiled <torch/torch.h> shared by every torch target (measured on a
# 2-core VM: ~26 s to build once, saves ~5 s per translation unit).
function(understudy_torch_pch_target)
  file(WRITE ${CMAKE_BINARY_DIR}/torch_pch_dummy.cpp "// precompiled torch header host\n")
  add_library(understudy_torch_pch STATIC ${CMAKE_BINARY_DIR}/torch_pch_dummy.cpp)
  target_link_libraries(understudy_torch_pch PUBLIC torch)
  target_compile_options(understudy_torch_pch PRIVATE -Wall -Wextra -Wno-unused-parameter)
  target_precompile_headers(understudy_torch_pch PRIVATE <torch/torch.h>)
endfunction()

function(understudy_use_torch target)
  target_link_libraries(${target} PUBLIC torch)
  get_target_property(type ${target} TYPE)
  target_precompile_headers(${target} REUSE_FROM understudy_torch_pch)
endfunction()

# Slow builds (sanitizers) stretch every test's time limits by one factor:
# each CTest TIMEOUT, each QTEST_FUNCTION_TIMEOUT (Qt Test's per-function
# watchdog, 300 s unless a test sets it) and UNDERSTUDY_TEST_TIME_SCALE, the
# environment variable tests/support/time_scale.h reads for the tests' own
# waits. The asan presets set 4 (CMakePresets.json; docs/testing.md).
set(UNDERSTUDY_TEST_TIMEOUT_SCALE 1 CACHE STRING
    "Factor (whole number >= 1) on every test's timeout and waits; 4 in sanitizer builds")
if(NOT UNDERSTUDY_TEST_TIMEOUT_SCALE MATCHES "^[1-9][0-9]*$")
  message(FATAL_ERROR "UNDERSTUDY_TEST_TIMEOUT_SCALE must be a whole number >= 1, "
                      "got '${UNDERSTUDY_TEST_TIMEOUT_SCALE}' (set it with -D or in CMakePresets.json)")
endif()

# understudy_test_environment(OUT "env entries"): a test's ENVIRONMENT with
# the time scale applied (see above). A QTEST_FUNCTION_TIMEOUT the test sets
# itself is scaled too; entries the test sets come last and win.
function(understudy_test_environment out env)
  set(scale ${UNDERSTUDY_TEST_TIMEOUT_SCALE})
  math(EXPR qtestMs "300000 * ${scale}")
  set(result "UNDERSTUDY_TEST_TIME_SCALE=${scale}")
  if(scale GREATER 1)
    list(APPEND result "QTEST_FUNCTION_TIMEOUT=${qtestMs}")
  endif()
  foreach(entry IN LISTS env)
    if(entry MATCHES "^QTEST_FUNCTION_TIMEOUT=([0-9]+)$")
      math(EXPR ms "${CMAKE_MATCH_1} * ${scale}")
      set(entry "QTEST_FUNCTION_TIMEOUT=${ms}")
    endif()
    list(APPEND result "${entry}")
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# understudy_add_test(NAME SOURCES ... LIBS ... [REQUIRES target ...] LABELS ...
#                     [TORCH] [TIMEOUT s])
# One Qt Test executable per module, registered with CTest. REQUIRES names
# targets the test needs without linking them (e.g. a module the CLI must have).
# A test whose understudy targets (LIBS, REQUIRES) or LibTorch (TORCH) are not
# built in this configuration is never silently dropped: a placeholder test of
# the same name is registered instead (understudy_unavailable_test).
function(understudy_add_test name)
  cmake_parse_arguments(ARG "TORCH" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV;REQUIRES" ${ARGN})
  set(missing)
  foreach(lib IN LISTS ARG_LIBS ARG_REQUIRES)
    if(lib MATCHES "^understudy" AND NOT TARGET ${lib})
      list(APPEND missing ${lib})
    endif()
  endforeach()
  if(ARG_TORCH AND NOT UNDERSTUDY_TORCH)
    list(APPEND missing torch)
  endif()
  if(missing)
    understudy_unavailable_test(${name} "${missing}" "${ARG_LABELS}")
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  # For test_slots (tests/CMakeLists.txt): every test function must be a slot that runs.
  set(sources)
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND sources ${abs})
  endforeach()
  string(REPLACE ";" "," sources "${sources}")
  set_property(GLOBAL APPEND PROPERTY UNDERSTUDY_TEST_EXECUTABLES
               "${name}=$<TARGET_FILE:${name}>=${sources}")
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    UNDERSTUDY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    UNDERSTUDY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  understudy_warnings(${name})
  if(ARG_TORCH)
    understudy_use_torch(${name})
  endif()
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${UNDERSTUDY_TEST_TIMEOUT_SCALE}")
  understudy_test_environment(env "${ARG_ENV}")
  set_tests_properties(${name} PROPERTIES
    LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;UNDERSTUDY_CLI=$<TARGET_FILE:understudy-cli>;${env}")
endfunction()

# understudy_unavailable_test(NAME "missing targets" "labels"): the CTest
# entry of a test that cannot be built here. If every missing piece was
# switched off by an option (UNDERSTUDY_TORCH=OFF: torch, nn, train, dist;
# UNDERSTUDY_GUI=OFF: ui, the workbench) the test is reported as skipped
# (exit 77, SKIP_RETURN_CODE); otherwise it fails, naming the test and what
# is missing, so a module that stopped building cannot hide its tests.
function(understudy_unavailable_test name missing labels)
  set(switchedOff)
  if(NOT UNDERSTUDY_TORCH)
    list(APPEND switchedOff torch understudy::nn understudy_nn understudy::train understudy_train
         understudy::dist understudy_dist)
  endif()
  if(NOT UNDERSTUDY_GUI)
    list(APPEND switchedOff understudy::ui understudy_ui understudy)
  endif()
  set(deliberate TRUE)
  foreach(item IN LISTS missing)
    if(NOT item IN_LIST switchedOff)
      set(deliberate FALSE)
    endif()
  endforeach()
  string(REPLACE ";" ", " what "${missing}")
  if(deliberate)
    set(text "SKIPPED: ${name} is not built: ${what} switched off in this configuration (UNDERSTUDY_TORCH / UNDERSTUDY_GUI)")
    set(code 77)
    message(STATUS "${name}: not built (${what} switched off); registered as a skipped test")
  else()
    set(text "FAILED: ${name} is not built: missing in this configuration: ${what}; see the configure log for why that module was skipped")
    set(code 1)
    message(WARNING "${name} cannot be built (missing: ${what}); registered as a failing test")
  endif()
  add_test(NAME ${name} COMMAND sh -c "echo \"$1\"; exit $2" sh "${text}" ${code})
  if(NOT labels)
    set(labels unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77)
endfunction()
