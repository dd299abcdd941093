# Two commands do all set-up: `make run` (build the index if needed, serve on 127.0.0.1:7860) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
RAG := $(VENV)/bin/rag
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTHON ?= python3

.PHONY: run test install index eval gate bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

index: install
	$(RAG) ingest

run: index
	$(RAG) serve

test: install
	$(PY) -m pytest -q -rs

eval: index
	$(RAG) eval --questions evals/questions/dev.jsonl --out evals/out

# The quality gate CI runs: fails when a dev-set metric drops below evals/floors.json.
gate: index
	$(RAG) eval --questions evals/questions/dev.jsonl --out evals/out --floors evals/floors.json --quiet
	$(RAG) eval --questions evals/questions/heldout.jsonl --out evals/out/heldout --floors evals/floors.json --quiet
	$(RAG) eval --questions evals/questions/answers_report.jsonl --out evals/out/answers_report --floors evals/floors_answers.json --quiet
	$(RAG) eval --questions evals/questions/scope_probes.jsonl --out evals/out/scope --floors evals/floors_scope.json --quiet
	$(RAG) eval --questions evals/questions/advice_probes.jsonl --out evals/out/advice --floors evals/floors_advice.json --quiet
	$(RAG) eval --questions evals/questions/lay_report.jsonl --out evals/out/lay --floors evals/floors_lay.json --quiet
	$(RAG) eval --questions evals/questions/scope_report.jsonl --out evals/out/scope_report --floors evals/floors_scope_report.json --quiet
	$(RAG) eval --questions evals/questions/scope_lay_report.jsonl --out evals/out/scope_lay_report --floors evals/floors_scope_lay.json --quiet
	$(RAG) eval --questions evals/questions/gate_report.jsonl --out evals/out/gate_report --floors evals/floors_gate.json --quiet
	$(RAG) eval --questions evals/questions/gate_report2.jsonl --out evals/out/gate_report2 --floors evals/floors_gate2.json --quiet
	$(RAG) eval --questions evals/questions/gate_report3.jsonl --out evals/out/gate_report3 --floors evals/floors_gate3.json --quiet
	$(RAG) eval --questions evals/questions/gate_report4.jsonl --out evals/out/gate_report4 --floors evals/floors_gate4.json --quiet
	$(RAG) eval --questions evals/questions/gate_report5.jsonl --out evals/out/gate_report5 --floors evals/floors_gate5.json --quiet
	$(RAG) eval --questions evals/questions/gate_report6.jsonl --out evals/out/gate_report6 --floors evals/floors_gate6.json --quiet
	$(RAG) eval --questions evals/questions/technical_report.jsonl --out evals/out/technical_report --floors evals/floors_technical.json --quiet
	$(RAG) eval --questions evals/questions/route_report2.jsonl --out evals/out/route_report2 --floors evals/floors_routes.json --quiet
	$(RAG) eval --questions evals/questions/setting_report.jsonl --out evals/out/setting_report --floors evals/floors_setting.json --quiet
	$(RAG) eval --questions evals/questions/class_report.jsonl --out evals/out/class_report --floors evals/floors_class.json --quiet
	$(RAG) eval --questions evals/questions/short_report.jsonl --out evals/out/short_report --floors evals/floors_short.json --quiet
	$(RAG) eval --questions evals/questions/terse_report.jsonl --out evals/out/terse_report --floors evals/floors_terse.json --quiet
	$(RAG) eval --questions evals/questions/shared_report2.jsonl --out evals/out/shared_report2 --floors evals/floors_shared.json --quiet
	$(RAG) eval --questions evals/questions/catalogue_report.jsonl --out evals/out/catalogue_report --floors evals/floors_catalogue.json --quiet
	$(PY) evals/check_conversations.py

bench: index
	$(PY) evals/bench.py
	$(PY) evals/cold_start.py
	$(PY) evals/bench_scale.py

clean:
	rm -rf .rag
