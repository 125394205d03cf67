#!/usr/bin/env bash
# Set up the project on a fresh machine: a virtual environment in .venv with the package
# (editable), the embedded local model and the test tools. Says what it is doing and how
# long each step took. Idempotent: a second run checks a stamp and returns in a second.
#
#   bash scripts/setup.sh                  # what scripts/audit.sh and scripts/test.sh call
#   bash scripts/setup.sh --rebuild-llama  # recompile llama-cpp-python (e.g. after a SIGILL)
#
# llama-cpp-python has no prebuilt CPU wheel on PyPI, so it is compiled from source, once
# per machine, with *portable* flags: GGML_NATIVE=OFF and an explicit AVX2/FMA/F16C
# baseline (any x86-64 CPU since 2013), never -march=native, whose AVX-512/AMX code dies
# with SIGILL on virtual machines that advertise instructions they do not run. The wheel
# is kept in a cache folder named by version, flags, Python and architecture, and
# installed from there with --no-index, so pip's own wheel cache (whose key ignores
# CMAKE_ARGS) can never hand back an earlier native build. Set CMAKE_ARGS to build
# differently (e.g. for CUDA); AUDITOR_SKIP_LOCAL=1 skips the local model entirely.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_VERSION="0.3.36"   # the llama-cpp-python release the portable build is measured with (README)
PYTHON="${PYTHON:-python3}"
REBUILD_LLAMA=0
for arg in "$@"; do
  case "$arg" in
    --rebuild-llama) REBUILD_LLAMA=1 ;;
    *) echo "setup.sh: unknown option '$arg' (use --rebuild-llama)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }
elapsed() { local s=$(( SECONDS - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Run a slow command quietly, printing a line every minute so a long step never looks hung.
with_ticker() {
  local what="$1"; shift
  local log; log="$(mktemp)"
  local started=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && say "  ... still $what ($(elapsed "$started") so far)"
  done
  if ! wait "$pid"; then
    say "FAILED while $what; the last lines of its output:"
    tail -n 25 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

portable_cmake_args() {
  case "$(uname -m)" in
    x86_64|amd64) echo "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" ;;
    *) echo "-DGGML_NATIVE=OFF" ;;  # other architectures: the compiler's generic baseline
  esac
}

local_wanted=1
[ "${AUDITOR_SKIP_LOCAL:-0}" = "1" ] && local_wanted=0
llama_args="${CMAKE_ARGS:-$(portable_cmake_args)}"
llama_key="$(printf '%s|%s|%s|%s' "$LLAMA_VERSION" "$llama_args" "$("$PYTHON" -c 'import sys; print(sys.implementation.cache_tag)')" "$(uname -m)" | sha1sum | cut -c1-12)"
stamp=".venv/.installed-$(cat pyproject.toml setup.py | sha1sum | cut -c1-12)-$([ "$local_wanted" = 1 ] && echo "$llama_key" || echo nolocal)"

if [ "$REBUILD_LLAMA" = 0 ] && [ -f "$stamp" ] && [ -x .venv/bin/python ]; then
  exit 0  # already set up for this pyproject and this llama.cpp build
fi

total=$SECONDS
say "setting up distill-auditor in $(pwd)/.venv (a first run takes about 6 minutes on 2 idle cores, up to 15 on a busy machine; later runs return at once)"

if [ ! -x .venv/bin/python ]; then
  step=$SECONDS
  say "[1/3] creating the virtual environment with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  say "      done in $(elapsed "$step")"
else
  say "[1/3] virtual environment .venv exists"
fi
# shellcheck disable=SC1091
. .venv/bin/activate

extras="dev"
if [ "$local_wanted" = 1 ]; then
  extras="dev,local"
  cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/distill-auditor/llama-cpp-python"
  wheel_dir="$cache_root/$LLAMA_VERSION-$llama_key"
  [ "$REBUILD_LLAMA" = 1 ] && rm -rf "$wheel_dir"
  if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step=$SECONDS
    say "[2/3] compiling llama-cpp-python $LLAMA_VERSION for the embedded model: the slow step, about 5 minutes on 2 idle cores (up to 12 on a busy machine), once per machine"
    say "      flags: CMAKE_ARGS=\"$llama_args\"; the wheel is kept in $wheel_dir"
    mkdir -p "$wheel_dir.tmp"
    with_ticker "compiling llama.cpp" env CMAKE_ARGS="$llama_args" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
      python -m pip wheel --no-cache-dir --no-deps "llama-cpp-python==$LLAMA_VERSION" -w "$wheel_dir.tmp"
    rm -rf "$wheel_dir" && mv "$wheel_dir.tmp" "$wheel_dir"
    say "      done in $(elapsed "$step")"
  else
    say "[2/3] llama-cpp-python $LLAMA_VERSION already compiled with these flags ($wheel_dir)"
  fi
  # --no-index: only this wheel, never one from pip's cache or a fresh native build
  python -m pip install --quiet --no-index --no-deps --force-reinstall "$wheel_dir"/llama_cpp_python-*.whl
else
  say "[2/3] AUDITOR_SKIP_LOCAL=1: skipping the embedded model (API and replay models only)"
fi

step=$SECONDS
say "[3/3] installing distill-auditor (editable) with Inspect, the statistics and report libraries and the test tools"
with_ticker "installing packages" python -m pip install --quiet -e ".[${extras}]"
say "      done in $(elapsed "$step")"

rm -f .venv/.installed-*
touch "$stamp"
say "ready in $(elapsed "$total")"
