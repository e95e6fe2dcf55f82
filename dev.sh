#!/usr/bin/env bash
# Set up everything tinygrad_edu needs, then run the demo or the tests.
#
#   bash dev.sh demo    set up, then run the main demo
#   bash dev.sh test    set up, then run the full test suite, ruff (lint and format) and mypy
#   bash dev.sh setup   set up only
#
# Set-up: the Graphviz `dot` program (apt-get, as root or through sudo), a
# virtualenv in .venv with the package and its dev extras, and, for the tests,
# PyTorch 2.13.0 as the gradient oracle when a local copy of its wheel can be
# installed without downloading (tests that need it are skipped otherwise),
# and Debian's chromium for the replay page's headless-browser tests (skipped
# when it cannot be installed).
# Environment: PYTHON (default python3); TINYGRAD_EDU_REQUIRE_TORCH=1 makes a
# missing PyTorch an error instead of a skip (CI sets it).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
say() { printf '\033[1m[dev.sh]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

apt_install() {  # apt_install PACKAGE...: install Debian packages, or explain how
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get is not available: please install $* with your system's package manager."
    return 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    as_root apt-get update -qq || { say "could not run apt-get (not root and no sudo): please install $*."; return 1; }
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

setup() {
  if ! command -v dot >/dev/null 2>&1; then
    say "installing Graphviz (the 'dot' program renders the graphs)"
    apt_install graphviz || say "continuing without 'dot': rendering will explain how to install it."
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtualenv $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      say "$PYTHON cannot create a virtualenv; installing python3-venv"
      apt_install python3-venv
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  say "installing tinygrad_edu and its dev extras into $VENV"
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
}

setup_torch() {
  if "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then return 0; fi
  # Only a local wheel: any other torch download is gigabytes.
  if "$VENV/bin/python" -m pip install -q --no-index --no-deps "torch==2.13.0" >/dev/null 2>&1; then
    say "installing PyTorch 2.13.0 (the gradient oracle) from the local wheel"
    "$VENV/bin/python" -m pip install -q "torch==2.13.0"
  elif [ "${TINYGRAD_EDU_REQUIRE_TORCH:-0}" = 1 ]; then
    say "PyTorch 2.13.0 is required (TINYGRAD_EDU_REQUIRE_TORCH=1) but no local wheel was found."
    return 1
  else
    say "no local PyTorch 2.13.0 wheel: the PyTorch oracle tests will be skipped."
    say "to run them: $VENV/bin/pip install torch==2.13.0 (a large download), then bash dev.sh test"
  fi
}

setup_browser() {  # Chromium runs the backprop replay page in tests/test_replay.py
  if command -v chromium >/dev/null 2>&1; then return 0; fi
  say "installing Chromium (the replay page's tests drive it headless)"
  apt_install chromium || say "could not install chromium: the browser tests will be skipped."
}

case "${1:-}" in
  setup) setup ;;
  demo)
    setup
    "$VENV/bin/python" -m tinygrad_edu demo
    ;;
  test)
    setup
    setup_torch
    setup_browser
    say "running the tests"
    "$VENV/bin/python" -m pytest -q
    say "ruff"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    say "mypy"
    "$VENV/bin/mypy"
    say "all checks passed"
    ;;
  *)
    echo "usage: bash dev.sh demo|test|setup" >&2
    exit 2
    ;;
esac
