# Included by scripts/build_interfaces.sh (CMAKE_PROJECT_INCLUDE) when it builds an interface
# package against the ROS 2 wheels from PyPI; a ROS 2 distribution never reads this file.
#
# The wheels' exported targets (e.g. geometry_msgs::geometry_msgs__rosidl_generator_py) name
# include directories of the machine that built them (/opt/python/cp311-cp311/include/python3.11
# and a numpy include there). CMake refuses an imported target with a missing include directory
# when it generates the build system, so such directories are dropped at the end of the
# configure step, after every find_package() of the package has imported its targets. What the
# generated Python extensions do need (this machine's Python and numpy headers) comes from
# FindPython3 in rosidl_generator_py, not from these targets.

function(_robot_brain_drop_missing_include_dirs)
  get_property(targets DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY IMPORTED_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
    if(NOT dirs)
      continue()
    endif()
    set(kept "")
    set(dropped "")
    foreach(dir IN LISTS dirs)
      # Generator expressions are evaluated later, at generate time: kept as they are.
      if(dir MATCHES "^\\$<" OR EXISTS "${dir}")
        list(APPEND kept "${dir}")
      else()
        list(APPEND dropped "${dir}")
      endif()
    endforeach()
    if(dropped)
      set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${kept}")
      list(APPEND all_dropped ${dropped})
    endif()
  endforeach()
  if(all_dropped)
    list(REMOVE_DUPLICATES all_dropped)
    list(JOIN all_dropped ", " dropped_text)
    message(STATUS "pip door: dropped include directories of the wheels' build machine: ${dropped_text}")
  endif()
endfunction()

cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _robot_brain_drop_missing_include_dirs)
