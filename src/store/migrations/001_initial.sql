-- 001_initial: the first schema of the state store.
-- Times are INTEGER nanoseconds since the Unix epoch. Digests are "sha256:<hex>" text.
-- Tables are STRICT (SQLite >= 3.37): a value of the wrong type is an error, not a cast.

-- Sandboxes, by unique name. config_json is the validated SandboxConfig.
CREATE TABLE sandbox (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  config_json TEXT    NOT NULL,
  status      TEXT    NOT NULL
              CHECK (status IN ('created', 'running', 'draining', 'paused', 'stopped', 'crashed')),
  ephemeral   INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1)),
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE sandbox_label (
  sandbox_id INTEGER NOT NULL REFERENCES sandbox (id) ON DELETE CASCADE,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  PRIMARY KEY (sandbox_id, key)
) STRICT, WITHOUT ROWID;
-- "msb ls --label key=value".
CREATE INDEX sandbox_label_by_key_value ON sandbox_label (key, value);

-- One row per supervisor run of a sandbox. pid is the msb-runtime supervisor's pid.
CREATE TABLE run (
  id                 INTEGER PRIMARY KEY,
  sandbox_id         INTEGER NOT NULL REFERENCES sandbox (id) ON DELETE CASCADE,
  pid                INTEGER NOT NULL,
  status             TEXT    NOT NULL CHECK (status IN ('running', 'terminated')),
  exit_code          INTEGER,
  exit_signal        INTEGER,
  termination_reason TEXT CHECK (termination_reason IN ('completed', 'failed',
                       'shutdown-requested', 'drain-requested', 'signal', 'internal-error')),
  started_at         INTEGER NOT NULL,
  terminated_at      INTEGER,
  -- A run has a reason and an end time exactly when it has terminated.
  CHECK ((status = 'running') = (termination_reason IS NULL)),
  CHECK ((status = 'running') = (terminated_at IS NULL))
) STRICT;
-- Runs of a sandbox, newest last.
CREATE INDEX run_by_sandbox ON run (sandbox_id, started_at);
-- At most one live supervisor per sandbox; also finds every running run for reconciling.
CREATE UNIQUE INDEX run_running_by_sandbox ON run (sandbox_id) WHERE status = 'running';

-- Images. Rows are inserted bottom-up (config, layers, manifest, manifest_layer, image_ref)
-- once the blobs are in the cache.
CREATE TABLE image_config (
  digest TEXT PRIMARY KEY,
  json   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE manifest (
  digest        TEXT    PRIMARY KEY,
  media_type    TEXT    NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  json          TEXT    NOT NULL,
  config_digest TEXT    NOT NULL REFERENCES image_config (digest),
  created_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX manifest_by_config ON manifest (config_digest);

-- digest is the compressed blob's; diff_id the uncompressed tar's, which names the unpacked
-- directory (two blobs, gzip and zstd, may share one diff_id). unpacked_path is NULL until
-- the layer is unpacked.
CREATE TABLE layer (
  digest        TEXT    PRIMARY KEY,
  diff_id       TEXT    NOT NULL,
  media_type    TEXT    NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  unpacked_path TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX layer_by_diff_id ON layer (diff_id);

CREATE TABLE manifest_layer (
  manifest_digest TEXT    NOT NULL REFERENCES manifest (digest) ON DELETE CASCADE,
  position        INTEGER NOT NULL CHECK (position >= 0),
  layer_digest    TEXT    NOT NULL REFERENCES layer (digest),
  PRIMARY KEY (manifest_digest, position)
) STRICT, WITHOUT ROWID;
-- "Is this layer still used?" when collecting garbage, and the foreign-key check behind it.
CREATE INDEX manifest_layer_by_layer ON manifest_layer (layer_digest);

-- A tag or digest reference, e.g. "docker.io/library/python:3.12".
CREATE TABLE image_ref (
  reference       TEXT    PRIMARY KEY,
  manifest_digest TEXT    NOT NULL REFERENCES manifest (digest),
  updated_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX image_ref_by_manifest ON image_ref (manifest_digest);

-- Pins the manifest a sandbox's root filesystem is built from: such a manifest (and so its
-- layers) cannot be deleted while the sandbox exists.
CREATE TABLE sandbox_rootfs (
  sandbox_id      INTEGER PRIMARY KEY REFERENCES sandbox (id) ON DELETE CASCADE,
  manifest_digest TEXT    NOT NULL REFERENCES manifest (digest) ON DELETE RESTRICT
) STRICT;
CREATE INDEX sandbox_rootfs_by_manifest ON sandbox_rootfs (manifest_digest);

CREATE TABLE volume (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  path       TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

-- sandbox_name is plain text, not a key: a snapshot outlives the sandbox it was taken of.
CREATE TABLE snapshot (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  sandbox_name TEXT    NOT NULL,
  path         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX snapshot_by_sandbox_name ON snapshot (sandbox_name);
