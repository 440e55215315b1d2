#!/usr/bin/env bash
# Each function as it ships: checked and linted on its own package, with its own features (a
# workspace build unifies every package's features, so it never compiles what is deployed),
# and held to its dependency budget: custom-message links no AWS SDK crate, pre-token no AWS
# SDK client but Cognito's (and no Encryption SDK). Not linked here: `make build` and
# `make deploy` link each function on its own, and the tests run every function linked.
set -euo pipefail
cd "$(dirname "$0")/.."

for f in functions/*/; do
  f=$(basename "$f")
  echo "==> $f, as it ships"
  cargo clippy -p "$f" --locked --quiet -- -D warnings
done

links() { # the AWS crates a function links (normal dependencies only)
  cargo tree -p "$1" -e normal --prefix none --locked | { grep -oE '^aws-[a-z0-9-]+' || true; } | sort -u | tr '\n' ' '
}
fail=0
message=$(links custom-message)
if [ -n "$message" ]; then
  echo "custom-message links AWS SDK crates: $message"; fail=1
fi
# The clients aws-config itself brings (STS, for the credential chain) come with any client.
clients() { links "$1" | tr ' ' '\n' | { grep -E '^aws-(sdk-|esdk)' || true; } | sort -u; }
allowed=$( (echo aws-sdk-cognitoidentityprovider; cargo tree -p aws-config -e normal --prefix none --locked | { grep -oE '^aws-sdk-[a-z0-9-]+' || true; }) | sort -u)
extra=$(comm -23 <(clients pre-token) <(echo "$allowed") | tr '\n' ' ')
if [ -n "$extra" ]; then
  echo "pre-token may link only the Cognito client (and what aws-config brings), not: $extra"; fail=1
fi
[ "$fail" = 0 ] && echo "==> custom-message links no AWS SDK crate; pre-token only the Cognito client"
exit "$fail"
