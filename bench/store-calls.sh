#!/usr/bin/env bash
# Store calls per turn, by operation and container, read from PartnerBot's own metrics while the peer harness's load
# runs against the Release build for a few seconds.
#   usage: bench/store-calls.sh slack|teams-echo|teams-waterfall [seconds=3]
# Needs the harness's sink on 127.0.0.1:39080 (bench/peers/sink) and `dotnet build -c Release bot`.
set -euo pipefail
KIND=${1:?slack, teams-echo or teams-waterfall}; SECONDS_RUN=${2:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); PEERS="$ROOT/bench/peers"; WORK=$(mktemp -d)
# Below Linux's ephemeral range (32768-60999), so no outgoing socket of the run before holds it.
PORT=29113; URL=http://127.0.0.1:$PORT
ASPNETCORE_URLS=$URL "$PEERS/partnerbot.sh" > "$WORK/bot.log" 2>&1 & BOT=$!
trap 'kill $BOT 2>/dev/null; wait $BOT 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -sf -o /dev/null "$URL/healthz" && break; sleep 0.5; done
curl -sf "$URL/metrics" > "$WORK/before.txt"
cd "$PEERS"
case $KIND in
  slack)
    node load/gen-slack.js "$WORK/slack.lua" bench-signing-secret http://127.0.0.1:39080 20000 mixed > /dev/null
    wrk -t2 -c16 -d"${SECONDS_RUN}s" -s load/slack.lua "$URL/api/slack/events" -- "$WORK/slack.lua" 2 | grep RESULT ;;
  teams-echo|teams-waterfall)
    wrk -t2 -c16 -d"${SECONDS_RUN}s" -s load/botframework.lua "$URL/api/messages" -- "${KIND#teams-}" "calls$RANDOM" http://127.0.0.1:39080/ | grep RESULT ;;
  *) echo "unknown kind: $KIND" >&2; exit 2 ;;
esac
sleep 4 # turns still in the inbox finish
curl -sf "$URL/metrics" > "$WORK/after.txt"
python3 - "$WORK/before.txt" "$WORK/after.txt" <<'PY'
import re, sys
def load(path):
    counts = {}
    for line in open(path):
        m = re.match(r'(partnerbot_store_operation_duration_seconds_count|partnerbot_turns_total)\{([^}]*)\} (\S+)', line)
        if m: counts[(m.group(1), m.group(2))] = float(m.group(3))
    return counts
before, after = load(sys.argv[1]), load(sys.argv[2])
delta = {k: v - before.get(k, 0) for k, v in after.items()}
turns = sum(v for (name, _), v in delta.items() if name == 'partnerbot_turns_total')
if not turns: sys.exit("no turns were counted")
calls = []
for (name, labels), v in delta.items():
    if name.startswith('partnerbot_store') and v > 0:
        tags = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        calls.append((v / turns, tags['operation'], tags['container']))
print(f"{int(turns)} turns")
for per, op, container in sorted(calls, reverse=True):
    if per >= 0.01: print(f"{per:6.2f} per turn  {op:8} {container}")
print(f"{sum(c[0] for c in calls):6.2f} per turn  in all")
PY
