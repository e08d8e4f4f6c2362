# Developer and CI entry points for smoteguard.
#
#   make deps       install missing build/test dependencies (.ci/install-deps.sh)
#   make install    build the source tarball with its vignettes (R CMD build,
#                   in $(BUILDDIR)) and R CMD INSTALL it, so that
#                   vignette("getting-started", package = "smoteguard") works;
#                   first installs what that needs if missing (knitr,
#                   rmarkdown, pandoc: .ci/install-deps.sh --demo)
#   make demo       make install, then run $(DEMO) (inst/scripts/demo.R,
#                   base R only), writing into $(OUT)
#   make test       make deps (test packages too), make install, then run
#                   the test suite against the installed package
#   make check      R CMD build + R CMD check --as-cran --no-manual
#   make bench      run bench/run.R: the performance targets 1-9 (issue 20's
#                   first call, million rows and evaluation included) against
#                   their peers, one table (BENCH_ARGS=--quick for a short run,
#                   --full for all, --only=7,8 for some)
#   make slurm-check  start a one-node Slurm here (root; installs slurm-wlm,
#                   munge, r-cran-future.batchtools if missing), run a small
#                   sg_evaluate() grid through future.batchtools and check it
#                   equals the sequential result (.ci/slurm-check.sh; not in
#                   make test; SLURM_CHECK_LIB=<lib with smoteguard> skips
#                   installing the tree)
#   make sanitize   build with ASan/UBSan in a temporary library and run the tests
#   make valgrind   run tests/valgrind.R under valgrind
#   make fuzz       call every exported function and .Call routine with
#                   thousands of random malformed inputs (tests/fuzz/fuzz.R)
#   make mutants    mutation testing: apply each mutation of
#                   tests/mutants/mutants.R to a copy of the tree, run the
#                   tests that cover it, report killed / survived
#                   (MUTANTS_ARGS, e.g. --only=ID,ID or --list; under 30 min)
#   make clean
#
# Everything works as a non-root user: R packages then go to R_LIBS_USER.
# Variables: R (R front end), RSCRIPT, OUT (demo folder), DEMO, LIB (library to
# install into; default: the first writable one, else R_LIBS_USER), LOGDIR,
# BENCH_ARGS (arguments of bench/run.R), FUZZ_ARGS (options of
# tests/fuzz/fuzz.R, e.g. FUZZ_ARGS="--calls=50000 --seed=7"), MUTANTS_ARGS
# (options of tests/mutants/run.R).

SHELL := /bin/bash

R ?= R
# Rscript next to $(R) when R is given as a path, else the one on PATH.
RSCRIPT ?= $(if $(findstring /,$(R)),$(dir $(R))Rscript,Rscript)
OUT ?= smoteguard-demo
DEMO ?= inst/scripts/demo.R
LIB ?=
LOGDIR ?= $(if $(TMPDIR),$(TMPDIR),/tmp)
# where the tarball is built (outside the tree: R CMD build compiles a copy)
BUILDDIR ?= $(LOGDIR)/$(PKG)-build
BENCH_ARGS ?=

PKG := $(shell sed -n 's/^Package:[[:space:]]*//p' DESCRIPTION 2>/dev/null)
PKG := $(if $(PKG),$(PKG),smoteguard)

# R warns noisily (timedatectl) when TZ is unset in containers.
export TZ ?= UTC
export R RSCRIPT

# First library on .libPaths() if writable, else R_LIBS_USER (created).
FIND_LIB = $(RSCRIPT) --no-init-file -e 'l <- .libPaths()[1L]; \
  if (file.access(l, 2L) != 0L) { \
    l <- path.expand(strsplit(Sys.getenv("R_LIBS_USER"), ":", fixed = TRUE)[[1L]][1L]); \
    dir.create(l, recursive = TRUE, showWarnings = FALSE) }; \
  cat(l)'

.PHONY: all deps deps-build install demo test check bench slurm-check sanitize valgrind fuzz mutants clean

all: install

deps:
	@bash .ci/install-deps.sh

# Only what building the tarball with its vignettes needs (no qpdf, no test
# packages or references): enough for make install and make demo.
deps-build:
	@bash .ci/install-deps.sh --demo

# The tree is copied (without .git and object files) to $(BUILDDIR) and built
# there, so that building the vignettes never compiles inside the tree.
install: deps-build
	@lib='$(LIB)'; [ -n "$$lib" ] || lib=$$($(FIND_LIB)) || exit 1; \
	log='$(LOGDIR)/$(PKG)-install.log'; build='$(BUILDDIR)'; \
	rm -rf "$$build" && mkdir -p "$$build/$(PKG)" || exit 1; \
	tar -c --exclude=./.git --exclude='./src/*.o' --exclude='./src/*.so' --exclude='./src/*.dll' \
	  --exclude='./$(PKG)_*.tar.gz' --exclude='./$(PKG).Rcheck' . | tar -x -C "$$build/$(PKG)" || exit 1; \
	echo "R CMD build $(PKG) with its vignettes in $$build (log: $$log)"; \
	if ! (cd "$$build" && $(R) CMD build --no-manual $(PKG)) >"$$log" 2>&1; then \
	  tail -n 40 "$$log"; echo "R CMD build failed; full log: $$log" >&2; exit 1; \
	fi; \
	tarball=$$(ls "$$build"/$(PKG)_*.tar.gz | head -n 1); \
	echo "R CMD INSTALL $$(basename "$$tarball") into $$lib"; \
	if ! $(R) CMD INSTALL --no-multiarch --with-keep.source -l "$$lib" "$$tarball" >>"$$log" 2>&1; then \
	  tail -n 40 "$$log"; echo "R CMD INSTALL failed; full log: $$log" >&2; exit 1; \
	fi

demo: install
	@$(RSCRIPT) $(DEMO) '$(OUT)'

# The library just installed into goes first on the library path, and
# run-tests.R checks that the copy it loads is the one from that library.
test: deps install
	@lib='$(LIB)'; [ -n "$$lib" ] || lib=$$($(FIND_LIB)) || exit 1; \
	NOT_CRAN=true SMOTEGUARD_TEST_LIB="$$lib" R_LIBS="$$lib$${R_LIBS:+:$$R_LIBS}" \
	  $(RSCRIPT) tests/run-tests.R

check: deps
	@bash .ci/check.sh .

bench:
	@if [ ! -f bench/run.R ]; then echo "bench/run.R does not exist yet" >&2; exit 1; fi
	$(RSCRIPT) bench/run.R $(BENCH_ARGS)

slurm-check:
	@bash .ci/slurm-check.sh

sanitize: deps
	@bash .ci/sanitize.sh

valgrind: install
	@if [ ! -f tests/valgrind.R ]; then echo "tests/valgrind.R does not exist yet" >&2; exit 1; fi
	@lib='$(LIB)'; [ -n "$$lib" ] || lib=$$($(FIND_LIB)) || exit 1; \
	R_LIBS="$$lib$${R_LIBS:+:$$R_LIBS}" $(R) -d "valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite" --vanilla -f tests/valgrind.R

fuzz: install
	@lib='$(LIB)'; [ -n "$$lib" ] || lib=$$($(FIND_LIB)) || exit 1; \
	$(RSCRIPT) tests/fuzz/fuzz.R --lib="$$lib" $(FUZZ_ARGS)

# Builds its own copy in a temporary directory: the tree's src/ is untouched.
mutants:
	@$(RSCRIPT) tests/mutants/run.R $(MUTANTS_ARGS)

clean:
	rm -f src/*.o src/*.so src/*.dll src/symbols.rds
	rm -f $(PKG)_*.tar.gz
	rm -rf $(PKG).Rcheck '$(OUT)'
