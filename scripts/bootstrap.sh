#!/usr/bin/env bash
# Installs what a fresh machine lacks to run the suite: pnpm 10, the project's dependencies and a Chromium.
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

if [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || has_playwright_chromium; then
  exit 0
fi
# Debian/Ubuntu as root: the distribution's Chromium (works without Playwright's download host).
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "bootstrap: installing Debian's chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "bootstrap: installing Playwright's Chromium" >&2
pnpm exec playwright install chromium || {
  echo "bootstrap: no Chromium could be installed; install one and set CHROMIUM_PATH" >&2
  exit 2
}
