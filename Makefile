# The two commands of the README: `make run` and `make test`.
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-asan
DATA_DIR ?= ./data

.PHONY: deps build run test test-build bench bench-data bench-stores bench-nodes bench-grid bench-baasbox bench-compare bench-events bench-deps clean

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRIDBASE_TESTS=OFF

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target gridbase

run: build
	./$(BUILD_DIR)/gridbase serve --data-dir $(DATA_DIR)

$(TEST_BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(TEST_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGRIDBASE_SANITIZE=ON -DGRIDBASE_TESTS=ON

test-build: deps $(TEST_BUILD_DIR)/build.ninja
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)

# ctest runs with GRIDBASE_TEST_PG_URL pointing at a throw-away PostgreSQL cluster in
# $(TEST_BUILD_DIR)/pgtest, started before and removed after (scripts/run-tests.sh).
test: test-build
	bash scripts/run-tests.sh $(TEST_BUILD_DIR) $(JOBS)

bench-deps:
	@bash scripts/install-deps.sh --bench

bench: bench-deps build
	bash bench/run.sh

# Data API scenarios on BENCH_ROWS rows (default 100000; BENCH_ROWS=1000000 for the 1M variant).
bench-data: bench-deps build
	bash bench/data.sh

# The same scenarios on SQLite, then on PostgreSQL (a throw-away durable cluster, fresh database,
# same rows); one table with both and the PostgreSQL/SQLite ratio (bench/stores.sh).
bench-stores: bench-deps build
	bash bench/stores.sh

# Row-create and first-page throughput on PostgreSQL: one node vs two nodes on the same database
# (bench/nodes.sh).
# Opening and scrolling a grid view of BENCH_ROWS rows as Baserow's web-frontend does (issue 9).
bench-grid: bench-deps build
	bash bench/grid.sh

# The BaasBox document API on BENCH_DOCS documents (issue 10).
bench-baasbox: bench-deps build
	bash bench/baasbox.sh

bench-nodes: bench-deps build
	bash bench/nodes.sh

# The same scenarios against NocoDB 0.301.3 (from npm, installed once into $BENCH_CACHE, default ~/.cache/gridbase-bench),
# alternating systems per scenario; prints the gridbase/NocoDB ratio per scenario.
bench-compare: bench-deps build
	bash bench/compare.sh

# Realtime fan-out (1,000 websocket clients) and write throughput with a webhook.
bench-events: build
	bash bench/events.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
