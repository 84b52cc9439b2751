#!/usr/bin/env bash
# Writes .env.<name> (mode 600) from the target variables present in the environment, for CI jobs that get
# them from secrets. Only the contract's variables are written; empty ones are left out.
set -euo pipefail
name="${1:?usage: write-env-file.sh <env-name>}"
umask 077
: > ".env.$name"
for var in BASE_URL SUPABASE_URL SUPABASE_ANON_KEY SUPABASE_SERVICE_ROLE_KEY SUPABASE_DB_URL SMOKE_USER_EMAIL \
  SMOKE_USER_PASSWORD SMOKE_ALLOW_WRITES SENTRY_AUTH_TOKEN SENTRY_ORG SENTRY_PROJECT ALERT_WEBHOOK_URL; do
  if [ -n "${!var:-}" ]; then printf '%s=%s\n' "$var" "${!var}" >> ".env.$name"; fi
done
