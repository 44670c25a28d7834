#!/usr/bin/env bash
# Fails when package-lock.json is not complete: a fresh resolution of package.json (every
# platform's optional packages included) must give the committed lock unchanged, so that
# `npm ci` installs the same tree on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp package.json package-lock.json "$tmp/"
(cd "$tmp" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null)
if ! diff -q package-lock.json "$tmp/package-lock.json" >/dev/null; then
  echo "check-lock: package-lock.json is incomplete or stale; run 'npm install' and commit the lock:" >&2
  diff -u package-lock.json "$tmp/package-lock.json" | head -40 >&2
  exit 1
fi
echo "check-lock: package-lock.json complete"
