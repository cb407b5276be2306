"""Operating a deployment: queue depth, the beat heartbeat, `hub doctor`'s checks, backups."""
