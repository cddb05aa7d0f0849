"""Backups of the whole record: the database's content and the files it refers to, in one
versioned archive with a manifest and checksums (`archive.write_backup`), restored into an
empty database on either backend (`archive.restore`)."""
