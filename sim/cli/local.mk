# sim/cli: sources, tests and benchmarks of this module.
