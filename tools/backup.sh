#!/bin/sh
# Back up an OpenMIL installation: the database and the data folder.
#
#   OPENMIL_DATA_DIR=/srv/openmil DATABASE_URL=postgres://... tools/backup.sh OUT
#
# OUT receives db.dump (pg_dump custom format; or db.sqlite3 for SQLite) and
# data.tar.gz (the data folder: encrypted files under media/, the encryption
# key file, the secret key, the network key pair). Keep the key files away
# from the database dump in production: whoever holds both reads everything.
set -eu
out=${1:?usage: tools/backup.sh OUT}
data=${OPENMIL_DATA_DIR:?set OPENMIL_DATA_DIR}
python=${OPENMIL_PYTHON:-python3}
mkdir -p "$out"
chmod 700 "$out"
case "${DATABASE_URL:-}" in
  postgres://*|postgresql://*)
    pg_dump --format=custom --no-owner --file="$out/db.dump" "$DATABASE_URL"
    ;;
  *)
    db=${DATABASE_URL#sqlite:///}
    [ -n "${DATABASE_URL:-}" ] || db="$data/openmil.sqlite3"
    # The backup API copies a consistent database even while it is in use.
    "$python" -c 'import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2])
src.backup(dst); dst.close(); src.close()' "$db" "$out/db.sqlite3"
    ;;
esac
tar --create --gzip --file="$out/data.tar.gz" --directory="$data" \
  --exclude=./static --exclude=./openmil.sqlite3 --exclude='./openmil.sqlite3-*' .
echo "backup written to $out"
