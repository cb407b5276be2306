"""Scale benchmarks on the fleet simulator: statewide sync, resync, index ablation."""
