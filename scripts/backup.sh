#!/bin/sh
# Back up Familjestöd: the database (pg_dump, custom format) and the media files (report PDFs,
# closed billing months), into BACKUP_DIR with the date in the names; keep BACKUP_KEEP_DAYS days.
#
#   DATABASE_URL=postgres://… MEDIA_ROOT=/data/media BACKUP_DIR=/backups scripts/backup.sh
#
# In docker-compose.yml the `backup` service runs it every night. Copy BACKUP_DIR off the server
# (the municipality's own backup system); a backup on the same disk is not a backup.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
BACKUP_DIR="${BACKUP_DIR:-/backups}"
MEDIA_ROOT="${MEDIA_ROOT:-/data/media}"
KEEP="${BACKUP_KEEP_DAYS:-14}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BACKUP_DIR"
# Written under a temporary name and renamed when complete: a half-written dump never looks done.
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$BACKUP_DIR/.familjestod-$STAMP.dump"
mv "$BACKUP_DIR/.familjestod-$STAMP.dump" "$BACKUP_DIR/familjestod-$STAMP.dump"
if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$BACKUP_DIR/.media-$STAMP.tar.gz" .
  mv "$BACKUP_DIR/.media-$STAMP.tar.gz" "$BACKUP_DIR/media-$STAMP.tar.gz"
fi
find "$BACKUP_DIR" -maxdepth 1 \( -name 'familjestod-*.dump' -o -name 'media-*.tar.gz' \) -mtime +"$KEEP" -delete
echo "$BACKUP_DIR/familjestod-$STAMP.dump"
