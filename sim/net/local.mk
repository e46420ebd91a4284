# sim/net: sources, tests and benchmarks of this module.
