# danhba_warnings(target): the project's warning set; -Werror when DANHBA_WERROR is on (CI).
function(danhba_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                           -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
                                           -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
  if(DANHBA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# danhba_module(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One static library per module, aliased danhba::NAME, public headers in include/danhba/NAME.
function(danhba_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(danhba_${name} STATIC ${ARG_SOURCES})
  add_library(danhba::${name} ALIAS danhba_${name})
  target_include_directories(danhba_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(danhba_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  danhba_warnings(danhba_${name})
endfunction()

# danhba_test(NAME SOURCES ... DEPS ... LABELS unit|integration [NO_GTEST_MAIN])
# A GoogleTest binary registered with ctest: a unit binary as one entry per test case,
# an integration binary as one entry.
# NO_GTEST_MAIN: the binary brings its own main (e.g. one that starts a private slapd).
function(danhba_test name)
  cmake_parse_arguments(ARG "NO_GTEST_MAIN" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock)
  if(NOT ARG_NO_GTEST_MAIN)
    target_link_libraries(${name} PRIVATE GTest::gtest_main)
  endif()
  target_compile_definitions(${name} PRIVATE
    DANHBA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DANHBA_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  danhba_warnings(${name})
  if("integration" IN_LIST ARG_LABELS)
    # One ctest entry per binary: the binary starts one private slapd for all its cases.
    add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
  else()
    gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
