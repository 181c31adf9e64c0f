# Developer tasks (CONTRIBUTING.md). PYTHON picks the interpreter: make test PYTHON=.venv/bin/python
PYTHON ?= python3
PYTEST_ARGS ?=

.PHONY: build lint test sanitize bench docs

build:  ## the editable install, again after any change to csrc/ or _core.pyx
	$(PYTHON) -m pip install --no-build-isolation -e .

lint:  ## the code-health gates of .ci/run
	PYTHON=$(PYTHON) tools/lint.sh

test: build  ## the suite (PYTEST_ARGS="-x tests/test_golden.py" for a part)
	$(PYTHON) -m pytest $(PYTEST_ARGS)

sanitize:  ## ASan + UBSan build in a scratch copy, then the suite (docs/reliability.md)
	PATH="$(dir $(PYTHON)):$$PATH" tools/sanitize.sh

bench: build  ## the benchmark grid, quick settings (drop --quick for the documented run)
	$(PYTHON) -m winit_fast bench --quick

docs:  ## the API reference site in docs/_build/html (warnings are errors, as in .ci/run)
	$(PYTHON) -m sphinx -W --keep-going docs docs/_build/html
