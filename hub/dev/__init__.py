"""Dev and test tooling, apart from the runtime: local Redis and OpenSearch, the process
supervisor of `hub up`, the demo fleet of municipal feeds, and the benchmarks."""
