# sim/metrics: sources, tests and benchmarks of this module.
