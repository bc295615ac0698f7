-- 003_rootfs_mode_and_list_order: how a pinned root is assembled, and the list order.
-- mode: how the pinned manifest's layers reach the sandbox: 'erofs' (vm engine: one
-- read-only erofs disk of the image) or 'layers' (namespace engine: the unpacked layer
-- directories). upper_fstype: the filesystem of the writable layer, 'ext4' for the vm
-- engine's upper disk, NULL for a host directory (namespace). Pins recorded before this
-- migration have mode '' and upper_fstype NULL: unknown.
ALTER TABLE sandbox_rootfs ADD COLUMN mode TEXT NOT NULL DEFAULT '';
ALTER TABLE sandbox_rootfs ADD COLUMN upper_fstype TEXT;

-- Lists are newest first, ties by id: keyset pages walk this index.
CREATE INDEX sandbox_by_created ON sandbox (created_at DESC, id DESC);
