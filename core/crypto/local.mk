# core/crypto: hashing, signatures and memo, threshold PRE, homomorphic aggregation, wire
# forms, the virtual-CPU cost table.
libcpsim_a_SOURCES += core/crypto/cr.h core/crypto/cr.c core/crypto/pre.h core/crypto/pre.c \
	core/crypto/he.h core/crypto/he_int.h core/crypto/he_elgamal.c core/crypto/he_paillier.c \
	core/crypto/crw.h core/crypto/crw.c core/crypto/cost.h core/crypto/cost.c \
	core/crypto/dkg.h core/crypto/dkg.c
check_PROGRAMS += tests/unit/test_cr tests/unit/test_pre tests/unit/test_he tests/unit/test_crw \
	tests/unit/test_cost tests/unit/test_dkg
tests_unit_test_cr_SOURCES = tests/unit/test_cr.c
tests_unit_test_pre_SOURCES = tests/unit/test_pre.c
tests_unit_test_he_SOURCES = tests/unit/test_he.c
tests_unit_test_crw_SOURCES = tests/unit/test_crw.c
tests_unit_test_cost_SOURCES = tests/unit/test_cost.c
tests_unit_test_dkg_SOURCES = tests/unit/test_dkg.c
TESTS += tests/unit/test_cr tests/unit/test_pre tests/unit/test_he tests/unit/test_crw tests/unit/test_cost tests/unit/test_dkg

# One libFuzzer target per decoder: the same source, the decoder picked at compile time.
CRW_FUZZ = capsule kfrag cfrag ct pdec sig
FUZZ_TARGETS += $(CRW_FUZZ:%=tests/fuzz/fuzz_crw_%)
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_crw_capsule tests/fuzz/fuzz_crw_kfrag tests/fuzz/fuzz_crw_cfrag \
	tests/fuzz/fuzz_crw_ct tests/fuzz/fuzz_crw_pdec tests/fuzz/fuzz_crw_sig
tests_fuzz_fuzz_crw_capsule_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_capsule_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_CAPSULE
tests_fuzz_fuzz_crw_capsule_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_crw_kfrag_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_kfrag_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_KFRAG
tests_fuzz_fuzz_crw_kfrag_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_crw_cfrag_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_cfrag_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_CFRAG
tests_fuzz_fuzz_crw_cfrag_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_crw_ct_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_ct_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_CT
tests_fuzz_fuzz_crw_ct_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_crw_pdec_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_pdec_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_PDEC
tests_fuzz_fuzz_crw_pdec_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_crw_sig_SOURCES = tests/fuzz/fuzz_crw.c
tests_fuzz_fuzz_crw_sig_CPPFLAGS = $(AM_CPPFLAGS) -DCRW_FUZZ_SIG
tests_fuzz_fuzz_crw_sig_LDFLAGS = -fsanitize=fuzzer
endif
