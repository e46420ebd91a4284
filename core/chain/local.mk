# core/chain: transactions, Merkle roots and proofs, the ledger, the mempool.
libcpsim_a_SOURCES += core/chain/chain.h core/chain/tx.c core/chain/merkle.c core/chain/chain_int.h core/chain/ledger.c core/chain/contract.c core/chain/pool.c
check_PROGRAMS += tests/unit/test_chain
tests_unit_test_chain_SOURCES = tests/unit/test_chain.c
TESTS += tests/unit/test_chain

# libFuzzer target for the transaction decoder (tools/fuzz.sh).
FUZZ_TARGETS += tests/fuzz/fuzz_chain_tx
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_chain_tx
tests_fuzz_fuzz_chain_tx_SOURCES = tests/fuzz/fuzz_chain_tx.c
tests_fuzz_fuzz_chain_tx_LDFLAGS = -fsanitize=fuzzer
endif
FUZZ_TARGETS += tests/fuzz/fuzz_chain_pool
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_chain_pool
tests_fuzz_fuzz_chain_pool_SOURCES = tests/fuzz/fuzz_chain_pool.c
tests_fuzz_fuzz_chain_pool_LDFLAGS = -fsanitize=fuzzer
endif

# Host micro-benchmark, built only on request: make bench/bench_chain
EXTRA_PROGRAMS += bench/bench_chain
bench_bench_chain_SOURCES = bench/bench_chain.c
CLEANFILES += bench/bench_chain
