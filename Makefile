# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON_VERSION := 3.13
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint check serve bench clean

$(PY):
	@command -v python$(PYTHON_VERSION) >/dev/null 2>&1 || { echo "Python $(PYTHON_VERSION) is needed (pyenv install $(PYTHON_VERSION))"; exit 1; }
	python$(PYTHON_VERSION) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

NODE_STAMP := node_modules/.installed

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	@# The app servers run with PYTHONOPTIMIZE=2 (see serve): their bytecode, compiled once
	@# here, so that no server compiles it at start-up (which costs its master memory). A
	@# file that does not compile is named and left to be compiled when it is imported.
	$(PY) -OO -m compileall -q -j0 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" articles magazine \
	  || echo "Some files were not compiled ahead (above); the servers compile them when they import them."
	touch $(STAMP)

# axe-core, for the browser tests' accessibility audit only (never sent to readers).
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the browser tests (apt-get install -y npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# A local .env with a random SECRET_KEY, so manage.py works on this machine (DEBUG stays
# off unless you set it). Never committed; production sets its own environment.
.env: | $(PY)
	@$(PY) -c "import secrets; print('# Made by make install for this machine only.'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "Wrote .env with a local SECRET_KEY."

install: $(STAMP) .env

run: install
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py create_demo_admin --url http://$(HOST):$(PORT)/admin/
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: install $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=tests.settings
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production settings under gunicorn (workers from the machine's cores), static files
# collected and compressed. Reads .env; makes a local SECRET_KEY once if none is set.
# PYTHONOPTIMIZE=2: the server's code without docstrings and asserts, about 3 MB less in
# each worker (README, "Serving on one machine or several").
serve: install
	@mkdir -p var
	@test -n "$$SECRET_KEY" || test -f var/secret-key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key
	export SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret-key)}" DEBUG=false \
	       ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" SERVE_MEDIA="$${SERVE_MEDIA:-true}" \
	       SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SESSION_COOKIE_SECURE="$${SESSION_COOKIE_SECURE:-false}" \
	       CSRF_COOKIE_SECURE="$${CSRF_COOKIE_SECURE:-false}" && \
	$(PY) manage.py collectstatic --no-input -v0 && \
	$(PY) manage.py migrate --no-input -v0 && \
	PYTHONOPTIMIZE=2 $(VENV)/bin/gunicorn magazine.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/ test-artifacts/
