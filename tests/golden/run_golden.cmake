# SPDX-License-Identifier: MIT
# Runs the real cskpi binary for one golden case and compares stdout, stderr and the exit
# code exactly (and a file it writes, see `written`). Arguments: -DCSKPI=binary -DCASE=case dir -DROOT=project root (the working
# directory, so paths read like the README's: samples/...) -DOUT=a directory of the case's own in the build tree.
#
# @OUT@ in `args` and `written` stands for that directory, emptied before each run, and the
# directory reads @OUT@ again in what the command prints: two build trees testing at once never
# share an output file.
cmake_minimum_required(VERSION 3.16) # new policies: "@OUT@" below is text, not a variable reference
file(STRINGS ${CASE}/args _args ENCODING UTF-8)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(_expanded)
foreach(_arg IN LISTS _args)
  string(REPLACE "@OUT@" "${OUT}" _arg "${_arg}")
  list(APPEND _expanded "${_arg}")
endforeach()
set(_args ${_expanded})
set(_input)
if(EXISTS ${CASE}/stdin)
  set(_input INPUT_FILE ${CASE}/stdin)
endif()
# A fixed environment: no colour decisions leak in from the caller.
set(ENV{NO_COLOR} "")
set(ENV{TERM} "dumb")
set(ENV{COLUMNS} "") # the table's width is the default one
# A case may set variables of its own, one NAME=value a line in `env` (COLUMNS=80, say).
if(EXISTS ${CASE}/env)
  file(STRINGS ${CASE}/env _env)
  foreach(_pair IN LISTS _env)
    string(FIND "${_pair}" "=" _eq)
    string(SUBSTRING "${_pair}" 0 ${_eq} _name)
    math(EXPR _from "${_eq} + 1")
    string(SUBSTRING "${_pair}" ${_from} -1 _value)
    set(ENV{${_name}} "${_value}")
  endforeach()
endif()
# A case with a `terminal` file runs with stdout on a terminal COLUMNS wide (on_terminal.py):
# on a pipe, as the other cases run, nothing is wrapped.
set(_launcher)
if(EXISTS ${CASE}/terminal)
  set(_launcher python3 ${ROOT}/tests/golden/on_terminal.py)
endif()
execute_process(
  COMMAND ${_launcher} ${CSKPI} ${_args}
  WORKING_DIRECTORY ${ROOT}
  ${_input}
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err
  RESULT_VARIABLE _rc)

# A case whose command writes a file (-o) names it in `written`: its text is compared as a
# part of stdout, after a line naming it, and the file is removed.
if(EXISTS ${CASE}/written)
  file(STRINGS ${CASE}/written _written)
  string(REPLACE "@OUT@" "${OUT}" _written "${_written}")
  if(EXISTS ${_written})
    file(READ ${_written} _text)
    string(APPEND _out "--- ${_written}\n${_text}")
    file(REMOVE ${_written})
  else()
    string(APPEND _out "--- ${_written}: not written\n")
  endif()
endif()

string(REPLACE "${OUT}" "@OUT@" _out "${_out}")
string(REPLACE "${OUT}" "@OUT@" _err "${_err}")

if("$ENV{CSKPI_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${CASE}/expected.stdout "${_out}")
  file(WRITE ${CASE}/expected.stderr "${_err}")
  file(WRITE ${CASE}/expected.rc "${_rc}\n")
  message(STATUS "updated ${CASE}")
  return()
endif()

file(READ ${CASE}/expected.stdout _want_out)
file(READ ${CASE}/expected.stderr _want_err)
file(STRINGS ${CASE}/expected.rc _want_rc)
set(_failed FALSE)
foreach(_stream out err)
  if(NOT "${_${_stream}}" STREQUAL "${_want_${_stream}}")
    set(_failed TRUE)
    file(WRITE ${CASE}/actual.std${_stream} "${_${_stream}}")
    execute_process(COMMAND diff -u ${CASE}/expected.std${_stream} ${CASE}/actual.std${_stream})
    message(SEND_ERROR "std${_stream} differs (actual kept in ${CASE}/actual.std${_stream})")
  else()
    file(REMOVE ${CASE}/actual.std${_stream})
  endif()
endforeach()
if(NOT "${_rc}" STREQUAL "${_want_rc}")
  set(_failed TRUE)
  message(SEND_ERROR "exit code ${_rc}, expected ${_want_rc}")
endif()
if(_failed)
  list(JOIN _args " " _shown)
  message(FATAL_ERROR "golden case failed: cskpi ${_shown}")
endif()
