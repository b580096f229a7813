# Concurrency Kitchen. The two commands a learner needs:
#   make lab    set up (once, idempotently) and open the course in JupyterLab
#   make test   set up and run every test: Go helpers, notebooks with the real kernel, the site,
#               browser, and the Docker image (built and tested where a Docker daemon is or can be started)
#   make site   the course executed, as a static site in site/ (open site/index.html): every notebook
#               run at COURSE_TIME_UNIT (1s by default), or SITE_FROM=DIR's executed notebooks
#               (e.g. SITE_FROM=test-output, those the notebook test saved)
#   make image  build the Docker image `concurrency-kitchen`; make test-image  test it
# Needs first: Go 1.26, Python 3.11+ (with venv), Node.js with npm (20+ for `make test`); `make test`
# also needs Chromium (installed from Debian's packages when run as root).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PORT ?= 8888
# the tests' time unit: .ci/course.json, which the Python and JS tests read too
export COURSE_TIME_UNIT_TEST ?= $(shell sed -n 's/.*"test_unit": *"\([^"]*\)".*/\1/p' .ci/course.json)

.PHONY: setup lab test test-lint test-go test-notebooks test-site test-units test-browser test-container image test-image notebooks site bench clean

setup:
	@bash .ci/setup

lab: setup
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.port=$(PORT) $(ALLOW_ROOT)

notebooks: setup
	$(PY) .ci/lessons.py build

test:
	@bash .ci/setup --test
	@$(MAKE) --no-print-directory test-lint test-go test-notebooks test-site test-units test-browser test-container

# The image, built and tested with one Docker daemon (started here, as root on Debian, if none runs).
test-container:
	@echo "== container: make image, then the container checks (Binder's launch and docker run)"
	@bash .ci/image/with-docker bash -c 'bash .ci/image/build && $(PY) .ci/test_image.py'

image:
	@bash .ci/image/with-docker bash .ci/image/build

test-image:
	@bash .ci/image/with-docker $(PY) .ci/test_image.py

test-lint:
	@echo "== lint: the Dockerfile (hadolint)"
	$(VENV)/bin/hadolint Dockerfile

test-go:
	@echo "== Go: gofmt, vet, staticcheck, tests with the race detector"
	@test -z "$$(gofmt -l helpers)" || { gofmt -l helpers; echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	go tool staticcheck ./...
	COURSE_TIME_UNIT= COURSE_STRICT= go test -race -count=1 ./...

test-notebooks:
	@echo "== kernel and notebooks: smoke test, lessons/ in sync, every notebook executed (strict, unit $(COURSE_TIME_UNIT_TEST)), an interrupt"
	$(PY) .ci/lessons.py check
	COURSE_TIME_UNIT=$(COURSE_TIME_UNIT_TEST) bash .ci/reap-gopls \
	  $(PY) -m pytest -q -p no:cacheprovider -s .ci/test_kernel_smoke.py .ci/test_notebooks.py .ci/test_interrupt.py \
	  .ci/test_interrupt_cells.py .ci/test_kernel_restarts.py .ci/test_out_of_order.py

# The lessons whose checks depend on the unit or the cores, where learners run them: the dinner
# (01-03) and the four levels (12-13) at the smallest documented unit and at the default 1 s; the
# core-dependent lessons on one core.
UNIT_LESSONS = 01-dinner or 02-gil-and-preemption or 03-three-cooks or 12-four-levels or 13-event-loop
NB_TEST = bash .ci/reap-gopls $(PY) -m pytest -q -p no:cacheprovider -s .ci/test_notebooks.py
test-units:
	@echo "== notebooks at other units and on one core (strict)"
	COURSE_TIME_UNIT=50ms COURSE_TEST_RUN=unit-50ms $(NB_TEST) -k "$(UNIT_LESSONS)"
	COURSE_TIME_UNIT=1s COURSE_TEST_RUN=unit-1s $(NB_TEST) -k "$(UNIT_LESSONS)"
	COURSE_TIME_UNIT=$(COURSE_TIME_UNIT_TEST) COURSE_TEST_RUN=one-core taskset -c 0 $(NB_TEST) \
	  -k "00-welcome or 05-channels or 06-separate-kitchens or 07-executors or 08-cpu-vs-io or 09-gomaxprocs or 14-choosing or \
	  15-switch-talk-crash or 16-decision-guide"

test-browser:
	@echo "== browser: JupyterLab + headless Chromium on lessons 01 and 10"
	COURSE_TIME_UNIT=$(COURSE_TIME_UNIT_TEST) bash .ci/reap-gopls \
	  bash -c 'node .ci/browser-test.mjs 01-dinner && node .ci/browser-test.mjs 10-uptime'

# The static site (.ci/build_site.py). Without SITE_FROM it executes every notebook with the kernel
# (not strict; the set-up first); with it, it only renders (seconds) the executed notebooks found there.
SITE_FROM ?=
site: $(if $(SITE_FROM),,setup)
ifeq ($(SITE_FROM),)
	bash .ci/reap-gopls $(PY) .ci/build_site.py --out site
else
	$(PY) .ci/build_site.py --from $(SITE_FROM) --out site
endif

# The site of the notebooks test-notebooks executed, built into test-output/site/ (site/ is left as
# it is), every page opened from file:// in headless Chromium with no network.
test-site:
	@echo "== site: test-output's executed notebooks as a static site (test-output/site/), every page in headless Chromium from file://"
	$(PY) .ci/build_site.py --from test-output --out test-output/site
	node .ci/site-test.mjs test-output/site

bench: setup
	go test -run '^$$' -bench . -benchmem ./helpers/...
	$(PY) .ci/bench_cell.py

clean:
	rm -rf test-output course-output site
