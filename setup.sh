#!/usr/bin/env bash
# Install everything the grader needs. Idempotent: run it again at any time.
#
#   ./setup.sh          the grader: a virtual environment in .venv with requirements.txt
#   ./setup.sh --dev    the same plus what the project's own self-tests need
#
# Gradescope runs it once, as root, on a bare Ubuntu 22.04 image; it also works on Debian 12.
# As root it also creates the unprivileged users that student code runs as (ag-sandbox-1..8),
# copies numpy where they can read it (/var/lib/autograder-sandbox) and closes this checkout to
# them. As an ordinary user it skips those steps.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$here"
sandbox_users=(ag-sandbox-{1..8})  # one per concurrent grading run (batch grading runs several)
dev=no
[ "${1:-}" = "--dev" ] && dev=yes

say() { echo "setup.sh: $*"; }

# The system interpreter where there is one (Gradescope: Ubuntu's python3.10): its files are
# readable by every user, which the sandbox user needs for the standard library.
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

if [ "$(id -u)" = 0 ] && ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  say "installing python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-venv >/dev/null
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  say "creating .venv with $("$python" --version)"
  rm -rf .venv
  "$python" -m venv .venv
fi
pip=(.venv/bin/python -m pip install --disable-pip-version-check --no-input -q)
"${pip[@]}" -r requirements.txt
[ "$dev" = yes ] && "${pip[@]}" -r requirements-dev.txt

if [ "$(id -u)" = 0 ]; then
  for user in "${sandbox_users[@]}"; do
    if ! id -u "$user" >/dev/null 2>&1; then
      say "creating the sandbox user $user"
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$user"
    fi
  done
  # Workers read numpy from a copy outside the checkout, so the checkout is closed to every other
  # user, whatever appears in it later (dist/, selftests/, batch output).
  runtime=$(.venv/bin/python -I source/autograder/sandbox/prepare.py)  # exits with a reason if unusable
  chmod 700 "$here"
  say "worker runtime (numpy for graded code): $runtime"
fi
say "done: $(.venv/bin/python -c 'import numpy, pytest, sys; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, pytest {pytest.__version__}")')"
