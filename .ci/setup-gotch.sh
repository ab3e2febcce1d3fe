#!/usr/bin/env bash
# setup-gotch.sh is the CI entry point for the gotch toolchain; the work is
# done by scripts/setup-gotch.sh (see there for what it changes and prints).
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/setup-gotch.sh" "$@"
