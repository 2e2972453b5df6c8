#!/usr/bin/env bash
# One entry point for a fresh machine:
#   bash dev.sh serve   set up, then serve the page on http://127.0.0.1:8000
#   bash dev.sh test    set up (incl. Debian's chromium for browser tests), lint, run every test
set -euo pipefail
cd "$(dirname "$0")"
VENV=${HYPECHECK_VENV:-$PWD/.venv}

setup() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # A plain (non-editable) install, so the tests exercise the wheel users get.
    "$VENV/bin/python" -m pip install -q --force-reinstall --no-deps . >/dev/null
    "$VENV/bin/python" -m pip install -q ".[test]"
}

browser() {
    if [ ! -x /usr/bin/chromium ]; then
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    fi
}

case "${1:-}" in
    serve)
        setup
        shift
        exec "$VENV/bin/hypecheck" serve "$@"
        ;;
    test)
        setup
        browser
        shift
        "$VENV/bin/ruff" check src tests bench
        # Smoke test of the installed package from outside the checkout.
        (cd "$(mktemp -d)" && "$VENV/bin/hypecheck" --version \
            && echo "Exosomes treat hair loss." | "$VENV/bin/hypecheck" check --fail-on never >/dev/null)
        rc=0
        "$VENV/bin/python" -m pytest "$@" || rc=$?
        if [ "$rc" = 5 ]; then
            echo "dev.sh: pytest collected no tests; that is a failure" >&2
        fi
        exit "$rc"
        ;;
    *)
        echo "usage: bash dev.sh serve [--port N] | bash dev.sh test [pytest args]" >&2
        exit 2
        ;;
esac
