#!/bin/sh
# Restore a backup made by scripts/backup.sh into an EMPTY database (and media folder).
#
#   DATABASE_URL=postgres://…/familjestod_restored MEDIA_ROOT=/data/media \
#     scripts/restore.sh /backups/familjestod-20261201T021500Z.dump [/backups/media-20261201T021500Z.tar.gz]
#
# It refuses a database that already has tables: restoring over live data is never what you want.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
DUMP="${1:?name the .dump file}"
MEDIA="${2:-}"
TABLES="$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$TABLES" != "0" ]; then
  echo "The database already has $TABLES tables; restore into an empty database." >&2
  exit 1
fi
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$DUMP"
if [ -n "$MEDIA" ]; then
  mkdir -p "${MEDIA_ROOT:?set MEDIA_ROOT}"
  tar -C "$MEDIA_ROOT" -xzf "$MEDIA"
fi
echo "restored $DUMP"
