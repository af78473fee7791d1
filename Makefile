# The two commands a newcomer needs: `make run` and `make test`.
# Both install the Debian packages they need, configure with Ninja and build.

BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
APT_PACKAGES := g++ cmake ninja-build ccache lld pkg-config sqlite3 libsqlite3-dev \
  libboost1.81-dev libboost-test1.81-dev libboost-program-options1.81-dev \
  libboost-url1.81-dev libsimdjson-dev libssl-dev libspdlog-dev libfmt-dev curl
# Only `make bench` needs these: jq reads the load generator's JSON reports,
# valgrind (callgrind) counts instructions per request.
BENCH_PACKAGES := jq procps coreutils valgrind

.PHONY: all deps configure build run test bench format clean

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

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	mkdir -p data
	$(BUILD)/bin/omnivibe-server --db data/omnivibe.db --uploads data/uploads --port 8000

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The benchmark (SPEC section 10): a few minutes; updates docs/PERFORMANCE.md.
bench: build
	$(call install_missing,$(BENCH_PACKAGES))
	scripts/bench.sh $(BUILD)

format:
	find include src tests tools -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
