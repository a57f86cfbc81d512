#!/usr/bin/env bash
# Set up (idempotent) and run the whole brain against the built-in simulated humanoid with the
# embedded LLM. Arguments go to `robot-brain demo` (e.g. --duration 20 --instruction "...").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROBOT_BRAIN_VENV:-$ROOT/.venv}"
bash "$ROOT/scripts/setup.sh"
# shellcheck source=/dev/null
. "$ROOT/scripts/env.sh"
cd "$ROOT"
exec "$VENV/bin/robot-brain" demo "$@"
