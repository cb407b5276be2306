"""Sources of the hub: the registry, the sync history, API keys and webhook secrets.

Registry and history live in the search engine (indices `hub-sources`, `hub-sync-runs`); the
use cases that the API and the CLI share (registration, resync, key rotation) live here too.
"""
