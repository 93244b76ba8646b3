#!/bin/sh
# Restore a backup made by tools/backup.sh into an empty database and data
# folder (the database must exist; PostgreSQL: `createdb` it first).
#
#   OPENMIL_DATA_DIR=/srv/openmil DATABASE_URL=postgres://... tools/restore.sh IN
set -eu
in=${1:?usage: tools/restore.sh IN}
data=${OPENMIL_DATA_DIR:?set OPENMIL_DATA_DIR}
python=${OPENMIL_PYTHON:-python3}
mkdir -p "$data"
chmod 700 "$data"
tar --extract --gzip --file="$in/data.tar.gz" --directory="$data"
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*)
    pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" "$in/db.dump"
    ;;
  *)
    db=${DATABASE_URL#sqlite:///}
    [ -n "${DATABASE_URL:-}" ] || db="$data/openmil.sqlite3"
    "$python" -c 'import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2])
src.backup(dst); dst.close(); src.close()' "$in/db.sqlite3" "$db"
    ;;
esac
echo "restored into $data"
