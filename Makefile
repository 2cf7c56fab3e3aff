# dtwin: two commands get a newcomer from a clone to a result.
#   make run    install what is missing, build (Release, build/), run the flagship what-if
#   make test   the same set-up, then the whole test suite through ctest
# Both are incremental: a second run installs and rebuilds nothing that is current.

BUILD  ?= build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FLAGSHIP ?= scenarios/line/flagship.json
# ccache (CMakeLists.txt uses it when installed) keys on paths relative to the clone, so a
# fresh clone elsewhere on the same machine reuses what an earlier one compiled
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps configure build run test test-asan fuzz format format-check bench clean

all: build

deps:
	@./.ci/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/dtwin run $(FLAGSHIP)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# the suite again with AddressSanitizer and UndefinedBehaviorSanitizer
test-asan: deps
	@test -f build-asan/build.ninja || cmake -S . -B build-asan -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDTWIN_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  DTWIN_TEST_SCALE=0.25 ctest --output-on-failure -j $(JOBS)

# libFuzzer on the scenario parsers, the mirror's wire and the Sparkplug host (clang);
# FUZZ_SECONDS per target
FUZZ_SECONDS ?= 30
fuzz: deps
	@test -f build-fuzz/build.ninja || CXX=clang++ cmake -S . -B build-fuzz -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDTWIN_FUZZ=ON -DDTWIN_TESTS=OFF
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_scenario_json fuzz_mirror_wire fuzz_sparkplug
	mkdir -p build-fuzz/corpus && cp -n tests/fuzz/corpus/* build-fuzz/corpus/ 2>/dev/null || true
	build-fuzz/bin/fuzz_scenario_json -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  build-fuzz/corpus tests/fuzz/corpus
	mkdir -p build-fuzz/corpus_wire && cp -n tests/fuzz/corpus_wire/* build-fuzz/corpus_wire/ 2>/dev/null || true
	build-fuzz/bin/fuzz_mirror_wire -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -dict=tests/fuzz/json.dict build-fuzz/corpus_wire tests/fuzz/corpus_wire
	mkdir -p build-fuzz/corpus_sparkplug && cp -n tests/fuzz/corpus_sparkplug/* build-fuzz/corpus_sparkplug/ 2>/dev/null || true
	build-fuzz/bin/fuzz_sparkplug -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
	  build-fuzz/corpus_sparkplug tests/fuzz/corpus_sparkplug

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')

bench: build
	$(BUILD)/bin/bench_line

clean:
	rm -rf $(BUILD) build-asan build-fuzz
