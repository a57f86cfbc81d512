# Source this to use robot_brain's venv like a sourced ROS 2 workspace:  . scripts/env.sh
_RB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_RB_VENV="${ROBOT_BRAIN_VENV:-$_RB_ROOT/.venv}"
export AMENT_PREFIX_PATH="$_RB_VENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
export PATH="$_RB_VENV/bin:$PATH"
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
unset _RB_ROOT _RB_VENV
