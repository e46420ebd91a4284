# core/crypto: sources, tests and benchmarks of this module.
