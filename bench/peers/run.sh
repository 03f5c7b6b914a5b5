#!/usr/bin/env bash
# Peer chat-bot framework benchmark: starts a connector sink + each target, drives it with wrk, prints a table.
#
#   ./run.sh [options] TARGET...            TARGET: botbuilder-echo | botbuilder-waterfall | bolt | kestrel-baseline | all
#   ./run.sh [options] --url URL --kind botframework|slack [--name N] [--script S] [--cmd CMD | --pid PID] [--stats-url U]
#
# Targets and --url specs can be mixed in one run (side by side in one table). Options:
#   -c, --connections "16 64"   wrk connection counts (one row per count)
#   -d, --duration 15           measured seconds per row        -w, --warmup 5   warm-up seconds per row (not measured)
#   -r, --repeat 1              repeat the whole matrix N times (rows interleaved, to see run-to-run noise)
#   -t, --threads 2             wrk threads                      --lag N          waterfall turn lag (default 16*conns/thread)
#   --sink nginx|node           connector sink implementation (default nginx; node if nginx can't be installed)
#   --sink-port 39080           --slack-secret S (default bench-signing-secret)   --out DIR (default results/<time>)
#   --slack-reqs 4096           distinct signed Slack requests per wrk run (raise it above the expected request count
#                               for a target that answers each event_id and trigger once)
#   --pin                       pin the target to CPU 0 and wrk + sink to CPU 1 (less noise; the target gets one core)
# Generic target (e.g. the C# bot) — one spec per --url, options after it apply to it:
#   --kind botframework         POST Bot Framework activities (serviceUrl = sink) to URL; --script echo|waterfall
#   --kind slack                POST Slack-signed slash commands / app_mention events to URL; --script mixed|command|mention
#   --cmd 'CMD'                 run.sh starts CMD fresh for every row (env: PORT, HOST, SINK_URL, SLACK_SIGNING_SECRET,
#                               SLACK_API_URL, ASPNETCORE_URLS), measures its peak RSS/CPU and stops it. CMD should exec the
#                               server process itself (e.g. 'dotnet bin/Release/net10.0/Bot.dll', not 'dotnet run').
#   --pid PID                   already-running target: read its peak RSS (VmHWM) / CPU from /proc; it is not stopped.
#   --stats-url URL             GET after each row and show the JSON (the bundled peers expose /stats).
# The bot under test must send its replies to the sink: Bot Framework replies go to activity.serviceUrl (set to the sink
# by the load script); a Slack bot must use SLACK_API_URL (http://127.0.0.1:<sink-port>/api/) as its Web API base URL.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

CONNS="16 64"; DURATION=15; WARMUP=5; REPEAT=1; THREADS=2; LAG=""; SINK_KIND=nginx; SINK_PORT=39080
SLACK_SECRET=bench-signing-secret; OUT=""; SETTLE=2; SLACK_REQS=4096; PIN=0

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# ---- target specs -----------------------------------------------------------------------------------------------
S_NAME=(); S_KIND=(); S_URL=(); S_SCRIPT=(); S_CMD=(); S_PID=(); S_STATS=()
add_spec() { S_NAME+=("$1"); S_KIND+=("$2"); S_URL+=("$3"); S_SCRIPT+=("$4"); S_CMD+=("$5"); S_PID+=("${6:-}"); S_STATS+=("${7:-}"); }
add_builtin() {
  case "$1" in
    botbuilder-echo)      add_spec "$1" botframework http://127.0.0.1:39078/api/messages echo "node bots/botbuilder-echo.js" "" http://127.0.0.1:39078/stats ;;
    botbuilder-waterfall) add_spec "$1" botframework http://127.0.0.1:39079/api/messages waterfall "node bots/botbuilder-waterfall.js" "" http://127.0.0.1:39079/stats ;;
    bolt)                 add_spec "$1" slack http://127.0.0.1:39030/slack/events mixed "node bots/bolt.js" "" http://127.0.0.1:39030/stats ;;
    kestrel-baseline)     add_spec "$1" botframework http://127.0.0.1:39050/api/messages echo "dotnet baseline/bin/publish/KestrelBaseline.dll" "" http://127.0.0.1:39050/stats ;;
    all) for t in botbuilder-echo botbuilder-waterfall bolt kestrel-baseline; do add_builtin "$t"; done ;;
    *) echo "unknown target: $1 (try --help)" >&2; exit 2 ;;
  esac
}
cur=-1   # index of the --url spec that per-spec options apply to
need_cur() { [[ $cur -ge 0 ]] || { echo "$1 must follow --url" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    -c|--connections) CONNS="$2"; shift 2 ;;
    -d|--duration) DURATION="$2"; shift 2 ;;
    -w|--warmup) WARMUP="$2"; shift 2 ;;
    -r|--repeat) REPEAT="$2"; shift 2 ;;
    -t|--threads) THREADS="$2"; shift 2 ;;
    --lag) LAG="$2"; shift 2 ;;
    --sink) SINK_KIND="$2"; shift 2 ;;
    --sink-port) SINK_PORT="$2"; shift 2 ;;
    --slack-secret) SLACK_SECRET="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --slack-reqs) SLACK_REQS="$2"; shift 2 ;;
    --pin) PIN=1; shift ;;
    --url) add_spec "ext$(( ${#S_NAME[@]} + 1 ))" botframework "$2" "" "" "" ""; cur=$(( ${#S_NAME[@]} - 1 )); shift 2 ;;
    --kind) need_cur --kind; S_KIND[$cur]="$2"; shift 2 ;;
    --name) need_cur --name; S_NAME[$cur]="$2"; shift 2 ;;
    --script) need_cur --script; S_SCRIPT[$cur]="$2"; shift 2 ;;
    --cmd) need_cur --cmd; S_CMD[$cur]="$2"; shift 2 ;;
    --pid) need_cur --pid; S_PID[$cur]="$2"; shift 2 ;;
    --stats-url) need_cur --stats-url; S_STATS[$cur]="$2"; shift 2 ;;
    -*) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
    *) add_builtin "$1"; shift ;;
  esac
done
[[ ${#S_NAME[@]} -gt 0 ]] || { usage; exit 2; }
for i in "${!S_NAME[@]}"; do
  case "${S_KIND[$i]}" in
    botframework) : "${S_SCRIPT[$i]:=echo}"; [[ "${S_SCRIPT[$i]}" =~ ^(echo|waterfall)$ ]] || { echo "bad --script for botframework" >&2; exit 2; } ;;
    slack) : "${S_SCRIPT[$i]:=mixed}"; [[ "${S_SCRIPT[$i]}" =~ ^(mixed|command|mention)$ ]] || { echo "bad --script for slack" >&2; exit 2; } ;;
    *) echo "--kind must be botframework or slack" >&2; exit 2 ;;
  esac
done

log() { printf '[run.sh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---- install what is missing -------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  [[ $(id -u) -eq 0 ]] || { log "not root: cannot apt-get install $*"; return 1; }
  if [[ $APT_UPDATED -eq 0 ]]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v wrk >/dev/null || { log "installing wrk (apt)"; apt_install wrk; }
command -v curl >/dev/null || { log "installing curl (apt)"; apt_install curl; }
if [[ $SINK_KIND == nginx ]] && ! command -v nginx >/dev/null; then
  log "installing nginx-light (apt)"; apt_install nginx-light || { log "nginx unavailable: using the node sink"; SINK_KIND=node; }
fi
need_node=0; need_dotnet=0
for i in "${!S_NAME[@]}"; do
  [[ "${S_CMD[$i]}" == node\ bots/* || ${S_KIND[$i]} == slack || $SINK_KIND == node ]] && need_node=1
  [[ "${S_CMD[$i]}" == *KestrelBaseline.dll ]] && need_dotnet=1
done
if [[ $need_node -eq 1 ]]; then
  if [[ ! -d node_modules/botbuilder || ! -d node_modules/@slack/bolt || package.json -nt node_modules/.package-lock.json ]]; then
    log "npm install (botbuilder, botbuilder-dialogs, @slack/bolt, express) into $HERE/node_modules"
    # botbuilder-dialogs' postinstall runs 'npx rimraf': allow npx to fetch it non-interactively.
    if [[ -f package-lock.json ]]; then npm_config_yes=true npm ci --no-audit --no-fund --loglevel=error
    else npm_config_yes=true npm install --no-audit --no-fund --loglevel=error; fi
  fi
fi
if [[ $need_dotnet -eq 1 ]]; then
  dll=baseline/bin/publish/KestrelBaseline.dll
  if [[ ! -f $dll || baseline/Program.cs -nt $dll || baseline/KestrelBaseline.csproj -nt $dll ]]; then
    log "building kestrel-baseline (dotnet publish -c Release)"
    dotnet publish baseline/KestrelBaseline.csproj -c Release -o baseline/bin/publish --nologo -v quiet >/dev/null
  fi
fi

PIN_TARGET=(); PIN_LOAD=()
if [[ $PIN -eq 1 ]]; then PIN_TARGET=(taskset -c 0); PIN_LOAD=(taskset -c 1); fi

# ---- run dir, process bookkeeping --------------------------------------------------------------------------------
RUN=$(mktemp -d /tmp/bench-peers.XXXXXX)
[[ -n $OUT ]] || OUT="$HERE/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
SINK_URL="http://127.0.0.1:$SINK_PORT"
SINK_LOG="$RUN/sink-access.log"
SINK_PID=""; TARGET_PID=""

stop_pid() {  # stop a process group this script started (setsid => pgid == pid)
  local pid=$1 sig=${2:-TERM} i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  rm -f "/tmp/clr-debug-pipe-$pid-"* "/tmp/dotnet-diagnostic-$pid-"* 2>/dev/null || true  # .NET IPC files left behind
}
cleanup() {
  stop_pid "$TARGET_PID"; TARGET_PID=""
  stop_pid "$SINK_PID" QUIT; SINK_PID=""
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
url_port() { local hp=${1#*://}; hp=${hp%%/*}; [[ $hp == *:* ]] && echo "${hp##*:}" || echo 80; }
wait_port() {  # wait_port PORT PID SECONDS
  local i
  for i in $(seq $(( $3 * 10 ))); do
    port_busy "$1" && return 0
    [[ -z $2 ]] || kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---- connector sink ----------------------------------------------------------------------------------------------
port_busy "$SINK_PORT" && { log "port $SINK_PORT already in use: pick another --sink-port"; exit 1; }
if [[ $SINK_KIND == nginx ]]; then
  mkdir -p "$RUN/tmp"
  sed -e "s#@RUN@#$RUN#g" -e "s#@PORT@#$SINK_PORT#g" sink/nginx.conf.tmpl > "$RUN/nginx.conf"
  setsid "${PIN_LOAD[@]}" nginx -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/nginx-error.log" -g 'daemon off;' >"$RUN/sink.out" 2>&1 &
else
  setsid "${PIN_LOAD[@]}" node sink/sink.js "$SINK_PORT" "$SINK_LOG" >"$RUN/sink.out" 2>&1 &
fi
SINK_PID=$!
wait_port "$SINK_PORT" "$SINK_PID" 10 || { log "sink failed to start"; cat "$RUN/sink.out" "$RUN"/nginx-error.log 2>/dev/null >&2; exit 1; }
log "sink ($SINK_KIND) on $SINK_URL, pid $SINK_PID; results in $OUT"

sink_lines() { [[ -f $SINK_LOG ]] && wc -l < "$SINK_LOG" || echo 0; }
cpu_ticks() { [[ -n $1 && -r /proc/$1/stat ]] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" || echo ""; }
rss_mb() { [[ -n $1 && -r /proc/$1/status ]] && awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" || echo "-"; }
prime_bf() {
  local text
  for text in deploy catalog; do
    curl -s -o /dev/null --max-time 30 -H 'Content-Type: application/json' --data "{\"type\":\"message\",\"id\":\"prime-$text\",\"text\":\"$text\",\"channelId\":\"msteams\",\"serviceUrl\":\"$SINK_URL/\",\"from\":{\"id\":\"29:1prime\",\"name\":\"Prime\"},\"conversation\":{\"id\":\"a:1prime-$NONCE\",\"conversationType\":\"personal\"},\"recipient\":{\"id\":\"28:bench-bot-app-id\",\"name\":\"BenchBot\"},\"locale\":\"en-US\"}" "$1" || true
  done
}
hwm_mb() { [[ -n $1 && -r /proc/$1/status ]] && awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" || echo "-"; }
CLK_TCK=$(getconf CLK_TCK)

# ---- versions ----------------------------------------------------------------------------------------------------
{
  echo "date: $(date -u +%FT%TZ)  host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')  sink: $SINK_KIND $( [[ $SINK_KIND == nginx ]] && nginx -v 2>&1 | sed 's/.*\///')"
  if [[ -d node_modules/botbuilder ]]; then
    echo "node: $(node -v)  $(node -e 'for (const p of ["botbuilder","botbuilder-dialogs","@slack/bolt","@slack/web-api","express"]) { try { process.stdout.write(p+"@"+require(p+"/package.json").version+"  ") } catch {} }')"
  fi
  [[ $need_dotnet -eq 1 ]] && echo "dotnet: $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}'))"
  echo "settings: connections=[$CONNS] threads=$THREADS warmup=${WARMUP}s duration=${DURATION}s repeat=$REPEAT pin=$PIN"
} | tee "$OUT/versions.txt" >&2

# ---- one row -----------------------------------------------------------------------------------------------------
TSV="$OUT/results.tsv"
printf 'target\tkind\tscript\tconns\trep\treq_s\tp50_ms\tp99_ms\terrors\tidle_rss_mb\tpeak_rss_mb\tcpu_pct\trequests\tsink_replies\treplies_per_req\tcards\tstats\n' > "$TSV"

wrk_run() {  # wrk_run SECONDS CONNS URL OUTFILE LUA-ARGS...
  local secs=$1 c=$2 url=$3 outf=$4; shift 4
  local script=load/botframework.lua; [[ $KIND == slack ]] && script=load/slack.lua
  "${PIN_LOAD[@]}" wrk -t"$THREADS" -c"$c" -d"${secs}s" --timeout 10s -s "$script" "$url" -- "$@" > "$outf" 2>&1 || true
}
lua_args() {  # lua_args PHASE(w|m) CONNS -> args for the load script of the current spec
  local phase=$1 c=$2
  if [[ $KIND == slack ]]; then
    node load/gen-slack.js "$RUN/slack-$phase.lua" "$SLACK_SECRET" "$SINK_URL" "$SLACK_REQS" "$SCRIPT"
    echo "$RUN/slack-$phase.lua $THREADS"
  else
    local per=$(( (c + THREADS - 1) / THREADS )); local lag=${LAG:-$(( 16 * per ))}
    # warm-up and measured run share one conversation stream, so waterfall answers continue across the boundary
    echo "$SCRIPT $NONCE $SINK_URL/ $lag ${RESUME:-}"
  fi
}

run_row() {  # run_row SPEC-INDEX CONNS REP
  local i=$1 c=$2 rep=$3
  NAME=${S_NAME[$i]}; KIND=${S_KIND[$i]}; SCRIPT=${S_SCRIPT[$i]}
  local url=${S_URL[$i]} cmd=${S_CMD[$i]} pid=${S_PID[$i]} stats_url=${S_STATS[$i]} port
  port=$(url_port "$url")
  local tag="$NAME-c$c-r$rep"
  if [[ -n $cmd ]]; then
    port_busy "$port" && { log "$tag: port $port already in use, skipping"; return 0; }
    PORT=$port HOST=127.0.0.1 SINK_URL=$SINK_URL SLACK_API_URL=$SINK_URL/api/ SLACK_SIGNING_SECRET=$SLACK_SECRET \
      ASPNETCORE_URLS=http://127.0.0.1:$port DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      setsid "${PIN_TARGET[@]}" bash -c "exec $cmd" > "$OUT/$tag.target.log" 2>&1 &
    TARGET_PID=$!; pid=$TARGET_PID
    wait_port "$port" "$pid" 60 || { log "$tag: target did not start"; tail -5 "$OUT/$tag.target.log" >&2; stop_pid "$TARGET_PID"; TARGET_PID=""; return 0; }
  fi
  NONCE="${rep}x$(printf '%04x' $RANDOM)c$c"; RESUME=""
  local idle; idle=$(rss_mb "$pid")
  # Bot Framework: one sequential priming conversation ("deploy", then an answer), so the cold first turn
  # does not race with the load script's own turn order.
  if [[ $KIND == botframework ]]; then prime_bf "$url"; idle=$(rss_mb "$pid"); fi
  sleep 1.2; : > "$SINK_LOG" 2>/dev/null || true
  log "$tag: warm-up ${WARMUP}s"
  local args; args=$(lua_args w "$c")
  # shellcheck disable=SC2086
  wrk_run "$WARMUP" "$c" "$url" "$OUT/$tag.warmup.txt" $args
  RESUME=$(sed -n 's/^STATE //p' "$OUT/$tag.warmup.txt")
  args=$(lua_args m "$c")
  sleep "$SETTLE"
  local l0 t0 l1 t1
  l0=$(sink_lines); t0=$(cpu_ticks "$pid")
  log "$tag: measuring ${DURATION}s"
  # shellcheck disable=SC2086
  wrk_run "$DURATION" "$c" "$url" "$OUT/$tag.wrk.txt" $args
  t1=$(cpu_ticks "$pid")
  sleep "$SETTLE"
  l1=$(sink_lines)
  local rss; rss=$(hwm_mb "$pid")
  local stats="-"; [[ -n $stats_url ]] && stats=$(curl -s --max-time 2 "$stats_url" | tr -d '\n\t' || echo "-")
  [[ -n $stats ]] || stats="-"
  if [[ -n $cmd ]]; then stop_pid "$TARGET_PID"; TARGET_PID=""; fi

  local res; res=$(sed -n 's/^RESULT //p' "$OUT/$tag.wrk.txt")
  if [[ -z $res ]]; then log "$tag: wrk produced no result"; tail -5 "$OUT/$tag.wrk.txt" >&2; return 0; fi
  local requests duration_us p50_us p90_us p99_us max_us non2xx connect read write timeout
  eval "$res"
  local errors=$(( non2xx + connect + read + write + timeout ))
  local rps p50 p99 cpu="-"
  rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  p50=$(awk -v v="$p50_us" 'BEGIN { printf "%.1f", v / 1000 }'); p99=$(awk -v v="$p99_us" 'BEGIN { printf "%.1f", v / 1000 }')
  [[ -n $t0 && -n $t1 ]] && cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v d="$duration_us" \
    'BEGIN { printf "%.0f", 100 * (b - a) / hz / (d / 1e6) }')
  # replies the sink received during the measured window (+ stragglers finishing within SETTLE s after wrk stopped)
  local counts; counts=$(tail -n +"$(( l0 + 1 ))" "$SINK_LOG" | head -n "$(( l1 - l0 ))" | awk -v kind="$KIND" '
    kind == "botframework" && ($1 == "POST" || $1 == "PUT") && $2 ~ /^\/v3\/conversations\/.*\/activities/ && $3 == 200 { r++; if ($4 + 0 > 1000) cards++ }
    kind == "slack" && $1 == "POST" && $3 == 200 && ($2 ~ /^\/api\/chat\./ || $2 ~ /^\/response\//) { r++ }
    END { printf "%d %d", r, cards }')
  local replies=${counts% *} cards=${counts#* }
  local ratio; ratio=$(awk -v a="$replies" -v b="$requests" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
  [[ $KIND == slack ]] && cards="-"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$NAME" "$KIND" "$SCRIPT" "$c" "$rep" "$rps" \
    "$p50" "$p99" "$errors" "$idle" "$rss" "$cpu" "$requests" "$replies" "$ratio" "$cards" "$stats" >> "$TSV"
  log "$tag: $rps req/s p50 ${p50}ms p99 ${p99}ms errors $errors rss ${rss}MB cpu ${cpu}% sink $replies/$requests"
}

for rep in $(seq "$REPEAT"); do
  for i in "${!S_NAME[@]}"; do
    for c in $CONNS; do run_row "$i" "$c" "$rep"; done
  done
done

# ---- table -------------------------------------------------------------------------------------------------------
{
  echo
  cat "$OUT/versions.txt"
  echo "idle RSS = VmRSS once started (after one priming turn); peak RSS = VmHWM at the end of the row (warm-up included)."
  echo "cpu% = target process CPU over the measured window (200% = both cores); sink replies = replies the connector"
  echo "sink received in that window (+${SETTLE}s for in-flight turns); cards = replies carrying the Adaptive Card."
  echo
  awk -F'\t' 'NR == 1 { print "target\tconns\trep\treq/s\tp50_ms\tp99_ms\terrors\tidle_RSS_MB\tpeak_RSS_MB\tcpu%\twrk_requests\tsink_replies\treplies/req\tcards"; next }
              { print $1 "\t" $4 "\t" $5 "\t" $6 "\t" $7 "\t" $8 "\t" $9 "\t" $10 "\t" $11 "\t" $12 "\t" $13 "\t" $14 "\t" $15 "\t" $16 }' "$TSV" | { if command -v column >/dev/null; then column -t -s $'\t'; else cat; fi; }
  echo
  awk -F'\t' 'NR > 1 && $17 != "-" { print $1 " c=" $4 " rep=" $5 " stats: " $17 }' "$TSV"
} | tee "$OUT/table.txt"
