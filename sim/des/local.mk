# sim/des: sources, tests and benchmarks of this module.
