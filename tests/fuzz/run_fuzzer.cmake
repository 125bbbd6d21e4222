# Runs one libFuzzer target for ctest (see CMakeLists.txt beside this file):
#   cmake -DFUZZER=<binary> -DSEEDS=<checked-in corpus> -DOUT=<build folder> -DMODE=corpus|seeded
#         [-DRUNS=<n>] -P run_fuzzer.cmake
# corpus: every input of SEEDS once (-runs=0); any crash, leak or timeout fails the test.
# seeded: RUNS inputs from a fixed seed, starting from SEEDS alone, so that every run of the test
#         does the same: the same inputs, in the same order, on a given checkout.
# What libFuzzer writes (new inputs, crash-* files) goes to OUT/MODE/, emptied first.
#
# A fixed seed alone does not make libFuzzer repeat itself (measured: the inputs it kept differed
# from one run to the next). Three more things are needed:
# - no address space randomisation (setarch -R): the coverage of the code under test, and with
#   it which inputs are kept, depends on where the stack and the heap land (probably inlined
#   library code that compares addresses);
# - the same environment: its size moves the stack, with the same effect; the fuzzer gets only
#   a fixed PATH and the sanitizers' *_OPTIONS, if set;
# - nothing that depends on the time: ASan does not give memory back to the system on a timer
#   (below), and -reload=0: otherwise, once a second, the new-inputs folder is read again, at a
#   point that depends on how fast the machine is.
# With these, repeated runs of the suite keep the same inputs; of the last ten runs of the whole
# suite on a loaded 2-core machine, one had two targets take another path after a few seconds
# (cause not found). What the test is given (SEEDS, RUNS, the seed) is the same every time.
foreach(var FUZZER SEEDS OUT MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}= is missing")
  endif()
endforeach()

set(work ${OUT}/${MODE})
file(REMOVE_RECURSE ${work})
# libFuzzer writes new inputs into the first folder it is given: never SEEDS.
file(MAKE_DIRECTORY ${work}/new)
set(common -timeout=30 -rss_limit_mb=2048 -reload=0 -artifact_prefix=${work}/
           -print_final_stats=1)
if(MODE STREQUAL "corpus")
  set(args -runs=0 ${common} ${work}/new ${SEEDS})
elseif(MODE STREQUAL "seeded")
  set(args -seed=1 -runs=${RUNS} ${common} ${work}/new ${SEEDS})
else()
  message(FATAL_ERROR "run_fuzzer.cmake: MODE is corpus or seeded, not ${MODE}")
endif()

# ASan gives free memory back to the system every 5 s by default, sorting its free lists as it
# does: which addresses come next would then depend on the time.
set(asan_options allocator_release_to_os_interval_ms=-1)
if(DEFINED ENV{ASAN_OPTIONS} AND NOT "$ENV{ASAN_OPTIONS}" STREQUAL "")
  set(asan_options "$ENV{ASAN_OPTIONS}:${asan_options}")
endif()
set(launcher env -i PATH=/usr/local/bin:/usr/bin:/bin ASAN_OPTIONS=${asan_options})
foreach(var UBSAN_OPTIONS LSAN_OPTIONS ASAN_SYMBOLIZER_PATH)
  if(DEFINED ENV{${var}})
    list(APPEND launcher "${var}=$ENV{${var}}")
  endif()
endforeach()
execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE uname_status)
if(uname_status EQUAL 0)
  execute_process(COMMAND setarch ${arch} -R true RESULT_VARIABLE setarch_status
                  OUTPUT_QUIET ERROR_QUIET)
  if(setarch_status EQUAL 0)
    list(APPEND launcher setarch ${arch} -R)
    set(no_aslr ON)
  endif()
endif()
if(NOT no_aslr)
  message(STATUS "setarch -R is not available here: with address space randomisation on, "
                 "this run may not take the same path as the last one")
endif()

list(JOIN args " " shown)
list(JOIN launcher " " launcher_shown)
message(STATUS "${launcher_shown} ${FUZZER} ${shown}")
execute_process(COMMAND ${launcher} ${FUZZER} ${args} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${status}). The input is in ${work}/ (crash-*, "
          "leak-*, timeout-*, oom-*); reproduce with `${FUZZER} FILE`. Once fixed, add it to "
          "${SEEDS}/ as regression_<what_it_broke>.")
endif()
