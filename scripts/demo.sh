#!/usr/bin/env bash
# `make demo`: serve every function with `cargo lambda watch` on a free loopback port, send the
# custom message function the event Cognito sends when a user asks to reset a password, and
# show the branded message it returns. Stops everything it started on exit or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
port=$($python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t cognito-reset-watch.XXXXXX)
event=tests/fixtures/events/custom-message-ForgotPassword.json

echo "==> starting cargo lambda watch on 127.0.0.1:$port (log: $log)"
setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" \
  --env-file config/local.env --ignore-changes >"$log" 2>&1 &
watch_pid=$!
stop() {
  kill -TERM -- "-$watch_pid" 2>/dev/null || true
  wait "$watch_pid" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 600); do
  if $python -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then break; fi
  if ! kill -0 "$watch_pid" 2>/dev/null; then echo "cargo lambda watch stopped; see $log" >&2; exit 1; fi
  sleep 0.2
done

echo "==> a user asks to reset their password: Cognito sends $event"
echo "    (the first call compiles the function, which takes a moment)"
response=$(cargo lambda invoke custom-message --invoke-address 127.0.0.1 --invoke-port "$port" --data-file "$event")

echo "==> custom-message answered; Cognito replaces {####} with the code and sends:"
RESPONSE="$response" $python - <<'PY'
import html, json, os, re
r = json.loads(os.environ["RESPONSE"])["response"]
text = re.sub(r"<(style|head)[^>]*>.*?</\1>", "", r["emailMessage"], flags=re.S)
text = re.sub(r"<a [^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", r"\2: \1", text)
text = html.unescape(re.sub(r"<[^>]+>", "", text))
text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
print(f"\n  Subject: {r['emailSubject']}\n")
print("  " + text.replace("\n", "\n  "))
print(f"\n  SMS: {r['smsMessage']}\n")
print(f"  (HTML email: {len(r['emailMessage'])} characters; Cognito accepts up to 20,000)")
PY
echo "==> done; stopping cargo lambda watch"
