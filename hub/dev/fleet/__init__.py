"""The fleet simulator: many municipal feeds on 127.0.0.1, each on its own port, for tests,
benchmarks and the demo (`hub dev fleet`)."""
