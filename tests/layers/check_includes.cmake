# The layer test: every #include of every source file under a folder of the layer table
# (docs/ARCHITECTURE.md) must name a folder its library depends on (directly or through
# another) or its own, and an outside header only where the table allows it.
#
#   cmake -DROOT=<source dir> -P tests/layers/check_includes.cmake
#   cmake -DROOT=... -DEXTRA=<file> -DEXTRA_AS=<folder> -P ...   also check <file> as if it were
#                                                                in <folder> (the test that the
#                                                                check catches a violation)
# Prints every violation as file:line: what, and fails when there is one. Also fails when a
# folder under engine/, twins/, viewer/ or cli/ holds sources but has no row in the table.
cmake_minimum_required(VERSION 3.22)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> -P check_includes.cmake")
endif()
include(${ROOT}/cmake/layers.cmake)
dtwin_read_layers(${ROOT}/docs/ARCHITECTURE.md)

set(violations "")
set(checked 0)

# the folder of an include path "a/b/c.hpp" -> "a/b"
function(folder_of path out)
  get_filename_component(dir "${path}" DIRECTORY)
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()

function(check_file file shown folder)
  string(REPLACE "/" "_" key "${folder}")
  # the folders of its own library (twins/machine and twins/machine/physics are one) and every
  # folder those depend on
  set(allowed "")
  foreach(other IN LISTS DTWIN_LAYER_FOLDERS)
    string(REPLACE "/" "_" okey "${other}")
    if(DTWIN_LAYER_TARGET_${okey} STREQUAL DTWIN_LAYER_TARGET_${key})
      list(APPEND allowed ${DTWIN_LAYER_CLOSURE_${okey}})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES allowed)
  string(REPLACE ";" ", " allowed_text "${allowed}")
  set(headers "${DTWIN_LAYER_HEADERS_${key}}")
  file(STRINGS "${file}" lines)
  set(n 0)
  set(found "")
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"]")
      continue()
    endif()
    set(kind "${CMAKE_MATCH_1}")
    set(path "${CMAKE_MATCH_2}")
    if(kind STREQUAL "\"")
      folder_of("${path}" dir)
      if(dir STREQUAL "")
        list(APPEND found "${shown}:${n}: \"${path}\": include our headers by their path from the root")
      elseif(NOT dir IN_LIST DTWIN_LAYER_FOLDERS)
        list(APPEND found "${shown}:${n}: \"${path}\": ${dir} is no folder of the layer table")
      elseif(NOT dir IN_LIST allowed)
        list(APPEND found "${shown}:${n}: ${folder} includes ${dir} (\"${path}\"), which it does not depend on (it may include: ${allowed_text})")
      endif()
    else()
      foreach(prefix IN LISTS DTWIN_LAYER_ALL_HEADERS)
        string(SUBSTRING "${prefix}" 1 -1 bare)  # without "<"
        string(LENGTH "${bare}" len)
        string(SUBSTRING "${path}" 0 ${len} head)
        if(head STREQUAL bare AND NOT prefix IN_LIST headers)
          list(APPEND found "${shown}:${n}: ${folder} includes <${path}>, an outside header the table allows only elsewhere (${prefix})")
          break()
        endif()
      endforeach()
    endif()
  endforeach()
  set(violations "${violations};${found}" PARENT_SCOPE)
endfunction()

foreach(folder IN LISTS DTWIN_LAYER_FOLDERS)
  file(GLOB files "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp")
  foreach(file IN LISTS files)
    file(RELATIVE_PATH shown "${ROOT}" "${file}")
    check_file("${file}" "${shown}" "${folder}")
    math(EXPR checked "${checked} + 1")
  endforeach()
endforeach()
if(EXTRA)
  check_file("${EXTRA}" "${EXTRA} (as ${EXTRA_AS})" "${EXTRA_AS}")
  math(EXPR checked "${checked} + 1")
endif()

# every folder with sources has a row
file(GLOB_RECURSE sources RELATIVE "${ROOT}" "${ROOT}/engine/*.cpp" "${ROOT}/engine/*.hpp"
  "${ROOT}/twins/*.cpp" "${ROOT}/twins/*.hpp" "${ROOT}/viewer/*.cpp" "${ROOT}/viewer/*.hpp"
  "${ROOT}/cli/*.cpp" "${ROOT}/cli/*.hpp")
foreach(src IN LISTS sources)
  folder_of("${src}" dir)
  if(NOT dir IN_LIST DTWIN_LAYER_FOLDERS)
    list(APPEND violations "${src}: its folder ${dir} has no row in docs/ARCHITECTURE.md's layer table")
  endif()
endforeach()

list(FILTER violations EXCLUDE REGEX "^$")
list(REMOVE_DUPLICATES violations)
list(LENGTH violations count)
if(count GREATER 0)
  string(REPLACE ";" "\n" text "${violations}")
  message("${text}")
  message(FATAL_ERROR "${count} include(s) cross the layers of docs/ARCHITECTURE.md")
endif()
message("layers: ${checked} files, every include within its layer")
