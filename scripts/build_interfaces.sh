#!/usr/bin/env bash
# Build the repository's ROS 2 interface packages with plain cmake into a venv of ROS 2 wheels
# from PyPI (the pip door; colcon is not needed). A ROS 2 distribution builds
# robot_brain_interfaces with colcon instead and never runs this script (docs/install.md).
#
#   scripts/build_interfaces.sh [VENV]          robot_brain_interfaces into VENV, and tf2_msgs
#                                               (no wheel exists) where no prefix has it
#   scripts/build_interfaces.sh --tests [VENV]  the test-only nav2_msgs into VENV/test_interfaces,
#                                               where no prefix has nav2_msgs (test/ros/nav2_test_msgs.py)
#
# VENV defaults to $ROBOT_BRAIN_VENV, else .venv. A package is rebuilt only when it is missing
# or the stamp of its sources changed (its files, the cmake include, this script, the pinned
# wheels); a warm run compares stamps and builds nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tests=0
if [ "${1:-}" = "--tests" ]; then
  tests=1
  shift
fi
VENV="${1:-${ROBOT_BRAIN_VENV:-$ROOT/.venv}}"

fail() { echo "robot_brain set-up: $*" >&2; exit 1; }
say() { echo "robot_brain set-up: $*"; }

[ -x "$VENV/bin/python" ] || fail "no venv at $VENV (run scripts/setup.sh first)."
VENV="$(cd "$VENV" && pwd)"
MIN_CMAKE=3.21
# Used only where no cmake >= MIN_CMAKE is installed: the cmake wheel from PyPI, into the venv.
CMAKE_WHEEL="cmake==3.31.10"

# One build at a time per venv: test sessions in several clones may ask at once.
exec 9>"$VENV/.robot_brain-interfaces.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
fi

# The stamp of a package: its files (paths and contents) and everything else its build reads
# from this repository, by content only, so clones at different paths agree.
stamp_of() {  # SOURCE_DIR PREFIX
  {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    (cd "$ROOT" && sha256sum interfaces/pip_door.cmake scripts/build_interfaces.sh \
      requirements/ros-build.txt requirements/ros-wheels.txt)
    echo "prefix $2"
  } | sha256sum | cut -d' ' -f1
}

# Whether a package of this name is installed by someone else: in a prefix on
# AMENT_PREFIX_PATH or in the venv other than PREFIX, or in PREFIX without this script's
# manifest (a wheel). Prints that prefix.
installed_elsewhere() {  # NAME PREFIX
  local name="$1" prefix="$2" p
  local IFS=:
  for p in ${AMENT_PREFIX_PATH:-} "$VENV"; do
    [ -n "$p" ] && [ -e "$p/share/ament_index/resource_index/packages/$name" ] || continue
    if [ "$(cd "$p" && pwd)" != "$prefix" ] || [ ! -f "$prefix/.robot_brain-interfaces/$name.manifest" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Whether every file of the last install of NAME into PREFIX is still there.
install_complete() {  # NAME PREFIX
  local manifest="$2/.robot_brain-interfaces/$1.manifest" f
  [ -s "$manifest" ] || return 1
  while IFS= read -r f; do
    [ -e "$f" ] || return 1
  done < "$manifest"
}

tools_ready=0
build_tools() {
  [ "$tools_ready" = 1 ] && return 0
  for tool in cc c++; do
    command -v "$tool" >/dev/null 2>&1 \
      || fail "a C/C++ compiler is required to build the ROS 2 interfaces ('$tool' not found: apt-get install build-essential)."
  done
  "$VENV/bin/python" -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' \
    || fail "the Python 3.11 headers are required to build the ROS 2 interfaces (apt-get install python3.11-dev)."
  CMAKE="$(command -v cmake || true)"
  local version=""
  [ -n "$CMAKE" ] && version="$("$CMAKE" --version | head -n1 | awk '{print $3}')"
  if [ -z "$version" ] || [ "$(printf '%s\n' "$MIN_CMAKE" "$version" | sort -V | head -n1)" != "$MIN_CMAKE" ]; then
    say "cmake >= $MIN_CMAKE not found${version:+ (found $version)}: installing $CMAKE_WHEEL into the venv"
    "$VENV/bin/python" -m pip install -q "$CMAKE_WHEEL"
    CMAKE="$VENV/bin/cmake"
  fi
  # ament_cmake, the rosidl generators and catkin_pkg: build tools only, pinned beside the wheels.
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/ros-build.txt"
  tools_ready=1
}

build_package() {  # NAME SOURCE_DIR PREFIX [extra cmake arguments]
  local name="$1" src="$2" prefix="$3"
  shift 3
  local state="$prefix/.robot_brain-interfaces"
  local stamp="$state/$name.stamp" manifest="$state/$name.manifest" log="$state/$name.log"
  local want
  want="$(stamp_of "$src" "$prefix")"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && install_complete "$name" "$prefix"; then
    return 0
  fi
  say "building the ROS 2 interfaces $name with cmake into $prefix (about 10-40 s)"
  build_tools
  mkdir -p "$state"
  # What the last build installed goes first, so a removed interface does not linger.
  if [ -f "$manifest" ]; then
    while IFS= read -r f; do
      rm -f "$f"
    done < "$manifest"
    rm -f "$manifest" "$stamp"
  fi
  local build="$state/build-$name"
  rm -rf "$build"
  local started=$SECONDS
  # AMENT_PREFIX_PATH: the venv is the underlay, as a sourced distribution would be.
  if ! { AMENT_PREFIX_PATH="$VENV" "$CMAKE" -S "$src" -B "$build" \
           -DCMAKE_PROJECT_INCLUDE="$ROOT/interfaces/pip_door.cmake" \
           -DCMAKE_PREFIX_PATH="$VENV" -DCMAKE_INSTALL_PREFIX="$prefix" \
           -DPython3_EXECUTABLE="$VENV/bin/python" -DBUILD_TESTING=OFF "$@" \
         && AMENT_PREFIX_PATH="$VENV" "$CMAKE" --build "$build" -j "$(nproc)" \
         && "$CMAKE" --install "$build"; } > "$log" 2>&1; then
    tail -n 25 "$log" >&2
    fail "building the ROS 2 interfaces $name failed (full log: $log)."
  fi
  cp "$build/install_manifest.txt" "$manifest"
  rm -rf "$build"
  echo "$want" > "$stamp"
  say "$name built in $((SECONDS - started)) s"
}

if [ "$tests" = 0 ]; then
  build_package robot_brain_interfaces "$ROOT/robot_brain_interfaces" "$VENV"
  if where="$(installed_elsewhere tf2_msgs "$VENV")"; then
    say "tf2_msgs is installed in $where: using it, not building one"
  else
    build_package tf2_msgs "$ROOT/interfaces/tf2_msgs" "$VENV"
  fi
else
  # A prefix of its own, which only the tests put on their paths. Its libraries are not on the
  # library path a process starts with, so they find each other through their RUNPATH.
  test_prefix="$VENV/test_interfaces"
  if ! where="$(installed_elsewhere nav2_msgs "$test_prefix")"; then
    build_package nav2_msgs "$ROOT/test/interfaces/nav2_msgs" "$test_prefix" \
      -DCMAKE_INSTALL_RPATH="$test_prefix/lib"
  fi
fi
