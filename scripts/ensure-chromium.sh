#!/usr/bin/env bash
# Makes sure the Debian Chromium the browser tests drive (test/support/browser.ts) is present.
# Idempotent: does nothing when /usr/bin/chromium exists. Playwright's own browser downloads are
# never used — the machines that run these tests reach only the npm registry and Debian mirrors.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM missing; installing the Debian chromium package" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi

echo "ensure-chromium: $CHROMIUM is missing. Install it as root with:" >&2
echo "  apt-get update && apt-get install -y chromium" >&2
exit 1
