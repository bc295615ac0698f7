-- 002_run_pid_start_time: the supervisor's start time beside its pid.
-- A pid alone cannot tell a live supervisor from a later process that reused its pid; the
-- pair (pid, start time) names one process. The start time is /proc/<pid>/stat field 22
-- (clock ticks since boot). 0 means unknown: runs recorded before this migration.
ALTER TABLE run ADD COLUMN pid_start_time INTEGER NOT NULL DEFAULT 0;
