# sim/world: sources, tests and benchmarks of this module.
