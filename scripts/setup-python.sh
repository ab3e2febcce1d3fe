#!/usr/bin/env bash
# setup-python.sh makes the Python virtual environment that arcgym's arcengine
# backend runs its game workers (and its fidelity oracle) with: CPython >= 3.12
# with the official engine and toolkit, arcengine and arc-agi, pinned with all
# their dependencies in arcengine/python/requirements.txt.
#
# Usage: scripts/setup-python.sh [--dev] [VENV_DIR]
#
#   VENV_DIR  where the venv goes; default ${XDG_CACHE_HOME:-$HOME/.cache}/arcgym/venv,
#             where the Go side (arcengine.DefaultVenv) finds it without any setting
#   --dev     also install arcengine/python/requirements-dev.txt (pytest, mypy, ruff)
#
# The interpreter the venv is made from is the first CPython >= 3.12 among:
# $ARCGYM_BOOTSTRAP_PYTHON (used alone when set), python3.13 and python3.12 on
# PATH, pyenv's installs (${PYENV_ROOT:-$HOME/.pyenv}/versions/3.1[2-9]*, newest
# first) and python3 on PATH. A venv that already works is kept.
#
# Running it again is quick: pip runs only when the requirement files changed
# since the last run (a stamp in the venv keeps their hash). To start over,
# delete VENV_DIR.
#
# At the end it prints, on standard output, the interpreter and the line
#   export ARCGYM_PYTHON=<venv>/bin/python
# (so `eval "$(scripts/setup-python.sh)"` sets it); progress goes to stderr.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
req_dir="$repo_root/arcengine/python"
requirements="$req_dir/requirements.txt"
requirements_dev="$req_dir/requirements-dev.txt"
stamp_name=.arcgym-requirements
min_version=3.12

log() { printf 'setup-python: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

dev=0
venv=""
while [ $# -gt 0 ]; do
	case $1 in
	--dev) dev=1 ;;
	-h | --help)
		usage
		exit 0
		;;
	--) ;;
	-*) die "unknown option $1 (see --help)" ;;
	*)
		[ -z "$venv" ] || die "one VENV_DIR only (see --help)"
		venv=$1
		;;
	esac
	shift
done
venv=${venv:-${XDG_CACHE_HOME:-$HOME/.cache}/arcgym/venv}
[ -f "$requirements" ] || die "missing $requirements"

# usable PY: PY runs, is CPython >= 3.12 and can make venvs with pip.
usable() {
	"$1" - <<'EOF' >/dev/null 2>&1
import platform, sys
ok = platform.python_implementation() == "CPython" and sys.version_info >= (3, 12)
if ok:
    import ensurepip, venv  # Debian splits these off into python3.X-venv
sys.exit(0 if ok else 1)
EOF
}

describe() { "$1" -c 'import platform; print(platform.python_implementation(), platform.python_version())' 2>/dev/null || echo "does not run"; }

# find_python prints the interpreter to make the venv with.
find_python() {
	if [ -n "${ARCGYM_BOOTSTRAP_PYTHON:-}" ]; then
		usable "$ARCGYM_BOOTSTRAP_PYTHON" && {
			echo "$ARCGYM_BOOTSTRAP_PYTHON"
			return
		}
		die "ARCGYM_BOOTSTRAP_PYTHON=$ARCGYM_BOOTSTRAP_PYTHON ($(describe "$ARCGYM_BOOTSTRAP_PYTHON")) is not CPython >= $min_version with the venv and ensurepip modules"
	fi
	local candidates=() tried=() p name
	for name in python3.13 python3.12; do
		if p=$(command -v "$name"); then candidates+=("$p"); fi
	done
	local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
	while IFS= read -r p; do
		candidates+=("$p")
	done < <(compgen -G "$pyenv_root/versions/3.1[2-9]*/bin/python" | sort -rV)
	if p=$(command -v python3); then candidates+=("$p"); fi
	for p in "${candidates[@]}"; do
		if usable "$p"; then
			echo "$p"
			return
		fi
		tried+=("$p ($(describe "$p"))")
	done
	log "error: no CPython >= $min_version with the venv module found."
	if [ ${#tried[@]} -gt 0 ]; then
		log "tried:"
		printf '  %s\n' "${tried[@]}" >&2
	fi
	log "install one, for example:"
	log "  Debian/Ubuntu: apt-get install python3.12 python3.12-venv   (or python3.13 python3.13-venv)"
	log "  pyenv:         pyenv install 3.12"
	log "  macOS:         brew install python@3.12"
	log "then run this again, or name it with ARCGYM_BOOTSTRAP_PYTHON=/path/to/python3.12."
	exit 1
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$@" | cut -d' ' -f1
	else
		shasum -a 256 "$@" | cut -d' ' -f1
	fi
}

# The stamp: what the venv was last brought up to date with.
want_stamp() {
	echo "base $(sha256 "$requirements")"
	if [ "$dev" = 1 ]; then echo "dev $(sha256 "$requirements_dev")"; fi
}

# A run without --dev is also satisfied by a --dev venv with the same base.
stamp_matches() {
	local have
	have=$(cat "$venv/$stamp_name" 2>/dev/null) || return 1
	if [ "$dev" = 1 ]; then
		[ "$have" = "$(want_stamp)" ]
	else
		[ "$(head -n1 <<<"$have")" = "$(want_stamp)" ]
	fi
}

installed() {
	"$venv/bin/python" -c 'import importlib.util as u, sys; sys.exit(0 if u.find_spec("arcengine") and u.find_spec("arc_agi") else 1)' 2>/dev/null
}

start=$SECONDS
# Look for an interpreter before touching anything when there is no venv yet.
bootstrap=""
if ! { [ -x "$venv/bin/python" ] && usable "$venv/bin/python"; }; then
	bootstrap=$(find_python)
fi
mkdir -p "$venv"
venv=$(cd "$venv" && pwd)
py="$venv/bin/python"

# One run at a time per venv.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$venv/.arcgym-setup.lock"
	flock 9
fi

if [ -x "$py" ] && usable "$py"; then
	if stamp_matches && installed; then
		log "up to date: $venv"
	else
		log "updating $venv"
	fi
else
	if [ -e "$venv/pyvenv.cfg" ]; then
		log "$venv is a venv that does not work (its interpreter is gone or too old): making it again"
		rm -rf "${venv:?}"/{bin,lib,lib64,include,share,pyvenv.cfg}
	elif [ -n "$(find "$venv" -mindepth 1 -maxdepth 1 ! -name .arcgym-setup.lock -print -quit)" ]; then
		die "$venv exists and is not a virtual environment: name an empty or new directory"
	fi
	if [ -z "$bootstrap" ]; then bootstrap=$(find_python); fi
	log "making $venv with $bootstrap ($(describe "$bootstrap"))"
	"$bootstrap" -m venv "$venv"
	rm -f "$venv/$stamp_name"
fi

if ! { stamp_matches && installed; }; then
	req=$requirements
	if [ "$dev" = 1 ]; then req=$requirements_dev; fi
	log "installing ${req#"$repo_root"/}"
	"$py" -m pip install --disable-pip-version-check --no-input --progress-bar off -q -r "$req" >&2
	"$py" -c 'import arcengine, arc_agi' >/dev/null 2>&1 ||
		die "arcengine and arc_agi do not import in $venv after pip install"
	want_stamp >"$venv/$stamp_name"
	log "installed in $((SECONDS - start))s"
fi

versions=$("$py" -c 'import platform; from importlib.metadata import version as v; print(f"CPython {platform.python_version()}, arcengine {v("arcengine")}, arc-agi {v("arc-agi")}")')
printf '# arcgym Python: %s (%s)\n' "$py" "$versions"
printf 'export ARCGYM_PYTHON=%q\n' "$py"
