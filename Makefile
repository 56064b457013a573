VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APPS := units intake sessions billing reporting quality bookings importing accounts

.PHONY: run test install lint messages compilemessages bench clean oidc-provider

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

compilemessages: $(STAMP)
	cd $(CURDIR) && for app in $(APPS); do (cd $$app && ../$(PY) ../manage.py compilemessages -v0); done

## make run: zero-setup demo on SQLite at http://127.0.0.1:8000
run: install compilemessages
	$(PY) manage.py migrate -v0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: system packages + services, then the whole suite on PostgreSQL and Redis, ruff and check --deploy
test:
	scripts/bootstrap
	$(MAKE) install compilemessages oidc-provider
	$(VENV)/bin/ruff check .
	SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	  DATABASE_URL=postgres://postgres@127.0.0.1:5432/familjestod ALLOWED_HOSTS=familjestod.example \
	  $(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.production
	$(VENV)/bin/pytest -n 2 --create-db -q

## the real OpenID Connect provider the single sign-on tests start (Node.js, npm's oidc-provider); not for make run
oidc-provider: tests/oidc/node_modules/.installed

tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## make messages: refresh the sv and da catalogues of every app after changing strings
messages: $(STAMP)
	for app in $(APPS); do (cd $$app && ../$(PY) ../manage.py makemessages -l sv -l da --no-obsolete --no-location -v0); done
	@# no creation date and no line numbers: catalogues change only where strings do, so branches merge
	sed -i '/^"POT-Creation-Date:/d' $(addsuffix /locale/*/LC_MESSAGES/django.po,$(APPS))

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
