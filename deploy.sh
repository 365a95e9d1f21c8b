#!/usr/bin/env bash
# Deploys SOGOMS as the original platform did: build, tar.gz archive, copy to the jump host, install into the
# Incus container, keep a local backup of the archive, restart sogoctl gracefully (SIGTERM, never kill -9).
#
#   ./deploy.sh              full deployment (hosts, container and paths from deploy.env or the environment)
#   ./deploy.sh --dry-run    print every command instead of running it (unset hosts show as <DEPLOY_…>)
#   ./deploy.sh --local DIR  build the archive and install it into DIR (no remote step)
#   ./deploy.sh --no-build   reuse the current bin/ and dist/
#
# Settings (deploy.env beside this script, then the environment; see deploy.env.example):
#   DEPLOY_JUMP_HOST    jump host reached with ssh/scp (required for a remote deployment)
#   DEPLOY_JUMP_USER    ssh user on the jump host (default: root)
#   DEPLOY_CONTAINER    Incus container on the jump host (required for a remote deployment)
#   DEPLOY_PREFIX       install folder in the container (default: /opt/sogoms)
#   DEPLOY_CONFIG_DIR   configuration folder in the container (default: /config)
#   DEPLOY_RUN_DIR      run folder in the container, holds sogoctl.sock (default: /run)
#   DEPLOY_LOG_DIR      log folder in the container (default: /var/log/sogoms)
#   DEPLOY_BACKUP_DIR   local folder keeping every deployed archive (default: ./backups)
#   DEPLOY_STOP_WAIT    seconds to wait for sogoctl to stop before giving up (default: 30)
#   DEPLOY_RESTART      process (default): sogoctl runs under the container's init; it gets SIGTERM, stops every
#                       service in order, and the new one is started with nohup.
#                       container: sogoctl is the container's PID 1; `incus restart` sends it SIGPWR, which it
#                       handles like SIGTERM, and the container starts the new version.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")" && pwd)"
DRY_RUN=0
LOCAL_DIR=""
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --local) LOCAL_DIR="${2:?--local needs a folder}"; shift ;;
    --local=*) LOCAL_DIR="${1#--local=}" ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ -f "$ROOT/deploy.env" ]; then
  # shellcheck disable=SC1091
  set -a; . "$ROOT/deploy.env"; set +a
fi
JUMP_USER="${DEPLOY_JUMP_USER:-root}"
PREFIX="${DEPLOY_PREFIX:-/opt/sogoms}"
CONFIG_DIR="${DEPLOY_CONFIG_DIR:-/config}"
RUN_DIR="${DEPLOY_RUN_DIR:-/run}"
LOG_DIR="${DEPLOY_LOG_DIR:-/var/log/sogoms}"
BACKUP_DIR="${DEPLOY_BACKUP_DIR:-$ROOT/backups}"
STOP_WAIT="${DEPLOY_STOP_WAIT:-30}"
RESTART="${DEPLOY_RESTART:-process}"
case "$RESTART" in process|container) ;; *) echo "deploy.sh: DEPLOY_RESTART must be process or container" >&2; exit 2 ;; esac
VERSION="$(tr -d '[:space:]' < "$ROOT/VERSION")"
ARCHIVE_NAME="sogoms-${VERSION}.tar.gz"
ARCHIVE="$ROOT/build/$ARCHIVE_NAME"

step() { printf '== %s\n' "$*"; }
# run CMD...: prints the command; runs it unless --dry-run.
run() {
  printf '+ %s\n' "$*"
  if [ "$DRY_RUN" -eq 0 ]; then "$@"; fi
}

if [ -z "$LOCAL_DIR" ]; then
  # A dry run shows the commands even before deploy.env exists: unset hosts appear as placeholders.
  for name in DEPLOY_JUMP_HOST DEPLOY_CONTAINER; do
    if [ -z "${!name:-}" ]; then
      if [ "$DRY_RUN" -eq 0 ]; then
        echo "deploy.sh: set $name in deploy.env or the environment (see deploy.env.example)" >&2
        exit 2
      fi
      printf -v "$name" '<%s>' "$name"
      echo "(dry run: $name is not set, shown as <$name>)"
    fi
  done
  JUMP="${JUMP_USER}@${DEPLOY_JUMP_HOST}"
  CONTAINER="$DEPLOY_CONTAINER"
fi

step "1/6 build"
if [ "$BUILD" -eq 1 ]; then run node "$ROOT/scripts/build.mjs"; fi

step "2/6 archive $ARCHIVE_NAME"
# The archive holds the launchers, the bundles, VERSION, the production config for reference, and the one
# native module the MariaDB path needs: bcrypt, whose package ships musl prebuilds for Alpine. Any build/
# folder is left out so that the prebuild matching the target (glibc or musl) is chosen there.
# better-sqlite3 is left out: production runs on MariaDB.
run node "$ROOT/scripts/stage-release.mjs" "$ROOT/build/stage"
run tar -czf "$ARCHIVE" -C "$ROOT/build/stage" .

if [ -n "$LOCAL_DIR" ]; then
  step "3/6 install into $LOCAL_DIR (local)"
  run mkdir -p "$LOCAL_DIR"
  run tar -xzf "$ARCHIVE" -C "$LOCAL_DIR"
  if [ "$DRY_RUN" -eq 1 ]; then step "dry run: nothing installed"; else step "done: $LOCAL_DIR/bin/sogoctl -config DIR"; fi
  exit 0
fi

REMOTE_TMP="/tmp/$ARCHIVE_NAME"
step "3/6 copy to the jump host $DEPLOY_JUMP_HOST"
run scp -q "$ARCHIVE" "$JUMP:$REMOTE_TMP"

step "4/6 install into the Incus container $CONTAINER"
run ssh "$JUMP" incus file push "$REMOTE_TMP" "$CONTAINER$REMOTE_TMP"
run ssh "$JUMP" incus exec "$CONTAINER" -- sh -c "'mkdir -p $PREFIX.new && tar -xzf $REMOTE_TMP -C $PREFIX.new && rm -rf $PREFIX.old && { [ ! -d $PREFIX ] || mv $PREFIX $PREFIX.old; } && mv $PREFIX.new $PREFIX && rm -f $REMOTE_TMP'"
run ssh "$JUMP" rm -f "$REMOTE_TMP"

step "5/6 local backup"
run mkdir -p "$BACKUP_DIR"
run cp "$ARCHIVE" "$BACKUP_DIR/sogoms-${VERSION}-$(date -u +%Y%m%dT%H%M%SZ).tar.gz"

step "6/6 graceful restart of sogoctl ($RESTART)"
# SIGTERM (SIGPWR for a container's init) makes sogoctl stop every service in reverse dependency order.
if [ "$RESTART" = container ]; then
  run ssh "$JUMP" incus restart --timeout "$STOP_WAIT" "$CONTAINER"
else
  run ssh "$JUMP" incus exec "$CONTAINER" -- sh -c "'pid=\$(pgrep -x sogoctl || true); if [ -n \"\$pid\" ]; then kill -TERM \$pid; i=0; while kill -0 \$pid 2>/dev/null; do i=\$((i+1)); [ \$i -gt $((STOP_WAIT * 2)) ] && { echo sogoctl did not stop >&2; exit 1; }; sleep 0.5; done; fi; mkdir -p $LOG_DIR $RUN_DIR; nohup $PREFIX/bin/sogoctl -config $CONFIG_DIR >>$LOG_DIR/sogoctl.out 2>&1 &'"
fi
# The new supervisor answers on its control socket once it has started; give it the start timeout.
run ssh "$JUMP" incus exec "$CONTAINER" -- sh -c "'i=0; until $PREFIX/bin/sogoctl status -config $CONFIG_DIR; do i=\$((i+1)); [ \$i -gt 60 ] && exit 1; sleep 1; done'"
if [ "$DRY_RUN" -eq 1 ]; then step "dry run: nothing deployed"; else step "deployed sogoms $VERSION to $CONTAINER"; fi
