# The two commands of the README:
#   make run    installs what is missing, builds, serves the Comments example on the embedded store
#   make test   installs what is missing, builds, runs every test (also under ASan + UBSan)
BUILD ?= build
JOBS  ?= $(shell nproc)
TEMPLATE ?= examples/comments/template.yaml

.PHONY: build run test bootstrap unit e2e sanitize fuzz bench engine_bench format clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/portico serve $(TEMPLATE)

test:
	@scripts/bootstrap --test
	@scripts/test

bench: build
	@scripts/bootstrap --test
	@bench/run

# CPU per DynamoDB call without HTTP (bench/dynamo/engine_bench.c): $(BUILD)/engine_bench
engine_bench: build
	@cmake --build $(BUILD) -j $(JOBS) --target engine_bench

format:
	@clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'fuzz/*.[ch]')

clean:
	rm -rf build build-asan build-fuzz
