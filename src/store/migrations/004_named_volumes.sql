-- 004_named_volumes: what a named volume is, beside its name and path (msb volume ...).
-- kind: 'dir' (a host directory under $MSB_HOME/volumes/<name>/, shared over virtio-fs or
-- bind-mounted) or 'disk' (a fixed-size disk image; not supported yet, the kind is reserved
-- so that a later msb needs no migration for it). quota_mib: 0 means none. size_bytes: the
-- size of a disk volume, 0 for a dir. Volumes recorded before this migration are dirs
-- without a quota.
ALTER TABLE volume ADD COLUMN kind TEXT NOT NULL DEFAULT 'dir' CHECK (kind IN ('dir', 'disk'));
ALTER TABLE volume ADD COLUMN quota_mib INTEGER NOT NULL DEFAULT 0 CHECK (quota_mib >= 0);
ALTER TABLE volume ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0);

-- Labels of a volume, as sandbox_label holds those of a sandbox.
CREATE TABLE volume_label (
  volume_id INTEGER NOT NULL REFERENCES volume (id) ON DELETE CASCADE,
  key       TEXT    NOT NULL,
  value     TEXT    NOT NULL,
  PRIMARY KEY (volume_id, key)
) STRICT, WITHOUT ROWID;
