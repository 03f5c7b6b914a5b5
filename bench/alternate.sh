#!/usr/bin/env bash
# Alternating A/B runs at 64 connections: each pair runs A, then B, on a fresh process (and, for PartnerBot, a fresh
# SQLite file), so a drift of the machine's speed lands on both sides. Prints one line per run: turns (or acks) per
# second, p99, process CPU ticks per 1,000 requests (from /proc/PID/stat) and peak RSS.
#   usage: bench/alternate.sh teams-echo|teams-waterfall|slack PAIRS A B
#     A, B: a partnerbot.dll (a Release build, e.g. bot/bin/Release/net10.0/partnerbot.dll of another clone),
#           or "kestrel" (the harness's bare Kestrel reference; teams-echo only)
#   env: WARM (s, default 12; slack 20), DUR (s, default 12)
# Needs the harness's sink on 127.0.0.1:39080 (bench/peers/sink, as for bench/store-calls.sh), wrk and node.
set -euo pipefail
KIND=${1:?teams-echo, teams-waterfall or slack}; PAIRS=${2:?pairs}; A=${3:?A}; B=${4:?B}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); PEERS="$ROOT/bench/peers"; WORK=$(mktemp -d)
# Below Linux's ephemeral range (32768-60999), so no outgoing socket of the run before holds it.
PORT=29114; URL=http://127.0.0.1:$PORT
DUR=${DUR:-12}; [[ $KIND == slack ]] && WARM=${WARM:-20} || WARM=${WARM:-12}
trap 'rm -rf "$WORK"' EXIT
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
field() { sed "s/.*$1=\([0-9]*\).*/\1/" <<< "$2"; }

start() { # start TARGET: sets PID
  if [[ $1 == kestrel ]]; then
    [[ -f $PEERS/baseline/bin/publish/KestrelBaseline.dll ]] ||
      dotnet publish "$PEERS/baseline/KestrelBaseline.csproj" -c Release -o "$PEERS/baseline/bin/publish" --nologo -v quiet > /dev/null
    ASPNETCORE_URLS=$URL dotnet "$PEERS/baseline/bin/publish/KestrelBaseline.dll" > "$WORK/target.log" 2>&1 &
  else
    mkdir -p "$WORK/data"; rm -f "$WORK"/data/*
    ASPNETCORE_ENVIRONMENT=Development Storage__Provider=Sqlite Storage__Sqlite__Path="$WORK/data/pb.db" \
      Slack__SigningSecret=bench-signing-secret Slack__BotToken=xoxb-bench Slack__ApiBaseUrl=http://127.0.0.1:39080/api/ \
      Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft=Warning ASPNETCORE_URLS=$URL \
      dotnet "$1" > "$WORK/target.log" 2>&1 &
  fi
  PID=$!
  # Any answer (a 404 included) means the host is listening.
  for _ in $(seq 1 150); do curl -s -o /dev/null "$URL/" && break; sleep 0.2; done
}

load() { # load SECONDS PHASE: prints wrk's RESULT line
  if [[ $KIND == slack ]]; then
    wrk -t2 -c64 -d"$1s" --timeout 10s -s "$PEERS/load/slack.lua" "$URL/api/slack/events" -- "$WORK/slack-$2.lua" 2 | grep RESULT
  else
    wrk -t2 -c64 -d"$1s" --timeout 10s -s "$PEERS/load/botframework.lua" "$URL/api/messages" -- "${KIND#teams-}" "$NONCE" \
      http://127.0.0.1:39080/ 256 ${RESUME:-} > "$WORK/wrk.txt"
    RESUME=$(awk '/^STATE/ { print $2 }' "$WORK/wrk.txt"); grep RESULT "$WORK/wrk.txt"
  fi
}

run() { # run LABEL TARGET
  if [[ $KIND == slack ]]; then
    # Distinct requests for each phase (a copy of an event is acknowledged without a turn); one second apart, so no id repeats.
    node "$PEERS/load/gen-slack.js" "$WORK/slack-warm.lua" bench-signing-secret http://127.0.0.1:39080 $(( WARM * 9000 )) mixed
    sleep 1.1
    node "$PEERS/load/gen-slack.js" "$WORK/slack-run.lua" bench-signing-secret http://127.0.0.1:39080 $(( DUR * 9000 )) mixed
  fi
  NONCE=ab$RANDOM$RANDOM; RESUME=""
  start "$2"
  load "$WARM" warm > /dev/null
  local t0 result; t0=$(ticks "$PID")
  result=$(load "$DUR" run)
  local t1 hwm requests; t1=$(ticks "$PID"); hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
  kill "$PID"; wait "$PID" 2> /dev/null || true
  requests=$(field requests "$result")
  awk -v l="$1" -v r="$requests" -v d="$(field duration_us "$result")" -v p="$(field p99_us "$result")" -v t="$((t1 - t0))" -v h="$hwm" \
    'BEGIN { printf "%-3s %8.0f req/s  p99 %6.1f ms  %5.1f ticks/1k  peak RSS %d MB\n", l, r / (d / 1e6), p / 1000, t * 1000 / r, h }'
}

curl -sf -o /dev/null http://127.0.0.1:39080/sink/health || { echo "start the sink first (bench/peers/sink)" >&2; exit 1; }
for pair in $(seq 1 "$PAIRS"); do run A "$A"; run B "$B"; done
