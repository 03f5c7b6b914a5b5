#!/usr/bin/env bash
# Starts the Release build of PartnerBot the way run.sh expects of a --cmd target: the Kestrel endpoint on
# $ASPNETCORE_URLS, a fresh SQLite file, Slack verified with $SLACK_SIGNING_SECRET and answering through $SLACK_API_URL,
# Bot Framework replies to the activity's serviceUrl (Development: loopback callers without an app id).
# Build first: dotnet build -c Release bot
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATA=$(mktemp -d -t partnerbot-bench.XXXXXX)
export ASPNETCORE_ENVIRONMENT=Development
export Storage__Provider=Sqlite Storage__Sqlite__Path="$DATA/partnerbot.db"
export Slack__SigningSecret="${SLACK_SIGNING_SECRET:-bench-signing-secret}" Slack__BotToken=xoxb-bench
export Slack__ApiBaseUrl="${SLACK_API_URL:-http://127.0.0.1:39080/api/}"
export Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft=Warning
exec dotnet "$ROOT/bot/bin/Release/net10.0/partnerbot.dll"
