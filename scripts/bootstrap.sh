#!/usr/bin/env bash
# Installs what a fresh machine lacks to run the suite: pnpm 10, the project's dependencies and a Chromium
# (and, for the project's own tests, tcpdump).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  echo "bootstrap: installing pnpm 10" >&2
  npm install -g pnpm@10 >/dev/null
fi
pnpm install --frozen-lockfile

has_playwright_chromium() {
  node --input-type=module -e "import { chromium } from '@playwright/test'; import { existsSync } from 'node:fs'; process.exit(existsSync(chromium.executablePath()) ? 0 : 1)" 2>/dev/null
}

# The project's own measurement-honesty proof times HTTP on the wire with tcpdump (pnpm test; not the suite).
# Debian/Ubuntu as root only: elsewhere it stays the user's to install, or SKIP_CAPTURE_PROOFS=1 skips it.
debian_root() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if ! command -v tcpdump >/dev/null 2>&1 && debian_root; then
  echo "bootstrap: installing tcpdump (for pnpm test's measurement-honesty proof)" >&2
  apt_install tcpdump || echo "bootstrap: tcpdump could not be installed; SKIP_CAPTURE_PROOFS=1 skips the proof that needs it" >&2
fi

if [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || has_playwright_chromium; then
  exit 0
fi
# Debian/Ubuntu as root: the distribution's Chromium (works without Playwright's download host).
if debian_root; then
  echo "bootstrap: installing Debian's chromium" >&2
  apt_install chromium
  exit 0
fi
echo "bootstrap: installing Playwright's Chromium" >&2
pnpm exec playwright install chromium || {
  echo "bootstrap: no Chromium could be installed; install one and set CHROMIUM_PATH" >&2
  exit 2
}
