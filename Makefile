# The two commands a newcomer needs: `make run` and `make test`.
# Both install the Debian packages they need, configure with Ninja and build.

BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
APT_PACKAGES := g++ cmake ninja-build ccache clang-format pkg-config sqlite3 libsqlite3-dev \
  libboost1.81-dev libboost-test1.81-dev libboost-program-options1.81-dev \
  libboost-url1.81-dev libsimdjson-dev libssl-dev libspdlog-dev libfmt-dev curl
APT_PACKAGES += postgresql libpq-dev
# The multi-instance tests put nginx in front of two servers (docs/SCALING.md).
APT_PACKAGES += nginx
# Only `make bench` needs these: jq reads the load generator's JSON reports,
# valgrind (callgrind) counts instructions per request.
BENCH_PACKAGES := jq procps coreutils valgrind

# The OpenAPI conformance check and the TypeScript client (clients/typescript)
# run on Node: Debian's nodejs and npm are installed only on a machine that
# has no node or npm at all; the client's packages come from its lockfile.
NODE_PACKAGES := nodejs npm
CLIENT_DIR := clients/typescript

# The second build of `make test`: the whole suite under ASan and UBSan, at -O1
# so it stays quick to build and run.
ASAN_BUILD ?= build-asan

# `make fuzz`: libFuzzer targets built with clang in their own folder, each run
# for FUZZ_SECONDS. The clang packages are installed by this target only.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz_request_body fuzz_router fuzz_event_data fuzz_multipart
FUZZ_PACKAGES := clang-14 libclang-rt-14-dev

.PHONY: all deps node-deps node-packages configure build run test test-normal test-asan fuzz fuzz-deps bench format clean

all: build

# Installs only what is missing, so repeated runs cost nothing.
define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install_missing,$(APT_PACKAGES))

node-deps: $(CLIENT_DIR)/node_modules/.package-lock.json

# npm ci again only when the lockfile changed.
$(CLIENT_DIR)/node_modules/.package-lock.json: $(CLIENT_DIR)/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory node-packages; fi
	cd $(CLIENT_DIR) && npm ci --no-audit --no-fund

node-packages:
	$(call install_missing,$(NODE_PACKAGES))

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	mkdir -p data
	$(BUILD)/bin/omnivibe-server --db data/omnivibe.db --uploads data/uploads --port 8000

# Every test, then every test again under AddressSanitizer and
# UndefinedBehaviorSanitizer; the second half runs even when the first
# failed, and either failing fails the whole.
test:
	@$(MAKE) test-normal; normal=$$?; $(MAKE) test-asan && exit $$normal

test-normal: build node-deps
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The benchmark (SPEC section 10): a few minutes; updates docs/PERFORMANCE.md.
bench: build
	$(call install_missing,$(BENCH_PACKAGES))
	scripts/bench.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DOMNIVIBE_SANITIZE=ON

test-asan: deps node-deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz-deps:
	$(call install_missing,$(FUZZ_PACKAGES))

$(FUZZ_BUILD)/build.ninja:
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOMNIVIBE_FUZZ=ON

# New inputs go to $(FUZZ_BUILD)/corpus/<target>; the seeds in tests/fuzz/corpus
# are only read. A crash leaves its input in $(FUZZ_BUILD)/artifacts/.
fuzz: deps fuzz-deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	mkdir -p $(FUZZ_BUILD)/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  dict=tests/fuzz/json.dict; [ $$t = fuzz_router ] && dict=tests/fuzz/router.dict; \
	  echo "== $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/bin/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -dict=$$dict -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

# The tree follows .clang-format; ctest's style.clang_format fails when it does not.
format:
	find include src tests tools bench -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(CLIENT_DIR)/node_modules $(CLIENT_DIR)/dist
