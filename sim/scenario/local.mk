# sim/scenario: sources, tests and benchmarks of this module.
