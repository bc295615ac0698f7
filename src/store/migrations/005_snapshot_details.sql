-- 005_snapshot_details: what a disk snapshot holds (msb snapshot ...). The snapshot's
-- directory (path) keeps snapshot.json and the artifact; these columns index it.
-- engine: 'vm' (artifact: the upper disk, ext4) or 'namespace' (artifact: the writable
-- layer as a tar). image_reference / manifest_digest: the image the layer sits on; the
-- digest is '' for the built-in base image. It is not a key of manifest: a snapshot loaded
-- without its image names a manifest this store does not have yet. content_digest: the
-- artifact's msb-sparse-sha256-v1 digest at create, which --verify recomputes.
ALTER TABLE snapshot ADD COLUMN engine TEXT NOT NULL DEFAULT 'vm' CHECK (engine IN ('vm', 'namespace'));
ALTER TABLE snapshot ADD COLUMN image_reference TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN manifest_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN artifact TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN content_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN size_bytes INTEGER NOT NULL DEFAULT 0 CHECK (size_bytes >= 0);
CREATE INDEX snapshot_by_manifest ON snapshot (manifest_digest);
