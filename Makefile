# burrow - rootless containers.  See README.md.
#
#   make            release build in build/ (burrow, burrow-init)
#   make check      sanitizer build in build/asan/ and the whole TAP suite via prove;
#                   run as root it installs packages, creates the unprivileged user
#                   "burrowtest" and runs the suite as that user
#   make demo       build, then build an image from a Dockerfile and serve a page
#                   from a detached container (under a minute, no network)
#   make deps       (root) install the Debian packages burrow builds and tests with
#   make bench      burrow against podman, side by side (bench/)
#   make lint       clang-tidy, cppcheck and shellcheck (CI runs it)
#   make fmt        clang-format every C file (.clang-format); make fmt-check only reports
#   make fuzz       libFuzzer (clang) over every parser in tests/fuzz/, FUZZ_TIME
#                   seconds each (default 60); FUZZ_TARGETS="ref unpack" picks some
#   make install    PREFIX=/usr/local

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR    ?= $(PREFIX)/share/man
CC        ?= gcc
PKG_CONFIG ?= pkg-config

PKGS      := libarchive json-c libcap libseccomp libcrypto libcurl zlib libzstd
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# zlib and libzstd: the fetcher decompresses a layer as it arrives
# (src/lib/store/streamdec.c).
# libcrypto, libcurl, libsubid and libsystemd are opened with dlopen() on
# first use (src/lib/base/dl.h):
# only their headers are needed at build time.  So is libisal (Intel's
# ISA-L, libisal-dev): a pull inflates gzip with it, 2-3x faster than
# zlib; without libisal.so.2 at run time zlib does it
# (src/lib/store/streamdec.c)
PKG_LIBS  := $(shell $(PKG_CONFIG) --libs $(filter-out libarchive libcrypto libcurl,$(PKGS)) 2>/dev/null)
# libarchive is linked statically: only the tar and raw readers and the
# decompression filters come in, instead of libxml2, ICU and libstdc++ that
# the shared library loads for formats we never read.  That is 1.3 ms off
# every command's start.  ARCHIVE_LIBS="-larchive" links it dynamically.
ARCHIVE_LIBS ?= -Wl,-Bstatic -larchive -Wl,-Bdynamic
# libsquashfs (save --format squashfs) is linked statically for the same
# reason: only save uses it, and no command should pay for loading it (and
# liblzo2, which its compressor table pulls in).  SQUASHFS_LIBS="-lsquashfs"
# links it dynamically.
SQUASHFS_LIBS ?= -Wl,-Bstatic -lsquashfs -llzo2 -Wl,-Bdynamic -lpthread
# libyaml reads YAML CDI specs (src/lib/cdi/), linked statically as well:
# only run and create with a CDI --device use it.  YAML_LIBS="-lyaml" links
# it dynamically.
YAML_LIBS ?= -Wl,-Bstatic -lyaml -Wl,-Bdynamic
# The libraries every command loads (json-c, libcap, libseccomp and the
# compressors libarchive, libsquashfs and the fetcher use) are linked
# statically too: each shared library costs the dynamic loader an open,
# its mappings and relocations, about 0.45 ms together on every start
# (run, exec), and leaves libc alone to load.  DEP_LIBS="-ljson-c -lcap
# -lseccomp -lz -lbz2 -llzma -lzstd -llz4" links them dynamically.
DEP_LIBS ?= -Wl,-Bstatic -Wl,--start-group -ljson-c -lcap -lseccomp -lz -lbz2 -llzma -lzstd -llz4 \
            -Wl,--end-group -Wl,-Bdynamic

WARN      := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wformat=2 \
             -Wswitch-default -Wstrict-prototypes -Wvla

BUILD     ?= release
ifeq ($(BUILD),asan)
B         := $(or $(BUILDDIR),build/asan)
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -DBURROW_TEST_HOOKS
else ifeq ($(BUILD),fuzz)
# make fuzz: the library instrumented for libFuzzer (tests/fuzz/README.md)
B         := $(or $(BUILDDIR),build/fuzz)
CC        := clang
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
             -fno-sanitize-recover=undefined
else
B         := $(or $(BUILDDIR),build)
OPT       := -O2 -g
endif
CFLAGS    ?=
# one test file that hangs must not eat the whole CI budget (tests/lib/timed.sh;
# the VM tests bound each boot themselves and get VM_TEST_TIMEOUT)
TEST_TIMEOUT ?= 300
VM_TEST_TIMEOUT ?= 2000
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -Isrc -I$(B)/gen $(PKG_CFLAGS) \
             -DLIBEXECDIR='"$(LIBEXECDIR)/burrow"'
LDLIBS    := -Wl,--as-needed $(ARCHIVE_LIBS) $(SQUASHFS_LIBS) $(YAML_LIBS) $(DEP_LIBS)
# unit tests write archives too (libarchive's writer wants more libraries):
# they link the shared library, startup time does not matter there
TEST_LDLIBS := -larchive -lsquashfs -lyaml $(PKG_LIBS)

LIB_SRC   := $(sort $(wildcard src/lib/*/*.c)) src/opt.c
# src/cmd: one file per verb; src/cli: what several verbs share (option
# tables, the terminal relay, progress display)
CMD_SRC   := $(sort $(wildcard src/cmd/*.c src/cli/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(B)/obj/%.o) $(B)/obj/src/main.o
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%.t)
MAN_SRC   := $(sort $(wildcard man/*.scd))
MAN_OUT   := $(MAN_SRC:man/%.scd=$(B)/man/%)

.PHONY: all clean check check-user deps demo bench install man lint fmt fmt-check
# The SPANK plugin (helpers/spank/, docs/SPANK.md) is built when libslurm-dev's
# headers are there.
SPANK_H   := $(wildcard /usr/include/slurm/spank.h)
SPANK_SO  := $(if $(SPANK_H),$(B)/spank_burrow.so)
all: $(B)/burrow $(B)/burrow-init $(B)/burrow-net man $(SPANK_SO)

$(B)/gen/version.h:
	@mkdir -p $(@D)
	@echo '#define BURROW_VERSION "$(VERSION)"' > $@

$(B)/obj/%.o: %.c $(B)/gen/version.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libburrow.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/burrow: $(CMD_OBJ) $(B)/libburrow.a
	$(CC) $(OPT) $(CFLAGS) -o $@ $(CMD_OBJ) $(B)/libburrow.a $(LDLIBS) $(LDFLAGS)

# The init for --init is bound into containers: static, no sanitizers, tiny.
$(B)/burrow-init: helpers/burrow-init.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Os -static -s -o $@ $<

# srun and slurmstepd load the SPANK plugin: no sanitizers, nothing of
# libburrow.a in it (it runs the burrow binary).
$(B)/spank_burrow.so: helpers/spank/spank_burrow.c helpers/spank/spank_mounts.c helpers/spank/spank_mounts.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ helpers/spank/spank_burrow.c \
	  helpers/spank/spank_mounts.c

# The network helper links libslirp (whose pkg-config file wants glib-2.0's
# headers), json-c and the port-spec parser from libburrow.a.
NET_SRC   := $(sort $(wildcard helpers/net/*.c))
NET_OBJ   := $(NET_SRC:%.c=$(B)/obj/%.o)
NET_CFLAGS := $(shell $(PKG_CONFIG) --cflags slirp glib-2.0 2>/dev/null)
NET_LIBS  := $(shell $(PKG_CONFIG) --libs slirp json-c 2>/dev/null) -lpthread

$(B)/obj/helpers/net/%.o: helpers/net/%.c $(B)/gen/version.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(NET_CFLAGS) $(OPT) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/burrow-net: $(NET_OBJ) $(B)/libburrow.a
	$(CC) $(OPT) $(CFLAGS) -o $@ $(NET_OBJ) $(B)/libburrow.a -Wl,--as-needed $(NET_LIBS) $(LDFLAGS)

$(B)/tests/unit/%.t: tests/unit/%.c $(B)/libburrow.a tests/lib/tap.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests/lib $(OPT) $(CFLAGS) -o $@ $< $(B)/libburrow.a $(TEST_LDLIBS) $(LDFLAGS)

# the SPANK plugin's mount syntax is not part of libburrow.a: its test links it in
$(B)/tests/unit/spankmounts.t: tests/unit/spankmounts.c helpers/spank/spank_mounts.c helpers/spank/spank_mounts.h \
  $(B)/libburrow.a tests/lib/tap.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests/lib -Ihelpers/spank $(OPT) $(CFLAGS) -o $@ $< helpers/spank/spank_mounts.c \
	  $(B)/libburrow.a $(TEST_LDLIBS) $(LDFLAGS)

# Tests: static test init used by fixtures
$(B)/tests/testinit: tests/lib/testinit.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Os -static -o $@ $<

$(B)/tests/netdrive: tests/lib/netdrive.c $(B)/libburrow.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT) $(CFLAGS) -o $@ $< $(B)/libburrow.a $(TEST_LDLIBS) $(LDFLAGS)

$(B)/tests/ptydrive: tests/lib/ptydrive.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $< -lutil

# cgroup tests (tests/vm): cgtest drives src/lib/cgroup/cgroup.h the way run and the
# monitor do; cgwork is the static workload (hog, fork bomb, CPU burner).
# libsystemd is opened with dlopen() (src/lib/cgroup/cgroup_systemd.c): headers only.
$(B)/tests/cgtest: tests/vm/cgtest.c $(B)/libburrow.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(OPT) $(CFLAGS) -o $@ $< $(B)/libburrow.a $(TEST_LDLIBS) -ldl $(LDFLAGS)

$(B)/tests/cgwork: tests/vm/cgwork.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Os -static -o $@ $<

# Fuzz harnesses (tests/fuzz/README.md): one per parser.  In the fuzz build
# they link libFuzzer; in the others a plain main (driver.c) that runs the
# files it is given, so make check replays the seed corpora and the
# regression inputs (tests/integration/fuzz-regress.t) without clang.
FUZZ_SRC  := $(filter-out tests/fuzz/driver.c,$(sort $(wildcard tests/fuzz/*.c)))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BIN  := $(FUZZ_NAMES:%=$(B)/tests/fuzz/%)
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_TIME ?= 60
FUZZ_FLAGS ?= -timeout=10
ifeq ($(BUILD),fuzz)
FUZZ_MAIN :=
FUZZ_LINK := -fsanitize=fuzzer
else
FUZZ_MAIN := $(B)/obj/tests/fuzz/driver.o
FUZZ_LINK :=
endif

# the burrow-net harnesses compile helpers/net/*.c into themselves
$(B)/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h $(B)/gen/version.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(NET_CFLAGS) $(OPT) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/tests/fuzz/%: $(B)/obj/tests/fuzz/%.o $(FUZZ_MAIN) $(B)/libburrow.a
	@mkdir -p $(@D)
	$(CC) $(OPT) $(CFLAGS) $(FUZZ_LINK) -o $@ $< $(FUZZ_MAIN) $(B)/libburrow.a $(TEST_LDLIBS) $(LDFLAGS)

# keep the objects (make would delete them as intermediate files)
.SECONDARY: $(FUZZ_NAMES:%=$(B)/obj/tests/fuzz/%.o) $(B)/obj/tests/fuzz/driver.o

.PHONY: fuzz fuzz-build fuzz-run
fuzz:
	$(MAKE) --no-print-directory BUILD=fuzz fuzz-run

fuzz-build: $(FUZZ_BIN)

# each target for FUZZ_TIME seconds from its seeds (tests/fuzz/corpus/NAME)
# and what earlier runs found ($(B)/corpus/NAME); a crash leaves its input
# in $(B)/crash/ and fails the run after every target had its turn
fuzz-run: $(FUZZ_TARGETS:%=$(B)/tests/fuzz/%)
	@fail=; mkdir -p $(B)/crash; \
	for n in $(FUZZ_TARGETS); do \
	  mkdir -p $(B)/corpus/$$n tests/fuzz/corpus/$$n; \
	  echo "== fuzz $$n: $(FUZZ_TIME) s"; \
	  $(B)/tests/fuzz/$$n -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $(FUZZ_FLAGS) \
	    -artifact_prefix=$(B)/crash/$$n- $(B)/corpus/$$n tests/fuzz/corpus/$$n 2>$(B)/crash/$$n.log \
	    || { fail="$$fail $$n"; tail -n 40 $(B)/crash/$$n.log; }; \
	  grep -E '^stat::number_of_executed_units|^Done' $(B)/crash/$$n.log || true; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: crashes in:$$fail (inputs in $(B)/crash/)"; exit 1; fi

$(B)/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

man: $(MAN_OUT)

check:
	@if [ "$$(id -u)" = 0 ]; then sh tests/lib/root-check.sh; \
	else $(MAKE) --no-print-directory BUILD=asan check-user; fi

# The cgroup v2 tests in a qemu VM (tests/vm/vm.sh; docs/ARCHITECTURE.md): both
# delegation paths.  make check runs them too, through tests/vm/vm.t, and
# skips them with the reason when qemu or a readable kernel is missing.
.PHONY: check-vm bench-cgroup
check-vm: $(B)/tests/cgtest $(B)/tests/cgwork $(B)/burrow
	sh tests/vm/vm.sh $(abspath $(B))

# start latency added by a cgroup with limits, per delegation path, in the VM
bench-cgroup: $(B)/tests/cgtest $(B)/tests/cgwork
	sh bench/cgroup $(abspath $(B))

# TESTS: what prove runs (default: everything)
TESTS ?= $(B)/tests/unit tests/integration tests/vm/vm.t
check-user: $(B)/burrow $(B)/burrow-init $(B)/burrow-net $(UNIT_BIN) $(B)/tests/testinit $(B)/tests/ptydrive $(B)/tests/netdrive man \
	    $(B)/tests/cgtest $(B)/tests/cgwork $(FUZZ_BIN)
	BURROW_BUILD=$(abspath $(B)) BURROW=$(abspath $(B))/burrow \
	  TEST_TIMEOUT=$(TEST_TIMEOUT) VM_TEST_TIMEOUT=$(VM_TEST_TIMEOUT) \
	  prove --exec 'sh tests/lib/timed.sh' -r $(PROVE_FLAGS) $(TESTS)

demo:
	@if [ "$$(id -u)" = 0 ]; then sh tests/lib/root-check.sh demo; \
	else $(MAKE) --no-print-directory all && sh tests/demo.sh $(abspath $(B)); fi

deps:
	sh tests/lib/deps.sh

bench: all
	sh bench/startup $(abspath $(B))/burrow
	sh bench/lifecycle $(abspath $(B))/burrow
	sh bench/build $(abspath $(B))/burrow
	sh bench/files $(abspath $(B))/burrow
	sh bench/volume $(abspath $(B))/burrow
	sh bench/keepid $(abspath $(B))/burrow
	sh bench/api $(abspath $(B))/burrow

install: all
	install -Dm755 $(B)/burrow $(DESTDIR)$(BINDIR)/burrow
	install -Dm755 $(B)/burrow-init $(DESTDIR)$(LIBEXECDIR)/burrow/burrow-init
	install -Dm755 $(B)/burrow-net $(DESTDIR)$(LIBEXECDIR)/burrow/burrow-net
	for m in $(MAN_OUT); do n=$$(basename $$m); s=$${n##*.}; \
	  install -Dm644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$n; done
	install -Dm644 completions/burrow.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/burrow
	install -Dm644 completions/_burrow $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_burrow
	install -Dm644 completions/burrow.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/burrow.fish
	install -Dm644 contrib/systemd/burrow.socket $(DESTDIR)$(PREFIX)/lib/systemd/user/burrow.socket
	sed 's|^ExecStart=burrow |ExecStart=$(BINDIR)/burrow |' contrib/systemd/burrow.service >$(B)/burrow.service
	install -Dm644 $(B)/burrow.service $(DESTDIR)$(PREFIX)/lib/systemd/user/burrow.service
	if [ -f "$(B)/spank_burrow.so" ]; then \
	  install -Dm755 $(B)/spank_burrow.so $(DESTDIR)$(PREFIX)/lib/burrow/spank_burrow.so; fi

# make lint: clang-tidy (.clang-tidy), cppcheck and shellcheck (.shellcheckrc)
# over every C file and every shell script; CI runs it before make check.
# clang-tidy gets the compile flags here, two files at a time.
# tests/lib/mpi/*.c are built with mpicc inside the MPI test images; for
# clang-tidy, the header of the MPI that Debian's alternatives point at
MPI_CFLAGS := $(patsubst %/mpi.h,-I%,$(firstword $(wildcard /usr/include/*/mpi/mpi.h)))
TIDY_FLAGS = $(BASE_CFLAGS) $(NET_CFLAGS) -Itests/lib -Ihelpers/spank $(MPI_CFLAGS)
# shell scripts: by name, or by a #! line that names a shell
SH_FILES = $$( { git ls-files -- '*.sh' '*.t' '*.bash'; \
	  git ls-files -z | xargs -0 awk 'FNR == 1 && /^\#!.*[\/ ](ba)?sh( |$$)/ { print FILENAME } { nextfile }'; } | sort -u)
.PHONY: lint-tidy lint-cppcheck lint-sh
lint: lint-cppcheck lint-sh lint-tidy

# make lint-tidy TIDY_FILES="src/x.c src/y.c" checks only those
TIDY_FILES ?= $$(git ls-files '*.c')
lint-tidy: $(B)/gen/version.h
	printf '%s\n' $(TIDY_FILES) | xargs -P2 -I{} clang-tidy --quiet $(TIDY_ARGS) {} -- $(TIDY_FLAGS)

lint-cppcheck:
	cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,portability -Isrc src helpers

lint-sh:
	shellcheck -S warning $(SH_FILES)

# the style is .clang-format; fmt-check fails (and shows where) when a file differs
FMT_FILES = $$(git ls-files '*.c' '*.h')
fmt:
	clang-format -i $(FMT_FILES)

fmt-check:
	clang-format --dry-run --Werror $(FMT_FILES)

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
