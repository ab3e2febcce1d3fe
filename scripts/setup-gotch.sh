#!/usr/bin/env bash
# setup-gotch.sh prepares a Debian bookworm machine to build and test the
# gotch-tagged packages (encoding/torch) against Debian's CPU libtorch 1.13.1.
#
# gotch v0.7.0 targets libtorch 1.11 with CUDA. This script:
#   1. installs libtorch-dev and Debian's OpenMP build of OpenBLAS from apt
#      (each skipped when already installed) and logs which BLAS libtorch
#      loads;
#   2. copies the gotch v0.7.0 module out of the Go module cache into a
#      writable directory outside the repository and patches that copy:
#      libtch/lib.go gets CPU-only cgo flags for /usr/include and /usr/lib, and
#      the 38 generated wrappers whose libtorch APIs changed between 1.11 and
#      1.13 get bodies that raise std::runtime_error (reported as a Go error
#      by gotch, never a crash);
#   3. writes env.sh, which on sourcing writes a go.work for the checkout it is
#      sourced from (one per checkout path) that uses that checkout and
#      replaces github.com/sugarme/gotch with the patched copy;
#   4. compiles the gotch packages once (about 5 minutes on 2 cores; later
#      builds come from the Go build cache);
#   5. prints the environment for `go test -tags gotch ./encoding/torch/...`.
#
# Nothing inside the repository or the module cache is modified, and running
# the script again is cheap: the patched copy is rebuilt only when its stamp
# is missing or stale.
#
# Environment:
#   ARCGYM_GOTCH_DIR  where the patched copy and go.work go
#                     (default ${XDG_CACHE_HOME:-$HOME/.cache}/arcgym/gotch)
#   ARCGYM_GOTCH_NO_BUILD=1  skip step 4
set -euo pipefail

GOTCH_VERSION=v0.7.0
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work_dir=${ARCGYM_GOTCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arcgym/gotch}
copy_dir="$work_dir/gotch@$GOTCH_VERSION"
env_file="$work_dir/env.sh"
stamp_version=1

log() { printf 'setup-gotch: %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install installs packages, refreshing the package lists once per run
# first, as a fresh machine has none.
apt_updated=0
apt_install() {
	if [ "$apt_updated" -eq 0 ]; then
		as_root apt-get update
		apt_updated=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# 1. libtorch from Debian.
if installed libtorch-dev; then
	log "libtorch-dev already installed ($(dpkg-query -W -f='${Version}' libtorch-dev))"
else
	log "installing libtorch-dev"
	apt_install libtorch-dev
fi
if ! command -v g++ >/dev/null 2>&1; then
	log "installing g++"
	apt_install g++
fi

# Debian builds libtorch against the generic libblas.so.3 and liblapack.so.3,
# which the alternatives system points at the reference implementations
# until an optimised one is installed. OpenBLAS registers with a higher
# priority and takes over in auto mode. Its OpenMP build runs on the same
# OpenMP runtime as libtorch, so libtorch's thread setting (at::set_num_threads,
# torch.SetNumThreads) bounds it too; the pthread build would keep a pool of
# its own.
blas_package=libopenblas0-openmp
if installed "$blas_package"; then
	log "$blas_package already installed ($(dpkg-query -W -f='${Version}' "$blas_package"))"
else
	log "installing $blas_package"
	apt_install "$blas_package"
fi
# The awk programs read all their input: an early exit would fail the
# pipeline under pipefail.
torch_cpu=$(/sbin/ldconfig -p | awk '/libtorch_cpu\.so/ && !found { print $NF; found = 1 }')
torch_blas=
if [ -n "$torch_cpu" ]; then
	torch_blas=$(ldd "$torch_cpu" | awk '$1 == "libblas.so.3" && !found { print $3; found = 1 }')
fi
if [ -n "$torch_blas" ]; then
	torch_blas=$(readlink -f "$torch_blas")
	log "libtorch's BLAS: $torch_blas"
	case "$torch_blas" in
	*/openblas*) ;;
	*) log "that is not OpenBLAS: the libblas.so.3 alternative is set by hand; see update-alternatives --display libblas.so.3-$(gcc -dumpmachine)" ;;
	esac
else
	log "cannot tell which BLAS libtorch loads (libtorch_cpu: ${torch_cpu:-not found})"
fi

# The 38 wrappers of gotch v0.7.0 that do not compile against libtorch 1.13.
broken_wrappers=(
	atg__cat atg__cat_out atg__det_lu_based_helper atg__det_lu_based_helper_backward_helper
	atg__linalg_inv_out_helper_ atg__linalg_qr_helper atg__s_where atg__segment_reduce_backward
	atg__solve_helper atg__weight_norm_cuda_interface atg__weight_norm_cuda_interface_backward
	atg_arange_start_out atg_bernoulli_out atg_binary_cross_entropy_with_logits_backward
	atg_col2im_backward atg_col2im_backward_grad_input atg_eig atg_eig_e
	atg_grid_sampler_3d_backward atg_im2col_backward atg_im2col_backward_grad_input
	atg_kl_div_backward atg_l1_loss_backward atg_l1_loss_backward_grad_input atg_l1_loss_out
	atg_lstsq atg_lstsq_x atg_matrix_rank atg_matrix_rank_tol atg_max_unpool2d_backward
	atg_max_unpool2d_backward_grad_input atg_max_unpool3d_backward
	atg_max_unpool3d_backward_grad_input atg_nansum atg_normal atg_segment_reduce atg_solve
	atg_solve_solution
)

# 2. Patched copy of the module.
stamp="$copy_dir/.arcgym-patched"
want_stamp="v$stamp_version $GOTCH_VERSION $(dpkg-query -W -f='${Version}' libtorch-dev)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
	log "patched gotch copy up to date: $copy_dir"
else
	src_dir=$(cd "$repo_root" && GOWORK=off go mod download -json "github.com/sugarme/gotch@$GOTCH_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [ -z "$src_dir" ] || [ ! -d "$src_dir/libtch" ]; then
		log "cannot locate gotch $GOTCH_VERSION in the module cache"
		exit 1
	fi
	log "patching a copy of $src_dir"
	mkdir -p "$work_dir"
	tmp_dir=$(mktemp -d "$work_dir/.gotch.XXXXXX")
	chmod 755 "$tmp_dir"
	cp -R "$src_dir/." "$tmp_dir/"
	chmod -R u+w "$tmp_dir"

	cat >"$tmp_dir/libtch/lib.go" <<'GO'
package libtch

// CPU-only build against Debian's libtorch-dev (headers in /usr/include, libraries in the multiarch dir).

// #cgo CFLAGS: -I${SRCDIR} -O3 -Wall -Wno-unused-variable -Wno-deprecated-declarations -Wno-c++11-narrowing -g -Wno-sign-compare -Wno-unused-function
// #cgo CFLAGS: -D_GLIBCXX_USE_CXX11_ABI=1
// #cgo LDFLAGS: -lstdc++ -ltorch -lc10 -ltorch_cpu
// #cgo CXXFLAGS: -std=c++17 -I${SRCDIR} -g -O3 -I/usr/include/torch/csrc/api/include
import "C"
GO

	gen="$tmp_dir/libtch/torch_api_generated.cpp.h"
	# Replace the body of each listed function (from its "void name(" line to
	# the closing "}" in column one) with a throw inside PROTECT, so the
	# failure reaches Go through torch_last_err.
	awk -v names="${broken_wrappers[*]}" '
		BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) broken[list[i]] = 1 }
		skipping {
			if ($0 == "}") { skipping = 0; print }
			next
		}
		/^void atg_[A-Za-z0-9_]*\(/ {
			name = $0; sub(/^void /, "", name); sub(/\(.*/, "", name)
			if (name in broken) {
				print
				printf "  PROTECT(\n    throw std::runtime_error(\"%s is not supported with this libtorch version\");\n  )\n", name
				patched++
				if ($0 !~ /\{[[:space:]]*$/) { print "unexpected signature: " $0 > "/dev/stderr"; exit 2 }
				skipping = 1
				next
			}
		}
		{ print }
		END { if (patched != n) { printf "patched %d of %d wrappers\n", patched, n > "/dev/stderr"; exit 3 } }
	' "$gen" >"$gen.new"
	mv "$gen.new" "$gen"
	grep -q '#include <stdexcept>' "$tmp_dir/libtch/torch_api.cpp" ||
		sed -i '1i #include <stdexcept>' "$tmp_dir/libtch/torch_api.cpp"

	echo "$want_stamp" >"$tmp_dir/.arcgym-patched"
	rm -rf "$copy_dir"
	mv "$tmp_dir" "$copy_dir"
	log "patched ${#broken_wrappers[@]} wrappers and lib.go in $copy_dir"
fi

# 3. Workspace that swaps in the patched copy. env.sh writes a go.work for
# the checkout it is sourced from (keyed by its path), so several checkouts
# can share one patched copy without pointing at each other.
cat >"$env_file" <<ENV
# Source from inside an arcgym checkout: selects a go.work that uses this
# checkout and the patched gotch copy, and enables cgo.
_arcgym_root=\$(git rev-parse --show-toplevel 2>/dev/null || pwd)
_arcgym_ws="$work_dir/workspaces/\$(printf %s "\$_arcgym_root" | cksum | cut -d' ' -f1)"
mkdir -p "\$_arcgym_ws"
printf 'go %s\\n\\nuse %s\\n\\nreplace github.com/sugarme/gotch $GOTCH_VERSION => %s\\n' \\
	"\$(sed -n 's/^go \\([0-9.]*\\)\$/\\1/p' "\$_arcgym_root/go.mod")" "\$_arcgym_root" "$copy_dir" >"\$_arcgym_ws/go.work"
export GOWORK="\$_arcgym_ws/go.work"
export CGO_ENABLED=1
unset _arcgym_root _arcgym_ws
ENV
gowork=$(cd "$repo_root" && . "$env_file" && printf %s "$GOWORK")

# 4. Build once so that test runs reuse the compiled libtch.
if [ "${ARCGYM_GOTCH_NO_BUILD:-0}" != 1 ]; then
	log "compiling gotch against libtorch (about 5 minutes on 2 cores the first time)"
	start=$(date +%s)
	(cd "$repo_root" && GOWORK="$gowork" CGO_ENABLED=1 go build \
		github.com/sugarme/gotch/libtch github.com/sugarme/gotch/ts github.com/sugarme/gotch/nn)
	log "gotch compiled in $(($(date +%s) - start))s"
fi

# 5. How to run the tagged tests.
cat <<MSG
gotch is ready. Run the gotch-tagged tests from $repo_root with:

  GOWORK=$gowork CGO_ENABLED=1 go test -tags gotch ./encoding/torch/...

or source the environment first:

  . $env_file
  go test -tags gotch ./encoding/torch/...
MSG
