#!/usr/bin/env bash
# PartnerBot's GitHub Actions runner: plans one deployment, waits for PartnerBot to approve the plan, then applies it.
# Needs bash, curl, openssl, git and terraform. Inputs (environment):
#   PARTNERBOT_URL              the bot's public address (fixed in the workflow)
#   PARTNERBOT_CALLBACK_SECRET  Deployments:GitHubActions:CallbackSecret (a repository secret)
#   DEPLOYMENT_ID, RUN_KEY, ACTION (apply|destroy), MODULE_NAME, MODULE_REPOSITORY, MODULE_COMMIT (dispatch inputs)
#   TERRAFORM (default terraform), PARTNERBOT_POLL_SECONDS (default 5), PARTNERBOT_WORK (default a new temp folder)
# Secrets never travel in the dispatch: the backend password, the sensitive inputs and any checkout token are fetched
# from the bot over HTTPS with the run's token, kept in files readable only by this user, and removed at the end.
set -euo pipefail
umask 077

: "${PARTNERBOT_URL:?}" "${PARTNERBOT_CALLBACK_SECRET:?}" "${DEPLOYMENT_ID:?}" "${RUN_KEY:?}" "${ACTION:?}" "${MODULE_NAME:?}"
TERRAFORM=${TERRAFORM:-terraform}
POLL=${PARTNERBOT_POLL_SECONDS:-5}
BOT=${PARTNERBOT_URL%/}
WORK=${PARTNERBOT_WORK:-$(mktemp -d)}
mkdir -p "$WORK"
RUN_URL="$BOT/api/deployments/$DEPLOYMENT_ID/runs/$RUN_KEY"
EVENTS_URL="$BOT/api/deployments/$DEPLOYMENT_ID/events"
LOG_SEQ=0

hmac_hex() { openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1; }
# The deployment's key, then the run's token, derived as the bot derives them.
DEPLOYMENT_KEY=$(printf 'deployment:%s' "$DEPLOYMENT_ID" | hmac_hex "$PARTNERBOT_CALLBACK_SECRET")
RUN_TOKEN=$(printf 'run:%s' "$RUN_KEY" | hmac_hex "$DEPLOYMENT_KEY")

mask() { if [ "${GITHUB_ACTIONS:-}" = "true" ] && [ -n "$1" ]; then echo "::add-mask::$1"; fi; }
mask "$DEPLOYMENT_KEY"; mask "$RUN_TOKEN"

cleanup() { rm -f "$WORK"/terraform.tfvars.json "$WORK"/module/terraform.tfvars.json "$WORK"/module/partnerbot.tfplan "$WORK"/*.body "$WORK"/env.txt; }
trap cleanup EXIT

bot_get() { curl -fsS --retry 5 --retry-delay 2 -H "Authorization: Bearer $RUN_TOKEN" -o "$2" "$RUN_URL/$1"; }
bot_post() { curl -fsS --retry 5 --retry-delay 2 -X POST -H "Authorization: Bearer $RUN_TOKEN" -H "Content-Type: $2" --data-binary "@$3" -o /dev/null "$RUN_URL/$1"; }

json_string() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\r'/}
  printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037')"
}

# Signed event to POST /api/deployments/{id}/events (applied once per eventId).
post_event() {
  local signature
  signature=$(hmac_hex "$DEPLOYMENT_KEY" < "$1")
  curl -fsS --retry 5 --retry-delay 2 -X POST -H "Content-Type: application/json" -H "X-PartnerBot-Signature: sha256=$signature" \
    --data-binary "@$1" -o /dev/null "$EVENTS_URL"
}

send_log() {
  [ "$#" -gt 0 ] || return 0
  LOG_SEQ=$((LOG_SEQ + 1))
  local body="$WORK/log.body" first=1 line
  { printf '{"eventId":%s,"type":"log","lines":[' "$(json_string "$RUN_KEY-$PPID-$BASHPID-$LOG_SEQ")"
    for line in "$@"; do [ $first = 1 ] || printf ','; first=0; json_string "$line"; done
    printf ']}'; } > "$body"
  post_event "$body" || echo "warning: a log event was not delivered" >&2
}

log() { echo "$*"; send_log "$*"; }

# Reads lines from stdin, echoes them, and sends them in batches (every 25 lines or 2 seconds of quiet).
stream_log() {
  local batch=() line
  while true; do
    if IFS= read -r -t 2 line; then
      echo "$line"
      case $line in Error:*|"│ Error:"*) printf '%s\n' "${line#│ }" > "$WORK/last-error";; esac
      batch+=("$line")
      if [ ${#batch[@]} -ge 25 ]; then send_log "${batch[@]}"; batch=(); fi
    elif [ $? -gt 128 ]; then
      if [ ${#batch[@]} -gt 0 ]; then send_log "${batch[@]}"; batch=(); fi
    else
      [ -n "$line" ] && batch+=("$line")
      break
    fi
  done
  if [ ${#batch[@]} -gt 0 ]; then send_log "${batch[@]}"; fi
}

tf() { rm -f "$WORK/last-error"; set +e; (cd "$WORK/module" && TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 "$TERRAFORM" "$@" 2>&1) | stream_log; local code=${PIPESTATUS[0]}; set -e; return "$code"; }

report() { # result message
  printf '%s\n%s\n' "$1" "$2" > "$WORK/result.body"
  bot_post result text/plain "$WORK/result.body" || echo "warning: the result was not delivered" >&2
}

fail() { # step exit-code
  local reason=""
  [ -f "$WORK/last-error" ] && reason=": $(cat "$WORK/last-error")"
  local result=failed
  case $reason in *"Saved plan is stale"*) result=stale;; esac
  report "$result" "terraform $1 failed (exit code $2)$reason"
  exit 1
}

# 1. What the run needs from the bot: backend settings, secrets, variables.
bot_get environment "$WORK/env.txt"
BACKEND_TYPE=http; BACKEND_ARGS=(); GIT_TOKEN=""
while read -r kind name value; do
  decoded=$(printf '%s' "$value" | base64 -d)
  case $kind in
    backend) BACKEND_TYPE=$decoded ;;
    config) BACKEND_ARGS+=("-backend-config=$name=$decoded") ;;
    env) [[ $name =~ ^[A-Z_][A-Z0-9_]*$ ]] && { mask "$decoded"; export "$name=$decoded"; } ;;
    git_token) mask "$decoded"; GIT_TOKEN=$decoded ;;
    mask) mask "$decoded" ;;
  esac
done < "$WORK/env.txt"

# 2. The module at its pinned commit.
rm -rf "$WORK/source" "$WORK/module"
if [ -n "${MODULE_REPOSITORY:-}" ]; then
  : "${MODULE_COMMIT:?MODULE_COMMIT is required with MODULE_REPOSITORY}"
  git init -q "$WORK/source"
  git_auth=()
  if [ -n "$GIT_TOKEN" ]; then
    export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader
    GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$GIT_TOKEN" | base64 -w0)"; export GIT_CONFIG_VALUE_0
  fi
  if ! git -C "$WORK/source" fetch -q --depth 1 "$MODULE_REPOSITORY" "$MODULE_COMMIT" 2>/dev/null; then
    git -C "$WORK/source" fetch -q "$MODULE_REPOSITORY" || { report failed "The module repository could not be fetched."; exit 1; }
  fi
  git -C "$WORK/source" -c advice.detachedHead=false checkout -q "$MODULE_COMMIT" || { report failed "Commit $MODULE_COMMIT is not in the module repository."; exit 1; }
  unset GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
  if compgen -G "$WORK/source/modules/$MODULE_NAME/*.tf" > /dev/null; then folder="$WORK/source/modules/$MODULE_NAME"
  elif compgen -G "$WORK/source/$MODULE_NAME/*.tf" > /dev/null; then folder="$WORK/source/$MODULE_NAME"
  else report failed "The module folder $MODULE_NAME is not in the repository at $MODULE_COMMIT."; exit 1; fi
  cp -R "$folder" "$WORK/module"
  log "Checked out $MODULE_NAME at $MODULE_COMMIT."
else
  mkdir -p "$WORK/module"
  bot_get module "$WORK/module.tar.gz"
  tar -xzf "$WORK/module.tar.gz" -C "$WORK/module"
  rm -f "$WORK/module.tar.gz"
  log "Fetched the pinned files of $MODULE_NAME from PartnerBot."
fi
printf 'terraform {\n  backend "%s" {}\n}\n' "$BACKEND_TYPE" > "$WORK/module/partnerbot_backend_override.tf"
bot_get variables "$WORK/module/terraform.tfvars.json"

# 3. Plan, report it, wait for approval.
tf init -input=false -no-color "${BACKEND_ARGS[@]}" || fail init $?
plan_args=(plan -out=partnerbot.tfplan -detailed-exitcode -input=false -no-color)
[ "$ACTION" = destroy ] && plan_args=(plan -destroy -out=partnerbot.tfplan -detailed-exitcode -input=false -no-color)
code=0; tf "${plan_args[@]}" || code=$?
[ "$code" = 0 ] || [ "$code" = 2 ] || fail plan "$code"
rm -f "$WORK/module/terraform.tfvars.json"
(cd "$WORK/module" && "$TERRAFORM" show -json -no-color partnerbot.tfplan > "$WORK/plan.body") || fail show $?
bot_post plan application/json "$WORK/plan.body"
rm -f "$WORK/plan.body"
log "Plan reported; waiting for it to be approved in PartnerBot."

failures=0
while true; do
  if curl -fsS -H "Authorization: Bearer $RUN_TOKEN" -o "$WORK/approval.txt" "$RUN_URL/approval"; then
    failures=0
    decision=$(head -n 1 "$WORK/approval.txt")
    case $decision in
      apply) break ;;
      stop) log "Not applied: $(sed -n 2p "$WORK/approval.txt")"; exit 0 ;;
    esac
  else
    failures=$((failures + 1))
    [ "$failures" -lt 120 ] || { echo "PartnerBot did not answer; giving up." >&2; exit 1; }
  fi
  sleep "$POLL"
done

# 4. Apply the approved plan, report outputs and the result.
log "Plan approved; applying."
tf apply -input=false -no-color partnerbot.tfplan || fail apply $?
if [ "$ACTION" != destroy ]; then
  (cd "$WORK/module" && "$TERRAFORM" output -json -no-color > "$WORK/outputs.json") || fail output $?
  { printf '{"eventId":%s,"type":"outputs","outputs":' "$(json_string "$RUN_KEY-outputs")"; cat "$WORK/outputs.json"; printf '}'; } > "$WORK/outputs.body"
  rm -f "$WORK/outputs.json"
  post_event "$WORK/outputs.body"
fi
report succeeded "$([ "$ACTION" = destroy ] && echo Destroyed. || echo Applied.)"
log "Done."
