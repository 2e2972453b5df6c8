#!/usr/bin/env bash
# One entry point for a fresh machine:
#   bash dev.sh serve   install what serving needs (once), then serve the page on http://127.0.0.1:8000
#   bash dev.sh test    install the test tools too (once; incl. Debian's chromium for browser tests),
#                       lint, type-check, run every test
set -euo pipefail
cd "$(dirname "$0")"
VENV=${HYPECHECK_VENV:-$PWD/.venv}

setup() {
    # $1: "" (what serving needs) or "test" (plus the test and lint tools).
    # Skipped when this venv already holds an install of this pyproject.toml
    # (a stamp keyed on its hash), so a second run starts in seconds.
    local extra=${1:-} stamp want
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    stamp="$VENV/.hypecheck-installed${extra:+-$extra}"
    want="$(sha256sum pyproject.toml | cut -d' ' -f1) $PWD"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    # Editable, so edits to rules/ and src/ take effect at once.
    "$VENV/bin/python" -m pip install -q -e ".${extra:+[$extra]}"
    echo "$want" > "$stamp"
}

wheel_smoke_test() {
    # The wheel users get, in a venv of its own, run from outside the checkout:
    # it must carry the rule packs and web assets itself.
    local tmp
    tmp=$(mktemp -d)
    "$VENV/bin/python" -m pip wheel -q --no-deps -w "$tmp/dist" .
    python3 -m venv "$tmp/venv"
    "$tmp/venv/bin/python" -m pip install -q "$tmp"/dist/*.whl
    (cd "$tmp" && "$tmp/venv/bin/hypecheck" --version \
        && echo "Exosomes treat hair loss." | "$tmp/venv/bin/hypecheck" check - --format json --fail-on never \
           | "$tmp/venv/bin/python" -c "import json, sys; assert json.load(sys.stdin)['counts']['disease'] == 1" \
        && "$tmp/venv/bin/python" -c "from hypecheck._paths import rules_dir, web_dir; \
assert '_data' in str(rules_dir()) and (web_dir() / 'templates').is_dir(); \
from hypecheck.webapp.openapi import report_schema; assert report_schema()['\$defs']['Report']; \
from hypecheck.components.claim_model import default_model_dir; assert (default_model_dir() / 'model.npz').is_file()")
    rm -rf "$tmp"
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
        setup test
        browser
        shift
        "$VENV/bin/ruff" check src tests bench docs
        "$VENV/bin/ruff" format --check src tests bench docs  # the formatter, applied once and kept
        "$VENV/bin/mypy"  # src/hypecheck, configured in pyproject.toml
        wheel_smoke_test
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
