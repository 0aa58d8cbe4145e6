#!/usr/bin/env bash
# Smoke test of a built bundle (dist/loket) against a real loket-server started from this source tree:
# enrol three people, register → verify → approve and sign a case, export and verify the letter, doctor,
# support bundle, revoke the signer's laptop, start the GUI offscreen. Debian/Ubuntu; run from the repo root:
#   tools/with-keyring bundle/smoke.sh          (a real Secret Service keyring, as on a desktop)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIST="${DIST:-$ROOT/dist/loket}"
CLI="$DIST/loket-cli"
PY="$ROOT/.venv/bin/python"
WORK="$(mktemp -d)"
PORT="${PORT:-$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}"
URL="http://127.0.0.1:$PORT"
PIN=135790
SECRET="kunci-loket-2026"  # the counter staff's own password on their laptop
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
server() { (cd "$ROOT" && exec "$PY" -m sync.server.cli --data "$WORK/server" "$@"); }
# Every command in someone's name reads their secret (the signer's: the PIN) from the first line of stdin.
cli() {
  local who=$1 secret="$SECRET"; shift
  [ "$who" = lurah ] && secret="$PIN"
  (cd "$WORK" && printf '%s\n' "$secret" | "$CLI" --profile "$WORK/$who" "$@")
}
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

step "versions"
"$CLI" --version
du -sh "$DIST"

step "server"
server --json init --demo > "$WORK/init.json"
(cd "$ROOT" && exec "$PY" -m sync.server.cli --data "$WORK/server" run --port "$PORT") > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do curl -fs "$URL/api/v1/ping" >/dev/null 2>&1 && break; sleep 0.2; done
code() { json "[u['code'] for u in d['users'] if u['username']=='$1'][0]" < "$WORK/init.json"; }

step "enrol"
printf '%s\n' "$SECRET" | cli siti --json enroll --server "$URL" --code "$(code siti)" --secret-stdin \
  | json "d['device_id']"
printf '%s\n' "$SECRET" | cli bambang --json enroll --server "$URL" --code "$(code bambang)" --secret-stdin \
  | json "d['device_id']"
LURAH_DEVICE=$(printf '%s\n' "$PIN" | cli lurah --json enroll --server "$URL" --code "$(code lurah)" --pin-stdin \
  | json "d['device_id']")
echo "lurah device $LURAH_DEVICE"

step "a case from intake to a signed letter"
mkdir -p "$WORK/docs"
ATTACH=$(cd "$ROOT/tests" && "$PY" -c "
from pathlib import Path
from samples import documents
print(' '.join(f'--attach {k}={v}' for k, v in documents(Path('$WORK/docs')).items()))")
# shellcheck disable=SC2086
ID=$(cli siti --json case new --service SKD --nik 3573015708900003 --name "Dewi Lestari" \
  --field tempat_lahir=Malang --field tanggal_lahir=1990-08-17 --field jenis_kelamin=P \
  --field no_kk=3573021708900005 --field "alamat=Jl. Kawi No. 12" --field "keperluan=melamar pekerjaan" \
  $ATTACH | json "d['id']")
cli siti case submit "$ID"
cli siti sync
cli bambang sync
cli bambang case verify "$ID"
cli bambang sync
cli lurah sync
printf '%s\n' "$PIN" | cli lurah case approve "$ID" --pin-stdin
cli lurah sync
cli lurah letter export "$ID" --out "$WORK/letter.pdf"
cli lurah verify "$WORK/letter.pdf"

step "doctor and support bundle"
cli lurah doctor || true
cli lurah support-bundle --out "$WORK/support.zip"
unzip -l "$WORK/support.zip"

step "revoke the signer's laptop"
server revoke --device "$LURAH_DEVICE" --reason "laptop hilang"
if cli lurah sync; then echo "FAIL: a revoked laptop could still sync"; exit 1; else echo "refused, as it should be"; fi

step "GUI starts (offscreen)"
cli siti user list >/dev/null
# On a profile with people enrolled the window opens behind the sign-in dialog, which waits for a person; the
# self-test opens the main window offscreen (and renders, signs and verifies a letter) on a scratch profile.
(cd "$WORK" && QT_QPA_PLATFORM=offscreen timeout 300 "$DIST/loket" --self-test --profile "$WORK/selftest") \
  | grep "Uji mandiri berhasil"

printf '\nsmoke test passed (%s)\n' "$WORK"
