#!/usr/bin/env bash
# Makes sure the Debian Chromium the browser tests drive (test/support/browser.ts) is present,
# with a CJK font so the Japanese and Chinese mails render as a reader sees them (the mail
# screenshots of test/mail-layout.e2e-spec.ts). Idempotent: does nothing when both are there.
# Playwright's own browser downloads are never used — the machines that run these tests reach
# only the npm registry and Debian mirrors.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CJK_FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

if [ -x "$CHROMIUM" ] && [ -e "$CJK_FONT" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing the Debian chromium and fonts-wqy-microhei packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: no CJK font; Japanese and Chinese mail screenshots show boxes (apt-get install fonts-wqy-microhei)" >&2
  exit 0
fi
echo "ensure-chromium: $CHROMIUM is missing. Install it as root with:" >&2
echo "  apt-get update && apt-get install -y chromium fonts-wqy-microhei" >&2
exit 1
