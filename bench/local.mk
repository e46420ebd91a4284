# bench: sources, tests and benchmarks of this module.
