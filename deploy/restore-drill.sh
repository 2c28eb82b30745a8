#!/bin/sh
# Restore the newest backup into a scratch database (DRILL_DATABASE_URL, default: the
# production database's name with _drill) and a scratch MEDIA_ROOT, then let `restore` compare
# row counts and checksums with the manifest. Never touches the production database or files.
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
newest=$($PY manage.py backup --list | tail -n 1)
[ -n "$newest" ] || { echo "没有可用的备份" >&2; exit 1; }
: "${DRILL_DATABASE_URL:=${DATABASE_URL}_drill}"
drill_db=${DRILL_DATABASE_URL##*/}
scratch=$(mktemp -d /tmp/dangjian-drill.XXXXXX)
sql() { psql "$DATABASE_URL" -qXc "$1"; }  # libpq reads the postgres:// address itself
trap 'rm -rf "$scratch"; sql "DROP DATABASE IF EXISTS \"$drill_db\"" || true' EXIT
sql "DROP DATABASE IF EXISTS \"$drill_db\""
sql "CREATE DATABASE \"$drill_db\""
started=$(date +%s)
DATABASE_URL=$DRILL_DATABASE_URL MEDIA_ROOT=$scratch/media S3_BUCKET= \
    $PY manage.py restore "$newest" --noinput
echo "恢复演练通过：$newest，用时 $(( $(date +%s) - started )) 秒"
